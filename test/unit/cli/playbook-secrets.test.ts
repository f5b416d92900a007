/**
 * Secrets a playbook defines are masked like inventory ones: one canary per definition site (play vars,
 * vars_files, block vars, task vars, a computed play var, set_fact, `!secret` on a play var, a task var and a
 * task argument, a result registered under a secret-looking name), looked for in every output channel (plain,
 * plain -v, --json, the terminal view in a pseudo-terminal, stderr, a failed command's stderr, a failed
 * assert's message, --diff, an error that ends the run) and in every file the runs left in the state dir.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { filesUnder } from '../../integration/security/helpers.js';
import { type CliResult, omsplay } from '../../support/omsplay.js';
import { inTerminal } from '../../support/terminal.js';

const CANARY = /CANARY/;
let dir: string;
let home: string;

const PLAYBOOK = (out: string) => `- name: Secrets everywhere
  hosts: all
  vars_files: [secret-vars.yml]
  vars:
    api_token: "CANARY-play-1a2"
    plain_name: !secret "CANARY-tagplay-3c4"
    computed_secret: "CANARY-comp-{{ inventory_hostname }}"
  tasks:
    - name: scoped vars
      vars: {block_passwd: "CANARY-block-{{ inventory_hostname }}"}
      block:
        - name: show every var
          vars: {task_credential: "CANARY-task-{{ inventory_hostname }}", other_name: !secret "CANARY-tagtask-b1c"}
          debug:
            msg: "play={{ api_token }} tagged={{ plain_name }} comp={{ computed_secret }} vf={{ vf_password }} block={{ block_passwd }} task={{ task_credential }} tagged_task={{ other_name }}"
    - name: set a fact
      set_fact: {fact_secret: "CANARY-fact-{{ inventory_hostname }}"}
      record: true
    - name: show the fact
      debug: {msg: "fact={{ fact_secret }}"}
    - name: a loop variable with a secret name
      debug: {msg: "item={{ loop_secret }}"}
      loop: ["CANARY-loop-{{ inventory_hostname }}"]
      loop_control: {loop_var: loop_secret}
    - name: tagged argument
      debug: {msg: !secret "CANARY-tagarg-f3a"}
    - name: registered under a secret name
      command: [echo, "CANARY-reg-{{ inventory_hostname }}"]
      register: reg_token
    - name: show registered
      debug: {var: reg_token.stdout}
    - name: show a play secret by name
      debug: {var: api_token}
    - name: failing command prints secrets on stderr
      shell: "echo 'leaked {{ api_token }} {{ fact_secret }}' >&2; exit 3"
      ignore_errors: true
    - name: failing assert quotes a secret
      assert: {that: ['(eq api_token "x")'], fail_msg: "token was {{ api_token }}"}
      ignore_errors: true
    - name: a question quoting a secret
      pause: {prompt: "Go on with {{ api_token }}?"}
      ignore_errors: true
    - name: a file holding a secret
      copy: {content: "token={{ api_token }}\\n", dest: "${out}/{{ inventory_hostname }}-{{ ansible_run_nr }}.conf"}
    - name: a missing task file named with a secret
      include_tasks: "missing-{{ api_token }}.yml"
`;

function leaks(text: string): string[] {
  return text.split('\n').filter((l) => CANARY.test(l));
}

function expectMasked(r: CliResult | { stdout: string; stderr: string }, label: string): string {
  const all = `${r.stdout}\n${r.stderr}`;
  expect(leaks(all), `${label} shows a canary`).toEqual([]);
  return all;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omsplay-pbsecrets-'));
  home = join(dir, 'state');
  await writeFile(join(dir, 'inv.yml'), 'connection: {connection: local}\nregions: {hz: {hosts: {a: {}}}}\n');
  await writeFile(join(dir, 'secret-vars.yml'), 'vf_password: "CANARY-vfile-5e1"\n');
});

describe('secrets defined in a playbook', () => {
  it('are masked in plain, -v, --json, the terminal view, error messages, failed commands, --diff and every journal file', async () => {
    const runs: Record<string, CliResult | { stdout: string; stderr: string }> = {};
    let nr = 0;
    const pb = async () => {
      const file = join(dir, `pb-${++nr}.yml`);
      await writeFile(file, PLAYBOOK(dir).replace('{{ ansible_run_nr }}', String(nr)));
      return file;
    };
    const env = { OMSPLAY_HOME: home };
    runs.plain = await omsplay(['run', await pb(), '-i', join(dir, 'inv.yml'), '--plain', '--diff'], { env });
    runs.verbose = await omsplay(['run', await pb(), '-i', join(dir, 'inv.yml'), '--plain', '-v', '--diff'], { env });
    runs.json = await omsplay(['run', await pb(), '-i', join(dir, 'inv.yml'), '--json', '--diff'], { env });
    // At the terminal the question is asked (and answered yes); elsewhere the task fails saying what it needed.
    const tty = inTerminal(['run', await pb(), '-i', join(dir, 'inv.yml'), '-v', '--diff'], { home, input: 'y\n', cols: 160 });
    runs.terminal = { stdout: tty.screen, stderr: tty.stderr };
    runs.runs = await omsplay(['runs', '--json'], { env });

    const plain = expectMasked(runs.plain, 'plain output');
    const verbose = expectMasked(runs.verbose, 'plain -v output');
    // The masked form is where the values were: the test fails if a message were merely missing.
    expect(plain).toContain('play=******** tagged=******** comp=******** vf=******** block=******** task=******** tagged_task=********');
    expect(plain).toContain('fact=********');
    expect(verbose).toContain('"msg":"item=********"');
    expect(plain).toMatch(/ok: \[a\] .* => \*{8}\n/); // the tagged argument
    expect(plain).toContain('reg_token.stdout: ********');
    expect(plain).toContain('api_token: ********');
    expect(plain).toContain('leaked ******** ********');
    expect(plain).toContain('token was ********');
    expect(plain).toContain('+token=********');
    expect(plain).toContain('confirmation needed: Go on with ********?');
    expect(plain).toContain('missing-********.yml');

    expect(verbose).toContain('"fact_secret":"********"');
    expect(verbose).toContain('"stdout":"********"');
    expect(verbose).toContain('"value":"********"');

    const json = expectMasked(runs.json, '--json output');
    const events = (runs.json as CliResult).events;
    const fact = events.find((e) => e.type === 'task_result' && e.task === 'set a fact');
    expect(fact?.result.facts).toEqual({ fact_secret: '********' });
    expect(json).toContain('missing-********.yml');

    const terminal = expectMasked(runs.terminal, 'terminal view');
    expect(terminal).toContain('play=******** tagged=********');
    expect(terminal).toContain('leaked ******** ********');
    expect(terminal).toContain('+token=********');
    expect(terminal).toContain('Go on with ********? [y/N]');
    expect(terminal).toMatch(/"confirmed": true/);
    expect(terminal).toContain('missing-********.yml');
    expectMasked(runs.runs, 'omsplay runs --json');

    const files = await filesUnder(home);
    expect(files.filter((f) => f.path.endsWith('journal.jsonl'))).toHaveLength(4);
    for (const f of files) expect(leaks(f.text), f.path).toEqual([]);
    const journal = files.filter((f) => f.path.endsWith('journal.jsonl')).map((f) => f.text).join('\n');
    expect(journal).toContain('play=******** tagged=********');
    expect(journal).toContain('{"type":"record","host":"a","name":"fact_secret","value":"********"}');
  }, 240_000);

  it('are masked in errors of the checks made before a run (a templated vars_files name), by run and validate', async () => {
    const file = join(dir, 'vf.yml');
    await writeFile(file, '- name: vf\n  hosts: all\n  vars: {api_token: "CANARY-vf-77"}\n  vars_files: ["missing-{{ api_token }}.yml"]\n  tasks:\n    - debug: {msg: hi}\n');
    for (const command of ['run', 'validate']) {
      const r = await omsplay([command, file, '-i', join(dir, 'inv.yml')], { env: { OMSPLAY_HOME: home } });
      expect(r.code, command).toBe(4);
      expect(expectMasked(r, command)).toContain('vars file `missing-{{ api_token }}.yml` (missing-********.yml) does not exist');
    }
  }, 60_000);
});
