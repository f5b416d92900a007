/**
 * Family D end to end: `omsplay run upgrade.yml` 4.2.11 → 4.2.12 on a 3-host, 2-region simulated site: the image
 * loaded before the backup, no docker exec / docker_init.sh (the containers migrate the MetaDB as they start), verify
 * waits for `OMS service start successfully` and the servers; rollback.yml back to the MetaDB of backup time. And a
 * migration failing on start on one host: the rescue restores the MetaDB from the run's dumps.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { getSite } from '../../lab/oms/context.js';
import { REPOSITORY_420 } from '../../lab/oms/image.js';
import { checksumTables, deploySite, haConfig, inspectContainer, lastLogLine, resetSite, schemaVersion } from '../../lab/oms/site.js';
import type { Site } from '../../lab/oms/types.js';
import type { CliResult } from '../../support/omsplay.js';
import { explain, metadbState, runOnSite } from './site-run.js';

const { lab, site: defaultSite } = getSite();

afterAll(() => resetSite(lab, defaultSite));

function run(site: Site, playbook: string, ...args: string[]): Promise<CliResult> {
  return runOnSite(lab, site, { playbook, inventoryName: 'upgrade-family-d.yml', home: 'omsplay-home-family-d', args });
}

async function onOldVersion(site: Site, before: Record<string, number | null>, haBefore: Record<string, unknown>): Promise<void> {
  for (const h of site.hosts) {
    expect((await inspectContainer(lab, h.name, site.containers.old))?.State.Running, `${site.containers.old} runs on ${h.name}`).toBe(true);
    expect((await inspectContainer(lab, h.name, site.containers.new))?.State?.Running ?? false).toBe(false);
  }
  expect(await schemaVersion(site)).toEqual({ rm: '4.2.11', cm: '4.2.11', heartbeat: { hz: '4.2.11', sh: '4.2.11' } });
  expect(await metadbState(site)).toEqual(before);
  const ha = await haConfig(site);
  for (const [k, v] of Object.entries(haBefore)) if (k !== 'refetchStoreIntervalMin') expect(ha[k], `ha.config ${k}`).toEqual(v);
}

/** Tasks that ran (not skipped) on some host, in order of their first result. */
function ran(r: CliResult): string[] {
  const names = r.events.filter((e) => e.type === 'task_result' && e.status !== 'skipped').map((e) => String(e.task));
  return [...new Set(names)];
}

describe('family D: 4.2.11 → 4.2.12 on 3 hosts in 2 regions', () => {
  it('loads the image before the backup, runs no docker_init.sh, waits for the containers to migrate; rollback restores the MetaDB', async () => {
    const site = await deploySite(lab, { oldVersion: '4.2.11', newVersion: '4.2.12' });
    const before = await metadbState(site);
    const haBefore = await haConfig(site);

    const up = await run(site, 'upgrade.yml');
    expect(up.code, explain(up)).toBe(0);
    const tasks = ran(up);
    expect(tasks.indexOf('Load image: docker load -i')).toBeGreaterThan(-1);
    expect(tasks.indexOf('Load image: docker load -i')).toBeLessThan(tasks.indexOf('Back up: mysqldump --triggers=false each database'));
    expect(tasks.filter((t) => t.startsWith('docker_init.sh'))).toEqual([]);
    expect(tasks).toContain('Start new containers (D): docker run, the container migrates the MetaDB itself');
    expect(await schemaVersion(site)).toEqual({ rm: '4.2.12', cm: '4.2.12', heartbeat: { hz: '4.2.12', sh: '4.2.12' } });
    for (const h of site.hosts) {
      const fresh = await inspectContainer(lab, h.name, site.containers.new);
      expect(fresh.State.Running).toBe(true);
      expect(fresh.Config.Image).toBe(`${REPOSITORY_420}:feature_4.2.12-ce`);
      expect(await lastLogLine(lab, h.name, site.containers.new)).toBe('OMS service start successfully');
    }
    expect((await haConfig(site)).enable).toBe(true);

    const back = await run(site, 'rollback.yml', '--from-run', 'last', '--yes');
    expect(back.code, explain(back)).toBe(0);
    await onOldVersion(site, before, haBefore);
  });

  it('a migration failing on start on one host: the rescue restores the MetaDB from the dumps', async () => {
    const site = await deploySite(lab, { oldVersion: '4.2.11', newVersion: '4.2.12' });
    const before = await metadbState(site);
    const haBefore = await haConfig(site);
    await lab.exec('h3', ['sh', '-c', `echo cm_hb > ${site.paths.failDockerInitMarker}`], { check: true });
    const up = await run(site, 'upgrade.yml');
    expect(up.code).toBe(2);
    expect(up.events.some((e) => e.type === 'on_failure')).toBe(true);
    const restored = up.events.filter((e) => e.type === 'task_result' && e.task === 'Rollback: restore each database');
    expect(restored.map((e) => e.status)).toEqual(['changed']);
    await lab.exec('h3', ['rm', '-f', site.paths.failDockerInitMarker], { check: true });
    await onOldVersion(site, before, haBefore);
  });

  it('on a single node: HA untouched from start to end (no disable, no enable, no T2), upgrade and rollback', async () => {
    const site = await deploySite(lab, { oldVersion: '4.2.11', newVersion: '4.2.12', regions: [{ name: 'hz', location: 1, hosts: ['h1'] }] });
    const paramsTable = `${site.databases.rm}.oms_normal_config`;
    const haBefore = await haConfig(site);
    expect(haBefore.enable).toBe(true);
    const paramsBefore = (await checksumTables(site))[paramsTable];
    const before = await metadbState(site);

    const up = await run(site, 'upgrade.yml');
    expect(up.code, explain(up)).toBe(0);
    const tasks = ran(up);
    expect(tasks.filter((t) => /HA/.test(t))).toEqual(['HA untouched (single-node C or D): nothing to disable', 'HA untouched (single-node C or D): upgrade finished']);
    expect(await haConfig(site)).toEqual(haBefore);
    expect((await checksumTables(site))[paramsTable]).toBe(paramsBefore);
    expect(await schemaVersion(site)).toEqual({ rm: '4.2.12', cm: '4.2.12', heartbeat: { hz: '4.2.12' } });

    const back = await run(site, 'rollback.yml', '--from-run', 'last', '--yes');
    expect(back.code, explain(back)).toBe(0);
    expect(ran(back).filter((t) => /HA|ha\.config/.test(t))).toEqual([]);
    expect(await haConfig(site)).toEqual(haBefore);
    expect((await checksumTables(site))[paramsTable]).toBe(paramsBefore);
    expect(await metadbState(site)).toEqual(before);
    expect(await schemaVersion(site)).toEqual({ rm: '4.2.11', cm: '4.2.11', heartbeat: { hz: '4.2.11' } });
  });
  it('on a single node, a run that fails after the migration started (left as it is) is the one `rollback.yml --from-run last` rolls back, HA untouched', async () => {
    const site = await deploySite(lab, { oldVersion: '4.2.11', newVersion: '4.2.12', regions: [{ name: 'hz', location: 1, hosts: ['h1'] }] });
    const paramsTable = `${site.databases.rm}.oms_normal_config`;
    const haBefore = await haConfig(site);
    const paramsBefore = (await checksumTables(site))[paramsTable];
    const before = await metadbState(site);
    await lab.exec('h1', ['sh', '-c', `echo cm_hb > ${site.paths.failDockerInitMarker}`], { check: true });
    try {
      const up = await run(site, 'upgrade.yml', '--no-on-failure');
      expect(up.code).toBe(2);
      // --no-on-failure: the rescue did not run; the site is left as the failure left it.
      expect(up.events.filter((e) => e.type === 'task_result' && e.play !== 'Upgrade OMS')).toEqual([]);
      // The migration ran halfway: rm and cm are at 4.2.12 until the rollback.
      expect((await schemaVersion(site)).rm).toBe('4.2.12');
      const failedRun = up.events.find((e) => e.type === 'run_start')!.run_id;

      const back = await run(site, 'rollback.yml', '--from-run', 'last', '--yes');
      expect(back.code, explain(back)).toBe(0);
      // The failing run, not an earlier one that got further: it recorded ha_before (empty) before the first change.
      expect(back.events.find((e) => e.type === 'run_start')!.from_run).toBe(failedRun);
      expect(ran(back)).toContain('Rollback: restore each database');
      expect(ran(back).filter((t) => /HA|ha\.config/.test(t))).toEqual([]);
    } finally {
      await lab.exec('h1', ['rm', '-f', site.paths.failDockerInitMarker], { check: true });
    }
    expect(await haConfig(site)).toEqual(haBefore);
    expect((await checksumTables(site))[paramsTable]).toBe(paramsBefore);
    expect(await metadbState(site)).toEqual(before);
    expect(await schemaVersion(site)).toEqual({ rm: '4.2.11', cm: '4.2.11', heartbeat: { hz: '4.2.11' } });
    expect((await inspectContainer(lab, 'h1', site.containers.old))?.State.Running).toBe(true);
  });
});
