/**
 * Family C end to end: `omsplay run upgrade.yml` 4.2.8 → 4.2.9 on a 3-host, 2-region simulated site whose rm
 * database lacks oms_version (the legacy case the V4.2.9 guide's fix-up is for), with the site's required wait
 * before docker_init.sh; then rollback.yml back to the MetaDB of backup time. And the init run too early: refused by
 * the container, the rescue restores the site.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { getSite } from '../../lab/oms/context.js';
import { REPOSITORY_420 } from '../../lab/oms/image.js';
import { rootConnection } from '../../lab/oms/seed.js';
import { deploySite, dockerInitRuns, haConfig, inspectContainer, resetSite, schemaVersion } from '../../lab/oms/site.js';
import type { Site } from '../../lab/oms/types.js';
import type { CliResult } from '../../support/omsplay.js';
import { explain, metadbState, runOnSite } from './site-run.js';

const { lab, site: defaultSite } = getSite();

afterAll(() => resetSite(lab, defaultSite));

function run(site: Site, playbook: string, vars: Record<string, unknown>, ...args: string[]): Promise<CliResult> {
  return runOnSite(lab, site, { playbook, inventoryName: 'upgrade-family-c.yml', home: 'omsplay-home-family-c', vars, args });
}

async function hasOmsVersionTable(site: Site): Promise<boolean> {
  const conn = await rootConnection(site);
  try {
    const [rows] = await conn.query('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name = "oms_version"', [site.databases.rm]);
    return (rows as { n: number }[])[0]!.n === 1;
  } finally {
    await conn.end();
  }
}

async function onOldVersion(site: Site, before: Record<string, number | null>, haBefore: Record<string, unknown>): Promise<void> {
  for (const h of site.hosts) {
    expect((await inspectContainer(lab, h.name, site.containers.old))?.State.Running, `${site.containers.old} runs on ${h.name}`).toBe(true);
    expect((await inspectContainer(lab, h.name, site.containers.new))?.State?.Running ?? false).toBe(false);
  }
  expect(await schemaVersion(site)).toEqual({ rm: '4.2.8', cm: '4.2.8', heartbeat: { hz: '4.2.8', sh: '4.2.8' } });
  expect(await metadbState(site)).toEqual(before);
  expect(await hasOmsVersionTable(site)).toBe(false);
  const ha = await haConfig(site);
  for (const [k, v] of Object.entries(haBefore)) if (k !== 'refetchStoreIntervalMin') expect(ha[k], `ha.config ${k}`).toEqual(v);
}

describe('family C: 4.2.8 → 4.2.9 on 3 hosts in 2 regions, legacy rm database', () => {
  it('waits, meets "Version before 4.1.1 is not allowed to upgrade", applies the oms_version fix-up, upgrades; rollback restores the MetaDB', async () => {
    const site = await deploySite(lab, { oldVersion: '4.2.8', newVersion: '4.2.9', initWaitSeconds: 3, omsVersionTable: false });
    const before = await metadbState(site);
    const haBefore = await haConfig(site);

    const up = await run(site, 'upgrade.yml', { oms_init_wait_seconds: 3 });
    expect(up.code, explain(up)).toBe(0);
    const plan = up.events.find((e) => e.type === 'task_result' && e.task === 'Preflight: the plan')!;
    expect(plan.result.msg).toMatch(/^plan: 4\.2\.8 → 4\.2\.9\nhop 1\/1: 4\.2\.8 → 4\.2\.9 {2}family C /);
    const fixup = up.events.filter((e) => e.type === 'task_result' && e.task === "docker_init.sh (C): the guide's oms_version fix-up in the rm database");
    expect(fixup.map((e) => e.status)).toContain('changed');
    expect(await schemaVersion(site)).toEqual({ rm: '4.2.9', cm: '4.2.9', heartbeat: { hz: '4.2.9', sh: '4.2.9' } });
    for (const r of site.regions) expect(await dockerInitRuns(site, r.name), `docker_init.sh runs in ${r.name}`).toHaveLength(1);
    for (const h of site.hosts) {
      const fresh = await inspectContainer(lab, h.name, site.containers.new);
      expect(fresh.State.Running).toBe(true);
      expect(fresh.Config.Image).toBe(`${REPOSITORY_420}:feature_4.2.9-ce`);
    }
    expect((await haConfig(site)).enable).toBe(true);

    const back = await run(site, 'rollback.yml', {}, '--from-run', 'last', '--yes');
    expect(back.code, explain(back)).toBe(0);
    await onOldVersion(site, before, haBefore);
  });

  it('docker_init.sh run before the site\'s wait is refused; the rescue puts the site back', async () => {
    const site = await deploySite(lab, { oldVersion: '4.2.8', newVersion: '4.2.9', initWaitSeconds: 30, omsVersionTable: false });
    const before = await metadbState(site);
    const haBefore = await haConfig(site);
    const up = await run(site, 'upgrade.yml', { oms_init_wait_seconds: 1 });
    expect(up.code).toBe(2);
    const failed = up.events.find((e) => e.type === 'task_result' && e.status === 'failed')!;
    expect(failed.task).toBe('docker_init.sh (C): anything but the oms_version answer fails the upgrade');
    expect(failed.result.msg).toMatch(/has been up for \d+s only; wait 30s after the container starts/);
    expect(up.events.some((e) => e.type === 'on_failure')).toBe(true);
    await onOldVersion(site, before, haBefore);
  });
});
