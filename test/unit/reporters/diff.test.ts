/** --diff shows unified hunks with context (as `ansible-playbook --diff`), not a set difference of lines. */
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../../lib/reporters/format.js';

describe('unifiedDiff', () => {
  it('a line moved and a line repeated: a,b,} -> b,a,},} gives one hunk with context', () => {
    // A set difference sees the same lines on both sides and prints only the headers.
    expect(unifiedDiff({ before: 'a\nb\n}\n', after: 'b\na\n}\n}\n', header: '/etc/x.conf' })).toBe(
      ['--- before: /etc/x.conf', '+++ after: /etc/x.conf', '@@ -1,3 +1,4 @@', '-a', ' b', '+a', ' }', '+}'].join('\n'),
    );
  });

  it('keeps 3 lines of context and splits distant changes into hunks', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
    const after = [...before];
    after[1] = 'line 2 changed';
    after[17] = 'line 18 changed';
    const text = unifiedDiff({ before: `${before.join('\n')}\n`, after: `${after.join('\n')}\n` });
    expect(text.split('\n').filter((l) => l.startsWith('@@'))).toEqual(['@@ -1,5 +1,5 @@', '@@ -15,6 +15,6 @@']);
    expect(text).toContain(' line 1\n-line 2\n+line 2 changed\n line 3\n line 4\n line 5');
    expect(text).not.toContain(' line 10');
  });

  it('a new file is all additions; a missing final newline is said', () => {
    expect(unifiedDiff({ after: 'new\n' })).toBe('--- before\n+++ after\n@@ -1,0 +1,1 @@\n+new');
    expect(unifiedDiff({ before: 'v1', after: 'v2' })).toContain('-v1\n\\ No newline at end of file\n+v2');
  });
});
