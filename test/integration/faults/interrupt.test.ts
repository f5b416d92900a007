/**
 * Fault: Ctrl-C (SIGINT to the omsplay process) during a run. The commands running on the hosts are
 * ended (no process left behind, checked with ps on each host), the journal is flushed (the recap and
 * run_end are on disk, meta.json has exit code 99), the exit code is 99, and the recap says where it
 * stopped and how to resume or roll back. On the upgrade, the printed rollback command really puts the
 * site back (MetaDB compared table by table).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getSite } from '../../lab/oms/context.js';
import { writeSiteInventory } from '../../lab/oms/inventory.js';
import { haConfig, inspectContainer, resetSite, schemaVersion } from '../../lab/oms/site.js';
import { omsplay } from '../../support/omsplay.js';
import { type LiveRun, explain, metadbChecksums, remoteProcesses, sleep, startOmsplay } from './helpers.js';

const { lab, site } = getSite();
const env = { OMSPLAY_HOME: join(lab.dir, 'omsplay-home-faults') };
const HOSTS = ['h1', 'h2', 'h3'];

async function waitRemote(host: string, needle: string, run: LiveRun): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await remoteProcesses(lab, host, needle)).length === 0) {
    if (Date.now() > deadline || run.child.exitCode !== null) throw new Error(`"${needle}" never started on ${host}: ${JSON.stringify(run.events.slice(-5))} ${run.child.exitCode} ${run.stderr()}`);
    await sleep(100);
  }
}

describe('Ctrl-C during a run', () => {
  it('ends the remote commands, flushes the journal, exits 99 and says where it stopped and how to resume or roll back', async () => {
    const inv = await lab.inventory({ hosts: HOSTS });
    const book = join(lab.dir, 'faults-interrupt.yml');
    await writeFile(
      book,
      `- name: Long work
  hosts: all
  any_errors_fatal: true
  vars:
    rollback_command: "omsplay run undo.yml -i {{ inventory_file }}"
  tasks:
    - name: Quick one
      command: "true"
    - name: Long command
      shell: "sleep 47.31; echo never"
    - name: Never reached
      command: [touch, /tmp/faults-never-reached]
  on_failure:
    - name: Must not run on Ctrl-C
      hosts: all
      tasks:
        - command: [touch, /tmp/faults-rescue-ran]
`,
    );
    for (const h of HOSTS) await lab.exec(h, ['rm', '-f', '/tmp/faults-never-reached', '/tmp/faults-rescue-ran']);
    const run = startOmsplay(['run', book, '-i', inv, '--json'], { env });
    for (const h of HOSTS) await waitRemote(h, 'sleep 47.31', run);
    const t0 = performance.now();
    process.kill(run.pid, 'SIGINT');
    const r = await run.done;
    const stopMs = performance.now() - t0;

    expect(r.code, r.stderr).toBe(99);
    expect(r.stderr).toContain('interrupted: ending the running commands');
    expect(stopMs).toBeLessThan(10_000);
    // Nothing left running on any host: the shell and its sleep were killed, not orphaned.
    for (const h of HOSTS) expect(await remoteProcesses(lab, h, 'sleep 47.31'), h).toEqual([]);
    // The play stopped there: no later task, no on_failure rescue for an interruption.
    for (const h of HOSTS) {
      expect((await lab.exec(h, ['test', '-e', '/tmp/faults-never-reached'])).code).toBe(1);
      expect((await lab.exec(h, ['test', '-e', '/tmp/faults-rescue-ran'])).code).toBe(1);
    }
    expect(r.events.some((e) => e.type === 'task_start' && e.task === 'Never reached')).toBe(false);
    expect(r.events.some((e) => e.type === 'on_failure')).toBe(false);
    // Each host's result says it was interrupted.
    const ended = r.events.filter((e) => e.type === 'task_result' && e.task === 'Long command');
    expect(ended.map((e) => e.host).sort()).toEqual(HOSTS);
    for (const e of ended) expect(e.result).toMatchObject({ failed: true, interrupted: true, msg: expect.stringMatching(/^interrupted \(Ctrl-C\)/) });

    // The recap: where it stopped, how to resume, how to roll back.
    const recap = r.events.find((e) => e.type === 'recap')!;
    expect(recap.stopped_at).toBe('Long command');
    expect(recap.resume_hint).toContain(`--start-at-task "Long command"`);
    expect(recap.resume_hint).toContain(`To roll back: omsplay run undo.yml -i ${inv}`);

    // The journal on disk has it all: flushed before exit.
    const end = r.events.find((e) => e.type === 'run_end')!;
    const journal = (await readFile(end.journal, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(journal.find((e) => e.type === 'recap')).toMatchObject({ stopped_at: 'Long command' });
    expect(journal.at(-1)).toMatchObject({ type: 'run_end', exit_code: 99 });
    const meta = JSON.parse(await readFile(join(dirname(end.journal), 'meta.json'), 'utf8'));
    expect(meta.exit_code).toBe(99);
    expect(meta.ended_at).toBeTruthy();
  });

  it('during the upgrade: stops without a rescue, and the rollback command it prints puts the site back', async () => {
    await resetSite(lab, site);
    const inv = await writeSiteInventory(lab, site, { file: join(lab.dir, 'faults-interrupt-site.yml'), vars: { oms_health_timeout: 60 } });
    const before = await metadbChecksums(site);
    const haBefore = await haConfig(site);
    const run = startOmsplay(['run', 'upgrade.yml', '-i', inv, '--json'], { env });
    // Strike once the dumps are taken, as the new image loads.
    await run.waitFor((e) => e.type === 'task_start' && e.task === 'Load image: docker load -i');
    process.kill(run.pid, 'SIGINT');
    const r = await run.done;
    expect(r.code, explain(r)).toBe(99);
    expect(r.events.some((e) => e.type === 'on_failure')).toBe(false);
    const recap = r.events.find((e) => e.type === 'recap')!;
    // Where it stopped: the task running when Ctrl-C came (the image load, or a step right after it on a fast machine).
    const lastStarted = r.events.filter((e) => e.type === 'task_start').at(-1)!.task;
    expect(recap.stopped_at).toBe(lastStarted);
    expect(r.events.some((e) => e.type === 'task_start' && e.task === 'docker_init.sh: once per region (shared config.yaml)')).toBe(false);
    const runId = r.events.find((e) => e.type === 'run_start')!.run_id;
    const rollback = `omsplay run rollback.yml -i ${inv} --from-run ${runId}`;
    expect(recap.resume_hint).toContain(`To roll back: ${rollback}`);
    // The upgrade cannot resume from a task (it says so through its resume_command): no --start-at-task offered.
    expect(recap.resume_hint).not.toContain('--start-at-task');
    for (const h of HOSTS) expect(await remoteProcesses(lab, h, 'docker load'), h).toEqual([]);

    // Half-way: the old containers are stopped. The printed command brings the site back.
    const back = await omsplay([...rollback.split(' ').slice(1), '--yes', '--json'], { env });
    expect(back.code, explain(back)).toBe(0);
    for (const h of HOSTS) {
      const old = await inspectContainer(lab, h, site.containers.old);
      expect(old.State.Running, h).toBe(true);
      expect(old.HostConfig.RestartPolicy.Name).toBe(site.restartPolicy);
    }
    const version = await schemaVersion(site);
    expect(version.rm).toBe(site.oldVersion);
    expect(version.cm).toBe(site.oldVersion);
    const after = await metadbChecksums(site);
    // ha.config's table is compared through its value (refetchStoreIntervalMin is recomputed on the way back).
    const cfg = (t: string) => t.endsWith('.oms_normal_config');
    expect(Object.fromEntries(Object.entries(after).filter(([t]) => !cfg(t)))).toEqual(Object.fromEntries(Object.entries(before).filter(([t]) => !cfg(t))));
    const ha = await haConfig(site);
    for (const [k, v] of Object.entries(haBefore)) if (k !== 'refetchStoreIntervalMin') expect(ha[k], `ha.config ${k}`).toEqual(v);
  });

  it('during the upgrade, before its backup: the printed rollback starts the old containers and puts HA back', async () => {
    await resetSite(lab, site);
    const inv = await writeSiteInventory(lab, site, { file: join(lab.dir, 'faults-interrupt-site.yml'), vars: { oms_health_timeout: 60 } });
    const before = await metadbChecksums(site);
    const haBefore = await haConfig(site);
    const run = startOmsplay(['run', 'upgrade.yml', '-i', inv, '--json'], { env });
    // HA is off, T1 recorded, the old containers are being stopped: no dump exists yet.
    await run.waitFor((e) => e.type === 'task_start' && e.task === 'Stop old containers: docker stop, restart policy no');
    process.kill(run.pid, 'SIGINT');
    const r = await run.done;
    expect(r.code, explain(r)).toBe(99);
    expect((await haConfig(site)).enable).toBe(false);
    const runId = r.events.find((e) => e.type === 'run_start')!.run_id;
    const rollback = `omsplay run rollback.yml -i ${inv} --from-run ${runId}`;
    expect(r.events.find((e) => e.type === 'recap')!.resume_hint).toContain(`To roll back: ${rollback}`);

    const back = await omsplay([...rollback.split(' ').slice(1), '--yes', '--json'], { env });
    expect(back.code, explain(back)).toBe(0);
    // Nothing to restore: the MetaDB was never changed; no database was dropped.
    const restores = back.events.filter((e) => e.type === 'task_result' && e.task === 'Rollback: restore each database');
    expect(restores.filter((e) => e.status !== 'skipped')).toEqual([]);
    for (const h of HOSTS) {
      const old = await inspectContainer(lab, h, site.containers.old);
      expect(old.State.Running, h).toBe(true);
      expect(old.HostConfig.RestartPolicy.Name).toBe(site.restartPolicy);
    }
    const cfg = (t: string) => t.endsWith('.oms_normal_config');
    const strip = (x: Record<string, number | null>) => Object.fromEntries(Object.entries(x).filter(([t]) => !cfg(t)));
    expect(strip(await metadbChecksums(site))).toEqual(strip(before));
    const ha = await haConfig(site);
    for (const [k, v] of Object.entries(haBefore)) if (k !== 'refetchStoreIntervalMin') expect(ha[k], `ha.config ${k}`).toEqual(v);
  });
});
