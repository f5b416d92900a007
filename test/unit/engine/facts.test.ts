/**
 * Facts through the engine: a fact read by one task is forgotten when a later task may have changed
 * it — a planning module's commands, or any module that does not plan (copy here).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runYaml, workdir } from './harness.js';

describe('facts across tasks', () => {
  it('a guard path read before is read again after a task changed the host', async () => {
    const dir = await workdir();
    const r = await runYaml({
      dir,
      extraVars: [`d=${dir}`],
      playbook: `
- hosts: a
  tasks:
    - name: z absent, skipped (nothing runs, the fact stays)
      command: {argv: ["true"], removes: "{{ d }}/z"}
    - name: copy makes z
      copy: {content: "z\\n", dest: "{{ d }}/z"}
    - name: z exists now, skipped
      command: {argv: [touch, "{{ d }}/w"], creates: "{{ d }}/z"}
    - name: shell removes z
      shell: rm "{{ d }}/z"
    - name: z absent again, runs
      command: {argv: [touch, "{{ d }}/v"], creates: "{{ d }}/z"}
`,
    });
    const status = (t: string) => r.collect.status(t).a;
    expect(status('z absent, skipped (nothing runs, the fact stays)')).toBe('skipped');
    expect(status('copy makes z')).toBe('changed');
    expect(status('z exists now, skipped')).toBe('skipped');
    expect(status('shell removes z')).toBe('changed');
    expect(status('z absent again, runs')).toBe('changed');
    expect(existsSync(join(dir, 'w'))).toBe(false);
    expect(existsSync(join(dir, 'v'))).toBe(true);
  });
});
