/** lib/did-you-mean.ts: one notion of a likely typo and one wording, for every name omsplay reports. */
import { describe, expect, it } from 'vitest';
import { closeNames, didYouMean, didYouMeanOrKnown, didYouMeanSuffix, suggest } from '../../lib/did-you-mean.js';

describe('closeNames', () => {
  it('finds typos within the limit, closest first, ties alphabetically, at most three', () => {
    expect(closeNames('oms-hz-3', ['oms-hz-2', 'oms-hz-1', 'oms-sh-1', 'db'])).toEqual(['oms-hz-1', 'oms-hz-2']);
    expect(closeNames('node-x', ['node-4', 'node-3', 'node-2', 'node-1', 'node-xyz'])).toEqual(['node-1', 'node-2', 'node-3']);
    expect(closeNames('oms-hz-3', ['oms-hz-2', 'oms-hz-1', 'oms-sh-1'], 1)).toEqual(['oms-hz-1']);
    expect(closeNames('whne', ['when', 'name', 'tags'])).toEqual(['when']);
  });

  it('is case-insensitive and never offers the name itself', () => {
    expect(closeNames('restart oms', ['restart OMS'])).toEqual(['restart OMS']);
    expect(closeNames('when', ['when'])).toEqual([]);
  });

  it('lets the limit grow with the length: short names are no typos of each other', () => {
    expect(closeNames('b', ['a'])).toEqual([]);
    expect(closeNames('h1', ['h2'])).toEqual([]);
    expect(closeNames('tsk', ['task'])).toEqual(['task']);
    expect(closeNames('abc', ['xyz'])).toEqual([]);
    expect(closeNames('oms_verison', ['oms_version'])).toEqual(['oms_version']);
    expect(closeNames('oms_version', ['db_password'])).toEqual([]);
  });

  it('counts names equal but for separators, and prefixes of three characters or more', () => {
    expect(closeNames('becomeuser', ['become_user'])).toEqual(['become_user']);
    expect(closeNames('docker-containers', ['docker.container'])).toEqual(['docker.container']);
    expect(closeNames('oms', ['oms_nodes_of_region_one'])).toEqual(['oms_nodes_of_region_one']);
    expect(closeNames('om', ['oms_nodes_of_region_one'])).toEqual([]);
  });
});

describe('the wording', () => {
  it('is "did you mean `a`?" or "did you mean `a` or `b`?", and nothing when nothing is close', () => {
    expect(didYouMean('comand', ['command', 'copy'])).toBe('did you mean `command`?');
    expect(didYouMean('oms-hz-3', ['oms-hz-1', 'oms-hz-2'])).toBe('did you mean `oms-hz-1` or `oms-hz-2`?');
    expect(didYouMean('zzz', ['command'])).toBe('');
    expect(suggest('comand', ['command', 'copy'])).toBe('command');
    expect(suggest('zzz', ['command'])).toBeUndefined();
  });

  it('ends a message with the closest name only', () => {
    expect(`unknown module \`comand\`${didYouMeanSuffix('comand', ['command', 'commands'])}`).toBe('unknown module `comand` — did you mean `command`?');
    expect(didYouMeanSuffix('zzz', ['command'])).toBe('');
  });

  it('as a hint, lists what exists when nothing is close', () => {
    expect(didYouMeanOrKnown('zzz', ['a1', 'b2'], 'hosts')).toBe('known hosts: a1, b2');
    expect(didYouMeanOrKnown('zzz', [], 'hosts')).toBe('there are no hosts');
    const many = Array.from({ length: 10 }, (_, i) => `host-${i}0`);
    expect(didYouMeanOrKnown('zzzzzz', many, 'hosts')).toBe(`known hosts: ${many.slice(0, 8).join(', ')}, ... (10 in all)`);
  });
});
