/**
 * Fault: a host's sshd dies in the middle of a task (lab.kill: SIGKILL to the host's PID 1, its sshd;
 * the peer sees the TCP connection reset). The host ends unreachable with the reason printed and
 * journaled; under any_errors_fatal the play stops; the exit code is 3.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getLab } from '../../lab/context.js';
import { omsplay } from '../../support/omsplay.js';
import { remoteProcesses, sleep } from './helpers.js';

const lab = getLab();
const env = { OMSPLAY_HOME: join(lab.dir, 'omsplay-home-faults') };

describe('sshd dies in the middle of a task', () => {
  afterAll(async () => {
    if (!(await lab.isUp('h2'))) await lab.restart('h2');
  });

  it('the host ends unreachable with the reason printed and journaled; any_errors_fatal stops the play; exit 3', async () => {
    const inv = await lab.inventory({ hosts: ['h1', 'h2', 'h3'] });
    const book = join(lab.dir, 'faults-sshd-dies.yml');
    await writeFile(
      book,
      `- name: Long work
  hosts: all
  any_errors_fatal: true
  tasks:
    - name: Long command
      command: [sleep, "6.137"]
    - name: Never reached
      command: [touch, /tmp/faults-never-reached]
`,
    );
    for (const h of ['h1', 'h3']) await lab.exec(h, ['rm', '-f', '/tmp/faults-never-reached']);
    const started = performance.now();
    const run = omsplay(['run', book, '-i', inv, '--plain'], { env });
    // Strike while the command runs on h2.
    const deadline = Date.now() + 30_000;
    while ((await remoteProcesses(lab, 'h2', 'sleep 6.137')).length === 0) {
      if (Date.now() > deadline) throw new Error('the command never started on h2');
      await sleep(100);
    }
    expect(await lab.kill('h2')).toBe(true);
    const r = await run;
    const elapsed = performance.now() - started;

    expect(r.code, r.stdout + r.stderr).toBe(3);
    // The reason, printed: the connection to h2 was lost.
    expect(r.stdout).toMatch(/unreachable: \[h2\] .*connection to root@10\.77\.\d+\.11:\d+ lost \(closed by the host/);
    expect(r.stdout).toMatch(/play \[Long work\] stopped: task "Long command" failed on h2 \(any_errors_fatal\)/);
    // The others finished the task; the play stopped before the next one.
    expect(r.stdout).toMatch(/changed: \[h1\]/);
    expect(r.stdout).toMatch(/changed: \[h3\]/);
    expect(r.stdout).not.toContain('TASK [Never reached]');
    for (const h of ['h1', 'h3']) expect((await lab.exec(h, ['test', '-e', '/tmp/faults-never-reached'])).code).toBe(1);
    // Never a hang: the lost connection is noticed at once, not after keep-alive timeouts.
    expect(elapsed).toBeLessThan(30_000);

    // The journal records it.
    const journalFile = /journal: (\S+)/.exec(r.stdout)![1]!;
    const journal = (await readFile(journalFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const lost = journal.find((e) => e.type === 'task_result' && e.host === 'h2');
    expect(lost).toMatchObject({ task: 'Long command', status: 'unreachable', result: { unreachable: true } });
    expect(lost.result.msg).toMatch(/connection to .* lost/);
    expect(journal.find((e) => e.type === 'play_end')).toMatchObject({ failed: true, reason: expect.stringContaining('any_errors_fatal') });
    expect(journal.find((e) => e.type === 'recap').hosts.h2).toMatchObject({ unreachable: 1 });
    expect(journal.at(-1)).toMatchObject({ type: 'run_end', exit_code: 3 });
  });
});
