/** vars_files with templated names: one loader renders and reads them, before the run (validation) and in it (per host). */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runYaml, workdir } from './harness.js';

describe('vars_files with a templated name', () => {
  it('renders the name with -e and reads the file', async () => {
    const r = await runYaml({
      extraVars: ['x=a'],
      files: { 'v-a.yml': 'greeting: from-a\n' },
      playbook: '- hosts: a\n  vars_files: ["v-{{ x }}.yml"]\n  tasks:\n    - name: show\n      debug: {msg: "{{ greeting }}"}\n',
    });
    expect(r.exitCode).toBe(0);
    expect(r.collect.results('show')[0]!.result.msg).toBe('from-a');
  });

  it('renders the name per host (a region file each)', async () => {
    const r = await runYaml({
      files: { 'vars/hz.yml': 'dc: hangzhou\n', 'vars/sh.yml': 'dc: shanghai\n' },
      playbook: '- hosts: all\n  vars_files: ["vars/{{ region }}.yml"]\n  tasks:\n    - name: show\n      debug: {msg: "{{ dc }}"}\n',
    });
    expect(Object.fromEntries(r.collect.results('show').map((e) => [e.host, e.result.msg]))).toEqual({ a: 'hangzhou', b: 'hangzhou', c: 'shanghai' });
  });

  it('a missing file is a validation error at the entry, before any run starts or is journaled', async () => {
    const dir = await workdir();
    const err = await runYaml({
      dir,
      extraVars: ['x=b'],
      files: { 'v-a.yml': 'greeting: from-a\n' },
      playbook: '- hosts: a\n  vars_files: ["v-{{ x }}.yml"]\n  tasks:\n    - debug: {msg: "{{ greeting }}"}\n',
    }).catch((e) => e);
    expect(err.format(), err.format()).toMatch(/play\.yml:2:16: config error: vars file `v-\{\{ x \}\}\.yml` \(v-b\.yml\) does not exist/);
    expect(err.exitCode).toBe(4);
    const runs = await readdir(join(dir, 'state', 'runs')).catch(() => []);
    expect(runs).toEqual([]);
  });

  it('the names the files define take part in the undefined-variable check', async () => {
    const err = await runYaml({
      extraVars: ['x=a'],
      files: { 'v-a.yml': 'greeting: from-a\n' },
      playbook: '- hosts: a\n  vars_files: ["v-{{ x }}.yml"]\n  tasks:\n    - debug: {msg: "{{ greting }}"}\n',
    }).catch((e) => e);
    expect(err.format()).toMatch(/undefined variable `greting` .*did you mean `greeting`/);
  });
});
