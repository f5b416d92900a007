/** loadPlaybook: each keyword's normalisation into the typed model (lib/playbook/types.ts). */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatLocation, ValidationErrors } from '../../../lib/errors.js';
import { modules } from '../../../lib/modules/index.js';
import { loadPlaybook, loadTaskFile } from '../../../lib/playbook/load.js';
import type { Block, Handler, Play, Task } from '../../../lib/playbook/types.js';

/** Writes files (path → text) into a fresh directory; returns the directory. */
async function tree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'omsplay-pb-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

async function load(text: string, more: Record<string, string> = {}): Promise<{ plays: Play[]; dir: string }> {
  const dir = await tree({ 'site.yml': text, ...more });
  const pb = await loadPlaybook(join(dir, 'site.yml'), { modules });
  return { plays: pb.playbook.plays, dir };
}

async function firstTask(taskYaml: string): Promise<Task> {
  const { plays } = await load(`- hosts: all\n  tasks:\n${taskYaml.replace(/^/gm, '    ')}\n`);
  return plays[0].tasks[0] as Task;
}

describe('plays', () => {
  it('normalises play keywords', async () => {
    const { plays, dir } = await load(
      [
        '- name: Upgrade',
        '  hosts: oms_nodes:&hangzhou',
        '  vars: {a: 1}',
        '  vars_files: [vars/site.yml]',
        '  serial: [1, "50%"]',
        '  max_fail_percentage: 10',
        '  any_errors_fatal: true',
        '  become: true',
        '  become_user: admin',
        '  tags: [upgrade, oms]',
        '  tasks: []',
        '',
      ].join('\n'),
      { 'vars/site.yml': 'b: 2\n' },
    );
    const p = plays[0];
    expect(p).toMatchObject({
      name: 'Upgrade',
      hosts: 'oms_nodes:&hangzhou',
      vars: { a: 1 },
      varsFiles: ['vars/site.yml'],
      serial: [1, '50%'],
      maxFailPercentage: 10,
      anyErrorsFatal: true,
      become: true,
      becomeUser: 'admin',
      tags: ['upgrade', 'oms'],
      tasks: [],
      handlers: [],
      onFailure: [],
    });
    expect(p.location).toEqual({ file: join(dir, 'site.yml'), line: 1, col: 3 });
  });

  it('defaults: name from hosts, no serial, any_errors_fatal false; a number serial and a host list', async () => {
    const { plays } = await load('- hosts: [a, b]\n  serial: 2\n  tags: "x, y"\n');
    expect(plays[0]).toMatchObject({ name: 'a:b', hosts: 'a:b', serial: [2], anyErrorsFatal: false, tags: ['x', 'y'], vars: {} });
    expect(plays[0].become).toBeUndefined();
    const { plays: p2 } = await load('- hosts: all\n');
    expect(p2[0].serial).toBeUndefined();
  });

  it('loads on_failure plays, inline and imported (with vars), relative to the playbook', async () => {
    const { plays } = await load(
      ['- hosts: all', '  tasks: []', '  on_failure:', '    - name: Inline', '      hosts: all', '      tasks: [{debug: {msg: "{{ failure.task }}"}}]', '    - import_playbook: rb/rollback.yml', '      vars: {why: failed}', ''].join('\n'),
      { 'rb/rollback.yml': '- name: Roll back\n  hosts: oms_nodes\n  tasks:\n    - import_tasks: steps.yml\n', 'rb/steps.yml': '- debug: {msg: step}\n' },
    );
    const names = plays[0].onFailure.map((p) => p.name);
    expect(names).toEqual(['Inline', 'Roll back']);
    expect(plays[0].onFailure[1].vars).toEqual({ why: 'failed' });
    // The imported playbook's task file resolves next to it.
    const block = plays[0].onFailure[1].tasks[0] as Block;
    expect((block.block[0] as Task).args).toEqual({ msg: 'step' });
  });

  it('checks vars_files exist, and leaves templated names to run time', async () => {
    const err = await load('- hosts: all\n  vars_files: ["vars/{{ region }}.yml", vars/none.yml]\n').catch((e) => e);
    expect(err.message).toContain('vars file `vars/none.yml` does not exist');
    expect(err.location.line).toBe(2);
    expect(err.location.col).toBe(41);
  });
});

describe('tasks', () => {
  it('finds the one module key; free-form strings and argv lists go to the module\'s free-form argument', async () => {
    expect(await firstTask('- command: echo hi')).toMatchObject({ kind: 'task', module: 'command', args: { cmd: 'echo hi' } });
    expect(await firstTask('- command: [echo, "a b"]')).toMatchObject({ module: 'command', args: { cmd: ['echo', 'a b'] } });
    expect(await firstTask('- shell: "ls | wc -l"')).toMatchObject({ module: 'shell', args: { cmd: 'ls | wc -l' } });
    expect(await firstTask('- copy: {content: x, dest: /tmp/x}')).toMatchObject({ module: 'copy', args: { content: 'x', dest: '/tmp/x' } });
    expect(await firstTask('- pause:')).toMatchObject({ module: 'pause', args: {} });
  });

  it('normalises conditions to lists', async () => {
    expect((await firstTask('- debug: {msg: x}\n  when: true')).when).toEqual([true]);
    expect((await firstTask('- debug: {msg: x}\n  when: (eq region "hz")')).when).toEqual(['(eq region "hz")']);
    expect((await firstTask('- debug: {msg: x}\n  when: [a, "{{ b }}", false]\n  vars: {a: 1, b: 2}')).when).toEqual(['a', '{{ b }}', false]);
    const t = await firstTask('- command: "true"\n  register: r\n  until: r.rc\n  failed_when: [(ne r.rc 0)]\n  changed_when: false');
    expect(t).toMatchObject({ until: ['r.rc'], failedWhen: ['(ne r.rc 0)'], changedWhen: [false] });
    expect((await firstTask('- debug: {msg: x}')).when).toBeUndefined();
  });

  it('keeps loop, loop_control, register, record, retries, delay', async () => {
    const t = await firstTask(
      ['- debug: {msg: "{{ host }}"}', '  loop: [a, b]', '  loop_control: {loop_var: host, label: "{{ host }}"}', '  register: out', '  record: true', '  until: out.ok', '  retries: 5', '  delay: 2.5'].join('\n'),
    );
    expect(t).toMatchObject({ loop: ['a', 'b'], loopVar: 'host', loopLabel: '{{ host }}', register: 'out', record: true, until: ['out.ok'], retries: 5, delay: 2.5 });
    expect((await firstTask('- debug: {msg: "{{ item }}"}\n  loop: "{{ groups.all }}"')).loopVar).toBe('item');
  });

  it('keeps the common keywords', async () => {
    const t = await firstTask(
      [
        '- name: Init',
        '  command: docker_init.sh',
        '  tags: [init]',
        '  vars: {x: 1}',
        '  become: true',
        '  become_user: admin',
        '  delegate_to: localhost',
        '  run_once: region',
        '  no_log: true',
        '  ignore_errors: true',
        '  check_mode: false',
        '  timeout: 30',
      ].join('\n'),
    );
    expect(t).toMatchObject({
      name: 'Init',
      tags: ['init'],
      vars: { x: 1 },
      become: true,
      becomeUser: 'admin',
      delegateTo: 'localhost',
      runOnce: 'region',
      noLog: true,
      ignoreErrors: true,
      checkMode: false,
      timeout: 30,
      notify: [],
    });
    expect((await firstTask('- command: ls\n  run_once: true')).runOnce).toBe(true);
  });

  it('gives each task its file:line:col', async () => {
    const { plays, dir } = await load('- hosts: all\n  tasks:\n    - debug: {msg: a}\n    - name: second\n      debug: {msg: b}\n');
    expect(plays[0].tasks.map((t) => formatLocation(t.location))).toEqual([`${join(dir, 'site.yml')}:3:7`, `${join(dir, 'site.yml')}:4:7`]);
  });

  it('builds blocks with rescue and always, keeping block-level keywords', async () => {
    const { plays } = await load(
      ['- hosts: all', '  tasks:', '    - name: Upgrade', '      when: ha', '      tags: [up]', '      vars: {ha: true}', '      become: true', '      block:', '        - command: a', '      rescue:', '        - command: b', '      always:', '        - command: c', ''].join('\n'),
    );
    const b = plays[0].tasks[0] as Block;
    expect(b).toMatchObject({ kind: 'block', name: 'Upgrade', when: ['ha'], tags: ['up'], vars: { ha: true }, become: true });
    expect([b.block, b.rescue, b.always].map((l) => (l[0] as Task).args)).toEqual([{ cmd: 'a' }, { cmd: 'b' }, { cmd: 'c' }]);
  });
});

describe('task files', () => {
  it('inlines import_tasks as a block, relative to the including file, with its vars and keywords', async () => {
    const { plays, dir } = await load('- hosts: all\n  tasks:\n    - import_tasks: tasks/main.yml\n      vars: {step: 1}\n      when: (eq step 1)\n      tags: [t]\n', {
      'tasks/main.yml': '- debug: {msg: main}\n- import_tasks: sub/more.yml\n',
      'tasks/sub/more.yml': '- name: deep\n  debug: {msg: deep}\n',
    });
    const b = plays[0].tasks[0] as Block;
    expect(b).toMatchObject({ kind: 'block', name: 'import_tasks tasks/main.yml', vars: { step: 1 }, when: ['(eq step 1)'], tags: ['t'], rescue: [], always: [] });
    const inner = b.block[1] as Block;
    expect(inner.kind).toBe('block');
    expect(inner.block[0].name).toBe('deep');
    expect(formatLocation(inner.block[0].location)).toBe(`${join(dir, 'tasks/sub/more.yml')}:1:3`);
  });

  it('keeps include_tasks as a task with its file loaded ahead, loop and vars', async () => {
    const { plays, dir } = await load('- hosts: all\n  tasks:\n    - include_tasks: tasks/per-db.yml\n      loop: [a, b]\n      loop_control: {loop_var: db}\n      vars: {x: 1}\n', {
      'tasks/per-db.yml': '- debug: {msg: "{{ db }}"}\n',
    });
    const t = plays[0].tasks[0] as Task;
    expect(t).toMatchObject({ kind: 'task', module: 'include_tasks', loop: ['a', 'b'], loopVar: 'db', vars: { x: 1 }, includeFile: join(dir, 'tasks/per-db.yml') });
    expect(t.includedTasks).toHaveLength(1);
    expect((t.includedTasks![0] as Task).args).toEqual({ msg: '{{ db }}' });
  });

  it('leaves a templated include_tasks name to run time', async () => {
    const { plays, dir } = await load('- hosts: all\n  tasks:\n    - include_tasks: "tasks/{{ region }}.yml"\n');
    const t = plays[0].tasks[0] as Task;
    expect(t.includeFile).toBe('tasks/{{ region }}.yml');
    expect(t.includeDir).toBe(dir);
    expect(t.includedTasks).toBeUndefined();
  });

  it('loadTaskFile loads a task file on its own', async () => {
    const dir = await tree({ 't.yml': '- command: ls\n- debug: {msg: x}\n' });
    const tasks = await loadTaskFile(join(dir, 't.yml'), { modules });
    expect(tasks.map((t) => (t as Task).module)).toEqual(['command', 'debug']);
  });
});

describe('handlers', () => {
  it('answer to their name and listen', async () => {
    const { plays } = await load('- hosts: all\n  tasks:\n    - command: a\n      notify: [restart oms, web]\n    - command: b\n      notify: other\n  handlers:\n    - name: restart oms\n      command: docker restart oms\n      listen: [web]\n    - listen: other\n      debug: {msg: x}\n');
    const [h1, h2] = plays[0].handlers as Handler[];
    expect(h1).toMatchObject({ kind: 'task', module: 'command', listen: ['restart oms', 'web'] });
    expect(h2.listen).toEqual(['other']);
    expect(plays[0].tasks.map((t) => (t as Task).notify)).toEqual([['restart oms', 'web'], ['other']]);
  });
});

describe('errors', () => {
  it('reports every problem of the playbook and its task files together, sorted', async () => {
    const err = await load('- hosts: all\n  tasks:\n    - comand: ls\n    - debug: {msg: x}\n      whne: true\n    - import_tasks: t.yml\n', { 't.yml': '- shell: ls\n  becom: true\n' }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationErrors);
    const lines = (err as ValidationErrors).errors.map((e) => `${e.location?.line}:${e.location?.col} ${e.message}`);
    expect(lines).toEqual([
      '3:7 unknown module `comand` — did you mean `command`?',
      '5:7 unknown task keyword `whne` — did you mean `when`?',
      '2:3 unknown task keyword `becom` — did you mean `become`?',
    ]);
    expect((err as ValidationErrors).errors[2].location?.file).toMatch(/t\.yml$/);
  });
});
