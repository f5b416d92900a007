/**
 * Fault: a host's sshd dies in the middle of a task (lab.kill: SIGKILL to the host's PID 1, its sshd;
 * the peer sees the TCP connection reset). The host ends unreachable with the reason printed and
 * journaled; under any_errors_fatal the play stops; the exit code is 3.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getSite } from '../../lab/oms/context.js';
import { writeSiteInventory } from '../../lab/oms/inventory.js';
import { haConfig, inspectContainer, resetSite, schemaVersion, waitHealthy } from '../../lab/oms/site.js';
import { omsplay } from '../../support/omsplay.js';
import { explain, metadbChecksums, remoteProcesses, sleep, startOmsplay } from './helpers.js';

const { lab, site } = getSite();
const env = { OMSPLAY_HOME: join(lab.dir, 'omsplay-home-faults') };

describe('sshd dies in the middle of a task', () => {
  afterAll(async () => {
    for (const h of ['h2', 'h3']) if (!(await lab.isUp(h))) await lab.restart(h);
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

  it('during the upgrade: the lost host is reported with manual steps, the others go back, the MetaDB is unchanged', async () => {
    await resetSite(lab, site);
    const inv = await writeSiteInventory(lab, site, { file: join(lab.dir, 'faults-sshd-dies-site.yml'), vars: { oms_health_timeout: 60 } });
    const before = await metadbChecksums(site);
    const haBefore = await haConfig(site);
    const live = startOmsplay(['run', 'upgrade.yml', '-i', inv, '--json'], { env });
    // The old containers are stopped and the dumps taken; h3 dies as the image is about to load (omsplay held
    // still meanwhile, so the next task meets the dead connection whatever the machine's load).
    await live.waitFor((e) => e.type === 'task_end' && e.task === 'Back up: done');
    process.kill(live.pid, 'SIGSTOP');
    try {
      expect(await lab.kill('h3')).toBe(true);
    } finally {
      process.kill(live.pid, 'SIGCONT');
    }
    const r = await live.done;
    expect(r.code, explain(r)).toBe(3);
    const h3 = r.events.filter((e) => e.type === 'task_result' && e.host === 'h3').map((e) => `${e.task}: ${e.status} ${JSON.stringify(e.result).slice(0, 300)}`);
    const lost = r.events.find((e) => e.type === 'task_result' && e.status === 'unreachable')!;
    expect(lost, h3.join('\n')).toMatchObject({ host: 'h3', task: 'Load image: docker load -i' });
    expect(lost.result.msg).toMatch(/connection to .* lost/);
    expect(r.events.find((e) => e.type === 'play_end' && e.failed)?.reason).toContain('any_errors_fatal');
    expect(r.events.some((e) => e.type === 'task_start' && e.task === 'Start new containers: docker run')).toBe(false);

    // h1 and h2 are back on the old version; the MetaDB as before (heartbeat tables aside); ha.config back as it was
    // but with HA left off: region sh (h3 alone) has no running OMS.
    for (const h of ['h1', 'h2']) {
      const old = await inspectContainer(lab, h, site.containers.old);
      expect(old?.State.Running, h).toBe(true);
      expect(old.HostConfig.RestartPolicy.Name).toBe(site.restartPolicy);
    }
    const cfg = (t: string) => t.endsWith('.oms_normal_config');
    const strip = (x: Record<string, number | null>) => Object.fromEntries(Object.entries(x).filter(([t]) => !cfg(t)));
    expect(strip(await metadbChecksums(site))).toEqual(strip(before));
    const version = await schemaVersion(site);
    expect([version.rm, version.cm]).toEqual([site.oldVersion, site.oldVersion]);
    const ha = await haConfig(site);
    for (const [k, v] of Object.entries(haBefore)) if (k !== 'refetchStoreIntervalMin' && k !== 'enable') expect(ha[k], `ha.config ${k}`).toEqual(v);
    expect(ha.enable).toBe(false);

    // h3: reported with the reason and the exact steps, which work once it is back.
    const manual = r.events.find((e) => e.type === 'task_result' && e.task === 'Rescue: manual steps for a host that was not put back')!;
    const items = manual.result.results as Array<{ lost: string; msg: string }>;
    expect(items.map((i) => i.lost)).toEqual(['h3']);
    expect(items[0]!.msg).toMatch(/^h3 was NOT put back: it could not be reached \(connection to .* lost/);
    const steps = [...items[0]!.msg.matchAll(/`sudo (docker [^`]+)`/g)].map((m) => m[1]!);
    expect(steps).toHaveLength(4);
    // The run lock could not be given back on the dead host: the run said so, and how to break it.
    const warning = r.events.find((e) => e.type === 'warning' && /lock "oms-upgrade" could not be released on h3/.test(e.message));
    expect(warning?.message).toContain(`omsplay unlock oms-upgrade -i ${inv}`);
    await lab.restart('h3');
    const unlock = await omsplay(['unlock', 'oms-upgrade', '-i', inv], { env });
    expect(unlock.code, unlock.stdout + unlock.stderr).toBe(0);
    expect(unlock.stdout).toMatch(/^h3: (removed \/var\/lock\/omsplay\/oms-upgrade, held by .*run |not locked)/m);
    for (const h of ['h1', 'h2']) expect(unlock.stdout).toContain(`${h}: not locked`);
    for (const step of steps.slice(0, 3)) await lab.sh('h3', step);
    await waitHealthy(lab, site, 'h3', site.containers.old);
    expect((await inspectContainer(lab, 'h3', site.containers.old)).HostConfig.RestartPolicy.Name).toBe(site.restartPolicy);
  });
});
