/**
 * On a terminal, a run shows the listr2 tree (play > task > hosts with status marks and timings) and the recap,
 * and under each host what the plain output says of it: ok messages (a final report), --diff hunks, -v results,
 * a failure's command and last stderr lines, and why a play stopped.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { quoteArgv } from '../../../lib/connection/quote.js';

let dir: string;

/** Runs omsplay in a real pseudo-terminal (script(1)), as an operator's shell would; returns the screen text. */
function inTerminal(args: string[]): { status: number | null; screen: string; stderr: string } {
  const cmd = quoteArgv([process.execPath, '--import', 'tsx', join(import.meta.dirname, '..', '..', 'support', 'cli-entry.ts'), ...args]);
  const r = spawnSync('script', ['-qec', `stty cols 120 rows 40; ${cmd}`, '/dev/null'], { encoding: 'utf8', env: { ...process.env, CI: '', OMSPLAY_HOME: join(dir, 'state'), TERM: 'xterm' }, timeout: 60_000 });
  return { status: r.status, screen: stripVTControlCharacters(r.stdout).replace(/\r/g, ''), stderr: r.stderr };
}

async function playbook(name: string, text: string): Promise<string> {
  await writeFile(join(dir, name), text);
  return join(dir, name);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omsplay-tty-'));
  await writeFile(join(dir, 'inv.yml'), 'connection: {connection: local}\nregions: {hz: {hosts: {a: {}, b: {}}}}\n');
});

describe('terminal display', () => {
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
});
