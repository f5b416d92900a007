/** A task's variables from RunVariables: the order within a level, the task and loop slots, and play vars rendered in the one order. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../../lib/inventory/load.js';
import { modules } from '../../../lib/modules/index.js';
import { loadPlaybook } from '../../../lib/playbook/load.js';
import type { Play, Task } from '../../../lib/playbook/types.js';
import { Masker } from '../../../lib/secrets.js';
import { RunVariables, type VarScope } from '../../../lib/vars/run-variables.js';

const PLAYBOOK = `
- hosts: all
  vars: {e: play, a: "{{ e }}-seen-by-play", p: play}
  vars_files: [vf.yml]
  tasks:
    - name: T
      vars: {x: task, y: "{{ o }}"}
      debug: {msg: x}
    - name: L
      loop: "{{ [1, 2] }}"
      vars: {z: "{{ item }}", w: "w-{{ p }}"}
      debug: {msg: x}
`;

let vars: RunVariables;
let play: Play;
let facts: Record<string, unknown>;
let scope: VarScope;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'omsplay-runvars-'));
  await writeFile(join(dir, 'inv.yml'), 'vars: {x: all, o: all}\nregions:\n  r1:\n    hosts:\n      h1: {vars: {inv_tpl: "{{ p }}/{{ inventory_hostname }}"}}\n');
  await writeFile(join(dir, 'vf.yml'), 'p: file\n');
  await writeFile(join(dir, 'site.yml'), PLAYBOOK);
  const inventory = await loadInventory(join(dir, 'inv.yml'));
  // loadPlaybook returns the Playbook, or a LoadedPlaybook holding it.
  const loaded: { plays?: Play[]; playbook?: { plays: Play[] } } = await loadPlaybook(join(dir, 'site.yml'), { modules });
  play = (loaded.playbook ?? loaded).plays![0]!;
  facts = {};
  const state = { hosts: new Map([['h1', { name: 'h1', facts, failed: false }]]), lastResults: new Map(), lastFailedTask: new Map(), unreachableHosts: [] };
  vars = new RunVariables(inventory, { extraVars: { e: 'extra' }, masker: new Masker(), check: false }, state);
  scope = { play, playVars: {}, hostsInBatch: ['h1'], extraPlayVars: {}, blockVars: [] };
  await vars.preparePlayVars(play, ['h1'], scope);
});

const task = (name: string) => play.tasks.find((t) => t.name === name) as Task;

describe('play vars', () => {
  it('vars_files win over the play\'s vars; inventory templates see play vars', () => {
    expect(vars.varsFor('h1', scope)).toMatchObject({ p: 'file', inv_tpl: 'file/h1' });
  });

  it('are rendered in the one order: a play var reading a name -e also sets sees the -e value', () => {
    expect(scope.playVars.h1).toMatchObject({ e: 'play', a: 'extra-seen-by-play' });
    expect(vars.varsFor('h1', scope).e).toBe('extra');
  });
});

describe('block and task vars (level 6)', () => {
  it('an inner block over an outer one, the task over its blocks, facts over both', () => {
    const inner = { ...scope, blockVars: [{ x: 'outer', o: 'outer' }, { x: 'inner' }] };
    expect(vars.varsFor('h1', inner)).toMatchObject({ x: 'inner', o: 'outer' });
    expect(vars.varsFor('h1', inner, task('T'))).toMatchObject({ x: 'task', y: 'outer' });
    facts.x = 'fact';
    try {
      expect(vars.varsFor('h1', inner, task('T')).x).toBe('fact');
    } finally {
      delete facts.x;
    }
  });

  it("an include's loop variable is under the block's and task's vars; the task's own item is above all", () => {
    const included = { ...scope, loopVars: { h1: { item: 'include', loop_index: 0 } } };
    expect(vars.varsFor('h1', included).item).toBe('include');
    expect(vars.varsFor('h1', { ...included, blockVars: [{ item: 'block' }] }).item).toBe('block');
    const v = vars.varsFor('h1', included, task('L'), { item: 2, loop_index: 1 });
    expect(v).toMatchObject({ item: 2, loop_index: 1, z: 2, w: 'w-file' });
  });

  it("a loop expression sees the task's vars that do not read the item", () => {
    const v = vars.loopExpressionVars('h1', scope, task('L'));
    expect(v.w).toBe('w-file');
    expect(v).not.toHaveProperty('z');
  });
});
