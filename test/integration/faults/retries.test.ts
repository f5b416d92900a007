/**
 * Fault: a service that comes up late, and one that never does. Over SSH on a lab host: `wait_for`
 * on a port whose listener starts seconds after the run, and a command retried with `until` on a
 * file written late, both succeed; the same waits on something that never comes fail after their
 * timeout / retries, with the last output printed and journaled.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getLab } from '../../lab/context.js';
import { omsplay } from '../../support/omsplay.js';

const lab = getLab();
const env = { OMSPLAY_HOME: join(lab.dir, 'omsplay-home-faults') };
const PID_FILE = '/tmp/faults-late-listener.pid';

describe('retries / until and wait_for against a service that comes up late', () => {
  afterEach(async () => {
    // Only the listener this test started, by its pid.
    const pid = (await lab.exec('h1', ['cat', PID_FILE])).stdout.trim();
    if (/^\d+$/.test(pid)) await lab.exec('h1', ['kill', pid]);
    await lab.exec('h1', ['rm', '-f', PID_FILE, '/tmp/faults-ready', '/tmp/faults-go']);
  });

  it('late: both succeed after several attempts; never: both fail after their timeout with the last output shown', async () => {
    const inv = await lab.inventory({ hosts: ['h1'] });
    const book = join(lab.dir, 'faults-retries.yml');
    await writeFile(
      book,
      `- name: Late and never
  hosts: h1
  tasks:
    - name: Go
      command: [touch, /tmp/faults-go]
    - name: Port that opens late
      wait_for: {port: 17311, timeout: 30, sleep: 0.5}
    - name: File written late
      command: [cat, /tmp/faults-ready]
      register: ready
      until: (contains ready.stdout "ready")
      retries: 30
      delay: 0.5
    - name: Port that never opens
      wait_for: {port: 17312, timeout: 3, sleep: 0.5}
      ignore_errors: true
    - name: Service that never says ready
      shell: "echo still starting, attempt at $(date +%s%N)"
      register: never
      until: (contains never.stdout "ready")
      retries: 3
      delay: 0.5
      ignore_errors: true
`,
    );
    await lab.exec('h1', ['rm', '-f', '/tmp/faults-ready', '/tmp/faults-go', PID_FILE]);
    // Started in the host's namespace now: once the run says go, the listener (busybox nc) 2 s later, the file 2.5 s after that.
    await lab.sh(
      'h1',
      `setsid -f sh -c 'echo $$ > ${PID_FILE}; while [ ! -e /tmp/faults-go ]; do sleep 0.1; done; sleep 2; { sleep 2.5; echo ready > /tmp/faults-ready; } & exec busybox nc -ll -p 17311 -e true' </dev/null >/dev/null 2>&1`,
      { check: true, timeoutMs: 10_000 },
    );
    const t0 = performance.now();
    const r = await omsplay(['run', book, '-i', inv, '--plain'], { env });
    const elapsed = performance.now() - t0;
    expect(r.code, r.stdout + r.stderr).toBe(0);

    const journalFile = /journal: (\S+)/.exec(r.stdout)![1]!;
    const journal = (await readFile(journalFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const result = (task: string) => journal.find((e) => e.type === 'task_result' && e.task === task);

    // Late: succeeded, after more than one attempt, about 3 s after the start.
    const port = result('Port that opens late');
    expect(port.status).toBe('ok');
    expect(port.result.attempts).toBeGreaterThan(1);
    expect(port.result.elapsed_ms).toBeGreaterThan(1500);
    const file = result('File written late');
    expect(file.status).toBe('changed');
    expect(file.result.attempts).toBeGreaterThan(1);
    expect(file.result.stdout).toBe('ready');

    // Never: failed after the timeout (3 s), with the last output (bash's refusal) in the message.
    const never = result('Port that never opens');
    expect(never).toMatchObject({ status: 'failed', ignored: true });
    expect(never.result.elapsed_ms).toBeGreaterThanOrEqual(2500);
    expect(never.result.elapsed_ms).toBeLessThan(8000);
    expect(never.result.msg).toMatch(/^timed out after 3s waiting for port 127\.0\.0\.1:17312 to open; last output: .*Connection refused/);
    // Never: gave up after 1 + 3 retries; the last attempt's output is kept and printed.
    const gaveUp = result('Service that never says ready');
    expect(gaveUp).toMatchObject({ status: 'failed', ignored: true });
    expect(gaveUp.result.msg).toMatch(/gave up after 4 attempts: until condition never held/);
    expect(gaveUp.result.attempts).toBe(4);
    expect(gaveUp.result.stdout).toMatch(/^still starting, attempt at \d+$/);

    // What a person reads.
    expect(r.stdout).toMatch(/failed: \[h1\] .*\(ignored\) => timed out after 3s waiting for port 127\.0\.0\.1:17312 to open; last output: .*Connection refused/);
    expect(r.stdout).toContain(`gave up after 4 attempts: until condition never held | command: ${gaveUp.result.cmd} | stdout: ${gaveUp.result.stdout}`);
    expect(elapsed).toBeLessThan(30_000);
  });
});
