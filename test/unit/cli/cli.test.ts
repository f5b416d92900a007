/** The command line as a person uses it: flags, output forms, exit codes (in-process, local connection). */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../../support/cli-in-process.js';

let dir: string;
const inv = () => join(dir, 'inv.yml');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omsplay-cli-'));
  process.env.OMSPLAY_HOME = join(dir, 'state');
  await writeFile(
    inv(),
    `connection: {connection: local}
vars: {greeting: inventory, db_password: "Pa55-canary-word"}
regions:
  hz: {hosts: {a: {}, b: {}}}
  sh: {hosts: {c: {}}}
groups: {oms: {hosts: [a, c]}}
`,
  );
  await writeFile(join(dir, 'extra.yml'), 'from_file: yes-from-file\n');
  await writeFile(join(dir, 'vars.yml'), 'from_vars_file: vf\n');
  await writeFile(
    join(dir, 'pb.yml'),
    `- name: cli
  hosts: all
  vars_files: [vars.yml]
  tasks:
    - name: greet
      debug: {msg: "{{ greeting }} {{ from_vars_file }} {{ default from_file 'none' }}"}
      tags: [hello]
    - name: write
      copy: {content: "v2\\n", dest: "${dir}/out-{{ inventory_hostname }}.txt"}
      tags: [files]
    - name: always dry
      copy: {content: "never\\n", dest: "${dir}/dry-{{ inventory_hostname }}.txt"}
      check_mode: true
`,
  );
});

describe('omsplay CLI', () => {
  it('--list-tasks shows tasks with their tags; --list-hosts applies --limit', async () => {
    const t = await cli(['run', join(dir, 'pb.yml'), '-i', inv(), '--list-tasks']);
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/greet\s+TAGS: \[hello\]/);
    const h = await cli(['run', join(dir, 'pb.yml'), '-i', inv(), '--list-hosts', '--limit', 'oms:!c']);
    expect(h.out).toMatch(/play: cli \(1\)\n\s+a\n/);
  });

  it('--list-tasks shows the tasks of an include_tasks with a fixed file, under it', async () => {
    await writeFile(join(dir, 'each.yml'), '- {name: per item, debug: {msg: "{{ item }}"}, tags: [each]}\n');
    await writeFile(join(dir, 'looped.yml'), '- name: loops\n  hosts: a\n  tasks:\n    - {name: over items, include_tasks: each.yml, loop: [1, 2]}\n');
    const t = await cli(['run', join(dir, 'looped.yml'), '-i', inv(), '--list-tasks']);
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/over items \(per loop item\)\n\s+per item\s+TAGS: \[each\]/);
    const none = await cli(['run', join(dir, 'looped.yml'), '-i', inv(), '--list-tasks', '--tags', 'other']);
    expect(none.out).not.toMatch(/per item/);
  });

  it('--list-tasks --tags shows the rescue, always and on_failure tasks that run whatever the selection', async () => {
    await writeFile(
      join(dir, 'rescue.yml'),
      `- name: up
  hosts: a
  tasks:
    - name: guarded
      block:
        - {name: stepx, debug: {msg: x}, tags: [stepx]}
      rescue:
        - {name: undo stepx, debug: {msg: x}}
    - name: unselected
      block:
        - {name: stepz, debug: {msg: x}, tags: [stepz]}
      always:
        - {name: after stepz, debug: {msg: x}}
  on_failure:
    - name: Rescue
      hosts: all
      tasks:
        - {name: put back, debug: {msg: x}}
`,
    );
    const t = await cli(['run', join(dir, 'rescue.yml'), '-i', inv(), '--list-tasks', '--tags', 'stepx']);
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/stepx\s+TAGS: \[stepx\]\n\s+rescue: \(runs whatever --tags\/--skip-tags select\)\n\s+undo stepx\s+TAGS: \[\]/);
    expect(t.out).toMatch(/on_failure play: Rescue \(hosts: all\) \(runs whatever --tags\/--skip-tags select\)\n\s+put back\s+TAGS: \[\]/);
    expect(t.out).not.toMatch(/stepz|after stepz/);
  });

  it('--list-tasks shows the condition of a block (e.g. the procedure family that chooses it)', async () => {
    await writeFile(
      join(dir, 'when.yml'),
      `- name: up
  hosts: a
  tasks:
    - name: family c only
      when: (eq greeting "C")
      block:
        - {name: wait, debug: {msg: x}}
`,
    );
    const t = await cli(['run', join(dir, 'when.yml'), '-i', inv(), '--list-tasks']);
    expect(t.code, t.out + t.err).toBe(0);
    expect(t.out).toMatch(/block: family c only\tWHEN: \(eq greeting "C"\)\n\s+wait\s+TAGS: \[\]/);
  });

  it('-e key=value and -e @file win over inventory vars; vars_files are read; --json emits the event stream', async () => {
    const r = await cli(['run', join(dir, 'pb.yml'), '-i', inv(), '--json', '-e', 'greeting=extra', '-e', `@${join(dir, 'extra.yml')}`, '-t', 'hello']);
    expect(r.code).toBe(0);
    const events = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['run_start', 'play_start', 'task_start', 'task_result', 'task_end', 'play_end', 'recap', 'run_end']));
    const greet = events.filter((e) => e.type === 'task_result' && e.task === 'greet');
    expect(greet.map((e) => e.result.msg)).toEqual(['extra vf yes-from-file', 'extra vf yes-from-file', 'extra vf yes-from-file']);
    expect(greet[0].duration_ms).toBeTypeOf('number');
    const recap = events.find((e) => e.type === 'recap');
    expect(recap.hosts.a).toMatchObject({ ok: 1, changed: 0, failed: 0, skipped: 0 });
    expect(events.at(-1)).toMatchObject({ type: 'run_end', exit_code: 0 });
  });

  it('copy is changed once then ok; --diff shows before/after; check_mode: true never writes', async () => {
    await writeFile(join(dir, 'out-a.txt'), 'v1\n');
    const first = await cli(['run', join(dir, 'pb.yml'), '-i', inv(), '--plain', '--diff', '-l', 'a']);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/changed: \[a\]/);
    expect(first.out).toMatch(/-v1\n\+v2/);
    expect(await readFile(join(dir, 'out-a.txt'), 'utf8')).toBe('v2\n');
    await expect(readFile(join(dir, 'dry-a.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
    const second = await cli(['run', join(dir, 'pb.yml'), '-i', inv(), '--json', '-l', 'a', '-t', 'files']);
    const write = second.out.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'task_result' && e.task === 'write');
    expect(write.status).toBe('ok');
  });

  it('bad options exit 5 with a hint; a broken playbook exits 4 with file:line:col; neither prints a stack', async () => {
    const unknown = await cli(['run', join(dir, 'pb.yml'), '-i', inv(), '--frobnicate']);
    expect(unknown.code).toBe(5);
    expect(unknown.err).toMatch(/bad options: .*frobnicate[\s\S]*hint:/);
    const forks = await cli(['run', join(dir, 'pb.yml'), '-i', inv(), '-f', 'many']);
    expect(forks.code).toBe(5);
    expect(forks.err).toMatch(/--forks must be a whole number/);
    const noInv = await cli(['run', join(dir, 'pb.yml')]);
    expect(noInv.code).toBe(5);
    await writeFile(join(dir, 'broken.yml'), '- hosts: all\n  tasks:\n    - name: x\n      debgu: {msg: hi}\n');
    const broken = await cli(['validate', join(dir, 'broken.yml'), '-i', inv()]);
    expect(broken.code).toBe(4);
    expect(broken.err).toMatch(/broken\.yml:4:7: .*debgu.*\n[\s\S]*debug/);
    for (const r of [unknown, forks, noInv, broken]) expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('inventory --host masks secrets; --graph draws regions; runs lists earlier runs', async () => {
    const host = await cli(['inventory', '-i', inv(), '--host', 'a']);
    expect(host.code).toBe(0);
    expect(host.out).not.toContain('Pa55-canary-word');
    expect(JSON.parse(host.out)).toMatchObject({ db_password: '********', region: 'hz' });
    const graph = await cli(['inventory', '-i', inv(), '--graph']);
    expect(graph.out).toMatch(/@hz: \(region\)/);
    const runs = await cli(['runs']);
    expect(runs.code).toBe(0);
    expect(runs.out).toMatch(/exit 0 .*pb\.yml/);
  });
});
