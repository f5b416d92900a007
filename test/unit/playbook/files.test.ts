/**
 * renderThenLoad (lib/playbook/files.ts): the one way a file named by a playbook is found and read, at load
 * time (fixed names) and at run time (include_tasks and vars_files names rendered with a host's variables).
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatLocation, ValidationErrors } from '../../../lib/errors.js';
import { modules } from '../../../lib/modules/index.js';
import { type FileRef, includeTasksLoader, LoadSession, renderThenLoad, type TaskFileRef, type VarsFileRef } from '../../../lib/playbook/files.js';
import { loadPlaybook } from '../../../lib/playbook/load.js';
import type { Task } from '../../../lib/playbook/types.js';
import { readVarsFiles } from '../../../lib/playbook/vars-files.js';

async function tree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'omsplay-files-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

function ref<K extends FileRef['kind']>(kind: K, name: string, dir: string): FileRef & { kind: K } {
  return { kind, name, dir, at: { file: join(dir, 'site.yml'), line: 4, col: 22 }, owner: 'task "per region"' };
}

describe('renderThenLoad', () => {
  it('loads a fixed task file name relative to the file naming it, with where each task was written', async () => {
    const dir = await tree({ 'tasks/a.yml': '- name: one\n  command: ls\n- debug: {msg: hi}\n' });
    const session = new LoadSession(modules);
    const out = await renderThenLoad(ref('import_tasks', 'tasks/a.yml', dir) as TaskFileRef, {}, session);
    expect(out.file).toBe(join(dir, 'tasks/a.yml'));
    expect(out.tasks.map((t) => (t as Task).module)).toEqual(['command', 'debug']);
    expect(session.problems).toEqual([]);
    // The checks point at fields through these sources: the loader records them for every node it builds.
    expect(formatLocation(session.sources.get(out.tasks[1]!)!.yaml.locate([1, 'debug']))).toBe(`${join(dir, 'tasks/a.yml')}:3:10`);
  });

  it('renders a templated include_tasks name with the variables given, then loads that file', async () => {
    const dir = await tree({ 'tasks/hz.yml': '- debug: {msg: "hz {{ x }}"}\n', 'tasks/sh.yml': '- command: echo sh\n' });
    const session = new LoadSession(modules);
    const include = ref('include_tasks', 'tasks/{{ region }}.yml', dir) as TaskFileRef;
    const hz = await renderThenLoad(include, { region: 'hz' }, session);
    const sh = await renderThenLoad(include, { region: 'sh' }, session);
    expect(hz.file).toBe(join(dir, 'tasks/hz.yml'));
    expect((hz.tasks[0] as Task).args).toEqual({ msg: 'hz {{ x }}' });
    expect(sh.file).toBe(join(dir, 'tasks/sh.yml'));
    expect((sh.tasks[0] as Task).module).toBe('command');
  });

  it('renders a templated vars_files name, and names the rendered file when it is missing', async () => {
    const dir = await tree({ 'vars/hz.yml': 'port: 8088\n' });
    const session = new LoadSession(new Map());
    const vf = ref('vars_files', 'vars/{{ region }}.yml', dir) as VarsFileRef;
    expect((await renderThenLoad(vf, { region: 'hz' }, session)).values).toEqual({ port: 8088 });
    const err = await renderThenLoad(vf, { region: 'sh' }, session).catch((e) => e);
    expect(err.format()).toContain('site.yml:4:22');
    expect(err.message).toContain('vars file `vars/{{ region }}.yml` (vars/sh.yml)');
    expect(err.hint).toContain('relative to the playbook');
  });

  it('refuses a name that renders to nothing, at the name', async () => {
    const err = await renderThenLoad(ref('include_tasks', '{{ which }}', '/x') as TaskFileRef, { which: '' }, new LoadSession(modules)).catch((e) => e);
    expect(err.message).toBe('task file name `{{ which }}` renders to an empty string');
    expect(formatLocation(err.location)).toBe('/x/site.yml:4:22');
  });

  it('with a cache, loads each rendered file once and throws the problems inside it', async () => {
    const dir = await tree({ 'tasks/hz.yml': '- debug: {msg: a}\n', 'tasks/bad.yml': '- comand: ls\n- whne: x\n  debug: {}\n' });
    const include = ref('include_tasks', 'tasks/{{ region }}.yml', dir) as TaskFileRef;
    const cache = new Map();
    const a = await renderThenLoad(include, { region: 'hz' }, new LoadSession(modules), { cache });
    const b = await renderThenLoad(include, { region: 'hz' }, new LoadSession(modules), { cache });
    expect(b).toBe(a);
    const err = await renderThenLoad(include, { region: 'bad' }, new LoadSession(modules), { cache }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationErrors);
    expect(err.format()).toMatch(/unknown module `comand` — did you mean `command`\?[\s\S]*unknown task keyword `whne` — did you mean `when`\?/);
  });

  it('reports an include cycle at the name that closes it', async () => {
    const dir = await tree({ 'site.yml': '- hosts: all\n  tasks:\n    - import_tasks: a.yml\n', 'a.yml': '- import_tasks: b.yml\n', 'b.yml': '- import_tasks: a.yml\n' });
    const err = await loadPlaybook(join(dir, 'site.yml'), { modules }).catch((e) => e);
    expect(err.format()).toMatch(/b\.yml:1:17: .*include cycle: .*a\.yml → .*b\.yml → .*a\.yml/);
  });
});

describe('the engine side', () => {
  it('includeTasksLoader renders an include_tasks task with a host’s variables and loads the file once per run', async () => {
    const dir = await tree({ 'site.yml': '- hosts: all\n  tasks:\n    - name: per region\n      include_tasks: "tasks/{{ region }}.yml"\n', 'tasks/hz.yml': '- debug: {msg: hz}\n' });
    const { playbook } = await loadPlaybook(join(dir, 'site.yml'), { modules });
    const task = playbook.plays[0]!.tasks[0] as Task;
    const include = includeTasksLoader(modules);
    const first = await include(task, { region: 'hz' });
    expect(first.file).toBe(join(dir, 'tasks/hz.yml'));
    expect(await include(task, { region: 'hz' })).toBe(first);
    const err = await include(task, { region: 'sh' }).catch((e) => e);
    expect(err.message).toContain('task file `tasks/{{ region }}.yml` (tasks/sh.yml)');
    expect(formatLocation(err.location)).toBe(`${join(dir, 'site.yml')}:3:7`);
  });

  it('readVarsFiles renders templated vars_files names per host, later files winning', async () => {
    const dir = await tree({
      'site.yml': '- hosts: all\n  vars_files: [common.yml, "vars/{{ region }}.yml"]\n  tasks: []\n',
      'common.yml': 'port: 1\nname: c\n',
      'vars/hz.yml': 'port: 2\n',
    });
    const { playbook } = await loadPlaybook(join(dir, 'site.yml'), { modules });
    const play = playbook.plays[0]!;
    expect(formatLocation(play.varsFileLocations[1]!)).toBe(`${join(dir, 'site.yml')}:2:28`);
    expect(await readVarsFiles(play, { region: 'hz' })).toEqual({ port: 2, name: 'c' });
    const err = await readVarsFiles(play, { region: 'sh' }).catch((e) => e);
    expect(formatLocation(err.location)).toBe(`${join(dir, 'site.yml')}:2:28`);
  });
});
