/** Static checks: undefined variables (every source that defines one), template syntax, host patterns. */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatLocation, ValidationError, ValidationErrors } from '../../../lib/errors.js';
import { loadInventory } from '../../../lib/inventory/load.js';
import type { Inventory, Vars } from '../../../lib/inventory/types.js';
import { modules } from '../../../lib/modules/index.js';
import { checkPlaybook, playbookProblems } from '../../../lib/playbook/check.js';
import { loadPlaybook } from '../../../lib/playbook/load.js';

const INVENTORY = `vars:
  oms_version: "4.2.5"
regions:
  hangzhou:
    vars: {heartbeat_db: hb_hz}
    hosts:
      oms-hz-1: {address: 127.0.0.1, vars: {node_role: primary}}
  shanghai:
    hosts:
      oms-sh-1: {address: 127.0.0.1}
groups:
  oms_nodes:
    hosts: [oms-hz-1, oms-sh-1]
    vars: {image: oms:4.2.5}
`;

let dir: string;
let inventory: Inventory;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omsplay-check-'));
  await writeFile(join(dir, 'inventory.yml'), INVENTORY);
  inventory = await loadInventory(join(dir, 'inventory.yml'));
});

let n = 0;
async function problems(text: string, extraVars: Vars = {}, files: Record<string, string> = {}): Promise<string[]> {
  const sub = join(dir, `case${n++}`);
  for (const [name, t] of Object.entries({ 'site.yml': text, ...files })) {
    await mkdir(dirname(join(sub, name)), { recursive: true });
    await writeFile(join(sub, name), t);
  }
  const pb = await loadPlaybook(join(sub, 'site.yml'), { modules });
  return playbookProblems(pb, inventory, extraVars).map((e) => `${formatLocation(e.location).replace(`${sub}/`, '')} ${e.message}`);
}

const play = (tasks: string, head = '') => `- name: P\n  hosts: all\n${head}  tasks:\n${tasks.replace(/^/gm, '    ')}\n`;

describe('variables that are defined', () => {
  it('by the inventory (all, region, group, host levels) and magic variables', async () => {
    expect(
      await problems(play('- debug: {msg: "{{ oms_version }} {{ heartbeat_db }} {{ image }} {{ node_role }} {{ inventory_hostname }} {{ region }} {{ group_names }} {{ address }} {{ groups.oms_nodes }} {{ hostvars.x }} {{ play_hosts }} {{ check_mode }} {{ run_id }}"}')),
    ).toEqual([]);
  });

  it('by a loop for the vars of the looped task or include (item, loop_var, loop_index)', async () => {
    const tasks = [
      '- include_tasks: t.yml',
      '  loop: [a, b]',
      '  vars: {x: "{{ item }}", i: "{{ loop_index }}"}',
      '- debug: {msg: "{{ y }}"}',
      '  loop: [1]',
      '  loop_control: {loop_var: n}',
      '  vars: {y: "{{ n }}"}',
    ].join('\n');
    expect(await problems(play(tasks), {}, { 't.yml': '- debug: {msg: "{{ x }} {{ item }} {{ i }}"}\n' })).toEqual([]);
    // Without a loop, `item` is what it is: undefined.
    expect(await problems(play('- include_tasks: t.yml\n  vars: {x: "{{ item }}"}'), {}, { 't.yml': '- debug: {msg: "{{ x }}"}\n' })).toEqual([
      'site.yml:5:17 undefined variable `item` in task `include_tasks`',
    ]);
  });

  it('by play vars, vars_files and -e', async () => {
    expect(await problems(play('- debug: {msg: "{{ a }} {{ b }} {{ c }}"}', '  vars: {a: 1}\n  vars_files: [v.yml]\n'), { c: 3 }, { 'v.yml': 'b: 2\n' })).toEqual([]);
  });

  it('by an earlier register or set_fact, also in later plays and in handlers', async () => {
    const text = `${play('- command: hostname\n  register: hn\n  notify: h\n- set_fact: {fact1: x}\n- debug: {msg: "{{ hn.stdout }} {{ fact1 }}"}', '  handlers:\n    - name: h\n      debug: {msg: "{{ fact1 }}"}\n')}${play('- debug: {msg: "{{ hn.rc }}"}')}`;
    expect(await problems(text)).toEqual([]);
  });

  it('by the task itself: register in until/failed_when/changed_when, loop variables, task vars', async () => {
    expect(
      await problems(
        play(
          '- command: curl -sf localhost\n  register: r\n  until: (eq r.rc 0)\n  retries: 3\n  failed_when: r.failed\n  changed_when: false\n- debug: {msg: "{{ item }}"}\n  loop: [1]\n- debug: {msg: "{{ db }} {{ t }}"}\n  loop: "{{ dbs }}"\n  loop_control: {loop_var: db, label: "{{ db }}"}\n  vars: {t: 1, dbs: [a]}',
        ),
      ),
    ).toEqual([]);
  });

  it('by blocks (vars, failed_task in rescue), includes (vars, loop var) and on_failure (failure)', async () => {
    const text = `${play(
      '- block:\n    - debug: {msg: "{{ bv }}"}\n  rescue:\n    - debug: {msg: "{{ failed_task }} {{ bv }}"}\n  vars: {bv: 1}\n- include_tasks: t.yml\n  loop: [a]\n  loop_control: {loop_var: part}\n  vars: {iv: 2}',
      '',
    )}  on_failure:\n    - hosts: all\n      tasks:\n        - debug: {msg: "{{ failure.task }} {{ failure.hosts }}"}\n`;
    expect(await problems(text, {}, { 't.yml': '- debug: {msg: "{{ part }} {{ iv }}"}\n' })).toEqual([]);
  });

  it('by from_run, and names only read through default', async () => {
    expect(await problems(play('- debug: {msg: "{{ from_run.backup_dir }} {{ default maybe \\"x\\" }}"}'))).toEqual([]);
  });
});

describe('variables that nothing defines', () => {
  it('are reported at the exact value, naming the variable and the task, with a suggestion', async () => {
    expect(await problems(play('- name: Show\n  debug:\n    msg: "{{ oms_verison }}"'))).toEqual(['site.yml:6:14 undefined variable `oms_verison` in task `Show` — did you mean `oms_version`?']);
  });

  it('in conditions, bare or templated, and in module condition arguments (assert that)', async () => {
    expect(await problems(play('- debug: {msg: x}\n  when: [ha.enable, "{{ other }}"]\n- assert: {that: [(eq mode "x")]}'))).toEqual([
      'site.yml:5:14 undefined variable `ha` in task `debug`',
      'site.yml:5:25 undefined variable `other` in task `debug`',
      'site.yml:6:23 undefined variable `mode` in task `assert`',
    ]);
  });

  it('when registered only later, or the loop variable outside its loop, or failed_task outside rescue', async () => {
    expect(await problems(play('- debug: {msg: "{{ r }}"}\n- command: ls\n  register: r\n- debug: {msg: "{{ item }} {{ failed_task }}"}'))).toEqual([
      'site.yml:4:20 undefined variable `r` in task `debug`',
      'site.yml:7:20 undefined variable `item` in task `debug`',
      'site.yml:7:20 undefined variable `failed_task` in task `debug`',
    ]);
  });

  it('in vars files, at their own file and line', async () => {
    const out = await problems(play('- debug: {msg: "{{ url }}"}', '  vars_files: [vars/site.yml]\n'), {}, { 'vars/site.yml': 'url: "http://{{ oms_host }}:8088"\nport: 8088\n' });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^vars\/site\.yml:1:6 undefined variable `oms_host` in vars file .*vars\/site\.yml$/);
  });

  it('in task files, at their own file and line', async () => {
    expect(await problems(play('- import_tasks: tasks/t.yml'), {}, { 'tasks/t.yml': '- name: T\n  shell: "echo {{ nope }}"\n' })).toEqual(['tasks/t.yml:2:10 undefined variable `nope` in task `T`']);
  });

  it('is thrown by checkPlaybook as ValidationErrors with all problems', async () => {
    const sub = join(dir, 'throw');
    await mkdir(sub, { recursive: true });
    await writeFile(join(sub, 'site.yml'), play('- debug: {msg: "{{ a }}"}\n- debug: {msg: "{{ b }}"}'));
    const pb = await loadPlaybook(join(sub, 'site.yml'), { modules });
    expect(() => checkPlaybook(pb, inventory, { a: 1 })).toThrow(ValidationError);
    let err: unknown;
    try {
      checkPlaybook(pb, inventory, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationErrors);
    expect((err as ValidationErrors).errors).toHaveLength(2);
    expect(() => checkPlaybook(pb, inventory, { a: 1, b: 2 })).not.toThrow();
  });

  it('loadPlaybook checks them too when given knownVariables', async () => {
    const sub = join(dir, 'known');
    await mkdir(sub, { recursive: true });
    await writeFile(join(sub, 'site.yml'), play('- debug: {msg: "{{ a }} {{ b }}"}'));
    const err = await loadPlaybook(join(sub, 'site.yml'), { modules, knownVariables: ['a'] }).catch((e) => e);
    expect(err.message).toBe('undefined variable `b` in task `debug`');
  });
});

describe('template syntax', () => {
  it('is reported at the value', async () => {
    const out = await problems(play('- debug: {msg: "{{ a "}\n  vars: {a: 1}'));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^site\.yml:4:20 template syntax error/);
  });
});

describe('hosts', () => {
  it('a play pattern that matches nothing is reported at `hosts`', async () => {
    const out = await problems('- hosts: oms_node\n  tasks: []\n');
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^site\.yml:1:10 .*`oms_node`/);
  });

  it('patterns that match are fine: regions, groups, intersections', async () => {
    expect(await problems('- hosts: oms_nodes:&hangzhou\n  tasks: []\n- hosts: shanghai\n  tasks: []\n')).toEqual([]);
  });

  it('delegate_to must name an inventory host or localhost', async () => {
    expect(await problems(play('- command: ls\n  delegate_to: localhost\n- command: ls\n  delegate_to: oms-sh-1\n- command: ls\n  delegate_to: oms-sh-2'))).toEqual([
      `site.yml:9:20 delegate_to \`oms-sh-2\` is not a host of ${join(dir, 'inventory.yml')} — did you mean \`oms-sh-1\`?`,
    ]);
  });
});
