/**
 * A real run (the CLI in this process, local connection) walking the eight levels of precedence: variable lN is
 * set at levels 1..N, so it must show level N's value, read plainly and through hostvars[inventory_hostname].
 * hostvars holds a host's variables, not a task's: block and task vars (level 6) are not in it.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LEVELS } from '../../../lib/vars/precedence.js';
import { cli } from '../../support/cli-in-process.js';

const N = LEVELS.length;
const nums = (from: number) => Array.from({ length: N - from + 1 }, (_, i) => from + i);
/** `{lFROM: value, ..., l8: value}` as YAML flow mapping. */
const setFrom = (from: number, value: string) => `{${nums(from).map((n) => `l${n}: ${value}`).join(', ')}}`;

const INVENTORY = `
connection: {connection: local}
vars: ${setFrom(1, 'all')}
regions:
  r1:
    vars: ${setFrom(2, 'region')}
    hosts:
      h1: {vars: ${setFrom(4, 'host')}}
groups:
  g1: {hosts: [h1], vars: ${setFrom(3, 'group')}}
`;

const read = (through: 'plain' | 'hostvars') =>
  `{${nums(1).map((n) => `l${n}: '{{ ${through === 'plain' ? `l${n}` : `dig hostvars inventory_hostname "l${n}"`} }}'`).join(', ')}}`;

const PLAYBOOK = `
- name: Walk the levels
  hosts: all
  vars: ${setFrom(5, 'play')}
  tasks:
    - name: Facts
      set_fact: ${setFrom(7, 'facts')}
    - name: Block
      vars: ${setFrom(6, 'block')}
      block:
        - name: Plain
          vars: ${setFrom(6, 'task')}
          debug: {msg: ${read('plain')}}
        - name: Hostvars
          vars: ${setFrom(6, 'task')}
          debug: {msg: ${read('hostvars')}}
`;

describe('the eight levels in a real run', () => {
  let msgs: Record<string, Record<string, string>>;
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omsplay-walk-'));
    process.env.OMSPLAY_HOME = join(dir, 'state');
    await writeFile(join(dir, 'inv.yml'), INVENTORY);
    await writeFile(join(dir, 'walk.yml'), PLAYBOOK);
    const r = await cli(['run', join(dir, 'walk.yml'), '-i', join(dir, 'inv.yml'), '-e', 'l8=extra', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    msgs = {};
    for (const line of r.out.split('\n')) {
      if (!line.startsWith('{')) continue;
      const e = JSON.parse(line);
      if (e.type === 'task_result' && e.module === 'debug') msgs[e.task] = JSON.parse(e.result.msg); // debug shows a mapping as JSON
    }
  }, 60_000); // a whole run in this process: slow on a busy machine

  const expected = LEVELS.map((l) => l.name);

  it.each(LEVELS.map((l, i) => [i + 1, l.name] as const))('level %i (%s) overrides every level below it, read plainly', (n) => {
    expect(msgs.Plain![`l${n}`]).toBe(expected[n - 1]);
  });

  it.each(LEVELS.map((l, i) => [i + 1, l.name] as const))('level %i (%s) reads the same through hostvars[inventory_hostname] (block and task vars are the task\'s)', (n, name) => {
    // Level 6 is the task's own: hostvars shows the level below it (play vars), as Ansible's hostvars.
    expect(msgs.Hostvars![`l${n}`]).toBe(name === 'task' ? 'play' : expected[n - 1]);
  });
});
