/**
 * On a terminal, a run shows the listr2 tree (play > task > hosts with status marks and timings) and the recap,
 * and under each host what the plain output says of it: ok messages (a final report), --diff hunks, -v results,
 * a failure's command and last stderr lines, and why a play stopped.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { inTerminal as run } from '../../support/terminal.js';

let dir: string;

const inTerminal = (args: string[]) => run(args, { home: join(dir, 'state') });

async function playbook(name: string, text: string): Promise<string> {
  await writeFile(join(dir, name), text);
  return join(dir, name);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omsplay-tty-'));
  await writeFile(join(dir, 'inv.yml'), 'connection: {connection: local}\nregions: {hz: {hosts: {a: {}, b: {}}}}\n');
});

describe('terminal display', { timeout: 120_000 }, () => {
  it('renders the listr2 tree in a pseudo-terminal', async () => {
    const pb = await playbook(
      'pb.yml',
      '- name: Terminal demo\n  hosts: all\n  tasks:\n    - name: say hello\n      command: [echo, hello]\n    - name: only a\n      debug: {msg: x}\n      when: (eq inventory_hostname "a")\n',
    );
    const r = inTerminal(['run', pb, '-i', join(dir, 'inv.yml')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.screen).toMatch(/PLAY Terminal demo/);
    expect(r.screen).toMatch(/✔ TASK say hello/);
    expect(r.screen).toMatch(/✔ a changed \d+ ms/);
    expect(r.screen).toMatch(/↓ b skipped/);
    expect(r.screen).toMatch(/RECAP[\s\S]*a\s+: ok=2\s+changed=1/);
  });

  it('shows an ok result with a message (a final report), --diff hunks, a failure with its command and last stderr lines, and why the play stopped', async () => {
    await writeFile(join(dir, 'a.conf'), 'a\nb\n}\n');
    const pb = await playbook(
      'report.yml',
      `- name: Upgrade-like
  hosts: all
  any_errors_fatal: true
  tasks:
    - name: "Report: what is left to do"
      run_once: true
      debug:
        msg: >-
          OMS is now 4.0.0 on a, b.
          Clear the browser cache before you log on to the OMS console.
          To roll back: omsplay run rollback.yml -i inv.yml --from-run {{ run_id }}
    - name: write the config
      copy: {content: "b\\na\\n}\\n}\\n", dest: "${dir}/a.conf"}
      when: (eq inventory_hostname "a")
    - name: fail on b
      shell: "for l in first-line l2 l3 l4 l5 l6 seventh-line; do echo $l >&2; done; exit 3"
      when: (eq inventory_hostname "b")
    - name: never reached
      debug: {msg: never}
`,
    );
    const r = inTerminal(['run', pb, '-i', join(dir, 'inv.yml'), '--diff']);
    expect(r.status, r.stderr).toBe(2);
    // The ok result's message, whole, under its row (listr2 wraps it to the terminal's width).
    const report = r.screen.slice(r.screen.lastIndexOf('✔ TASK Report: what is left to do'));
    expect(report.replace(/\s+/g, ' ')).toMatch(/✔ a ok \d+ ms › OMS is now 4\.0\.0 on a, b\. Clear the browser cache before you log on to the OMS console\. To roll back: omsplay run rollback\.yml -i inv\.yml --from-run \d{8}T\d{6}Z-\w+/);
    // The diff as unified hunks with context.
    const write = r.screen.slice(r.screen.lastIndexOf('✔ TASK write the config'));
    expect(write).toMatch(/✔ a changed \d+ ms\n\s+› changed content of \S+a\.conf\n\s+--- before: \S+a\.conf\n\s+\+\+\+ after: \S+a\.conf\n\s+@@ -1,3 \+1,4 @@\n\s+-a\n\s+ b\n\s+\+a\n\s+ }\n\s+\+}\n/);
    // The failure: the command and the last five lines of stderr, not the first.
    const fail = r.screen.slice(r.screen.lastIndexOf('TASK fail on b'));
    expect(fail).toMatch(/✖ b failed \d+ ms\n\s+› non-zero return code 3\n\s+rc=3\n\s+command: for l in first-line .* exit 3\n\s+stderr: …\n\s+l3\n\s+l4\n\s+l5\n\s+l6\n\s+seventh-line\n/);
    expect(fail).not.toContain('first-line\n');
    expect(r.screen).toContain('✖ play Upgrade-like stopped: task "fail on b" failed on b (any_errors_fatal)');
    expect(r.screen).not.toMatch(/TASK never reached/);
  });

  it("a module's failed command (mysqldump) shows the command it ran and its exit code", async () => {
    const pb = await playbook(
      'dump.yml',
      `- name: Dump
  hosts: a
  tasks:
    - name: dump rm
      mysql.dump: {login_host: 127.0.0.1, login_port: 1, login_user: oms, login_password: "pw-canary-778", databases: [rm], dest: "${dir}/rm.sql"}
`,
    );
    const r = inTerminal(['run', pb, '-i', join(dir, 'inv.yml')]);
    expect(r.status, r.stderr).toBe(2);
    // Long lines are wrapped to the terminal's width: compare with whitespace folded.
    const fail = r.screen.slice(r.screen.lastIndexOf('TASK dump rm')).replace(/\s+/g, ' ');
    expect(fail).toMatch(/✖ a failed \d+ ms › command failed: mysqldump of rm failed \(exit 2\): .*Can't connect .* rc=2 command: sh -c .* --host=127\.0\.0\.1 --port=1 --user=oms /);
    expect(r.screen).not.toContain('pw-canary-778');
  });

  it('a loop shows one line per item under its host (label, failure text); -vv the task file:line; -vvv each command', async () => {
    const pb = await playbook(
      'loop.yml',
      `- name: Loops
  hosts: a
  tasks:
    - name: each
      shell: "echo bad {{ item.n }} >&2; test {{ item.n }} != two"
      loop: [{n: one, x: 1}, {n: two, x: 2}]
      loop_control: {label: "{{ item.n }}"}
      ignore_errors: true
`,
    );
    const plain = inTerminal(['run', pb, '-i', join(dir, 'inv.yml')]);
    expect(plain.status, plain.stderr).toBe(0);
    const each = plain.screen.slice(plain.screen.lastIndexOf('TASK each'));
    expect(each).toMatch(
      /✖ a failed \d+ ms \(ignored\)\n\s+› changed \(item=one\)\n\s+failed \(item=two\) \(ignored\) => non-zero return code 1\n\s+rc=1\n\s+command: echo bad two >&2; test two != two\n\s+stderr: bad two\n\s+1 of 2 items failed — two: non-zero return code 1\n/,
    );
    const traced = inTerminal(['run', pb, '-i', join(dir, 'inv.yml'), '-vvv']);
    expect(traced.status, traced.stderr).toBe(0);
    expect(traced.screen).toContain(`TASK each (${pb}:4:7)`);
    expect(traced.screen).toMatch(/<a> connecting: local \(the control node\)/);
    expect(traced.screen).toMatch(/<a> EXEC: sh -c "echo bad one >&2; test one != two"\n\s+changed \(item=one\) => {\n\s+"changed": true,/);
  });

  it('-v shows every result in full; max_fail_percentage says why the play stopped', async () => {
    const pb = await playbook(
      'verbose.yml',
      `- name: Batches
  hosts: all
  max_fail_percentage: 0
  tasks:
    - name: look
      debug: {msg: "hello {{ inventory_hostname }}"}
    - name: fail on b
      fail: {msg: "b is not ready"}
      when: (eq inventory_hostname "b")
`,
    );
    const r = inTerminal(['run', pb, '-i', join(dir, 'inv.yml'), '-v']);
    expect(r.status, r.stderr).toBe(2);
    const look = r.screen.slice(r.screen.lastIndexOf('✔ TASK look'));
    expect(look).toMatch(/✔ a ok \d+ ms\n\s+› {\n\s+"changed": false,\n\s+"msg": "hello a"\n\s+}\n/);
    expect(r.screen).toMatch(/✖ b failed \d+ ms\n\s+› {\n\s+"changed": false,\n\s+"failed": true,\n\s+"msg": "b is not ready"/);
    expect(r.screen).toContain('✖ play Batches stopped: 1 of 2 hosts failed, above max_fail_percentage 0');
  });

  it('a loop shows one line per item under the host, with loop_control.label', async () => {
    const pb = await playbook(
      'loop.yml',
      `- name: Loops
  hosts: a
  tasks:
    - name: per service
      shell: "test {{ svc.port }} -lt 9000"
      loop: [{name: store, port: 8080}, {name: ghana, port: 9090}]
      loop_control: {loop_var: svc, label: "{{ svc.name }}"}
      ignore_errors: true
`,
    );
    const r = inTerminal(['run', pb, '-i', join(dir, 'inv.yml')]);
    expect(r.status, r.stderr).toBe(0);
    const loop = r.screen.slice(r.screen.lastIndexOf('TASK per service'));
    expect(loop).toMatch(/✖ a failed \d+ ms \(ignored\)\n\s+› changed \(item=store\)\n\s+failed \(item=ghana\) \(ignored\) => non-zero return code 1\n\s+rc=1\n\s+command: test 9090 -lt 9000\n\s+1 of 2 items failed — ghana: non-zero return code 1/);
    expect(r.screen).toMatch(/RECAP[\s\S]*a\s+: ok=0\s+changed=0\s+unreachable=0\s+failed=0\s+skipped=0\s+rescued=0\s+ignored=1/);
  });
});
