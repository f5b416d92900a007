/**
 * Family B end to end on the edges not covered by upgrade.test.ts (3.3.1 → 4.0.0): `omsplay run upgrade.yml`
 * 3.3.1 → 4.1.0 and 4.1.1 → 4.2.0 (the vendor's new image repository) on a 3-host, 2-region simulated site, each
 * verified (versions, the version's own schema change, servers Online, HA on again) and rolled back with
 * rollback.yml to MetaDB checksums equal to before. The 4.2.0 image runs under the reference `docker load` reported:
 * the site's repository with the new tag (a guessed name) does not exist on the hosts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { getSite } from '../../lab/oms/context.js';
import { REPOSITORY_420 } from '../../lab/oms/image.js';
import { rootConnection } from '../../lab/oms/seed.js';
import { deploySite, dockerInitRuns, haConfig, health, inspectContainer, resetSite, schemaVersion } from '../../lab/oms/site.js';
import type { Site } from '../../lab/oms/types.js';
import type { CliResult } from '../../support/omsplay.js';
import { explain, metadbState, runOnSite, tablesWithColumn } from './site-run.js';

const { lab, site: defaultSite } = getSite();

afterAll(() => resetSite(lab, defaultSite));

function run(site: Site, playbook: string, ...args: string[]): Promise<CliResult> {
  return runOnSite(lab, site, { playbook, inventoryName: 'upgrade-family-b.yml', home: 'omsplay-home-family-b', args });
}

const allAt = (v: string, site: Site) => ({ rm: v, cm: v, heartbeat: Object.fromEntries(site.regions.map((r) => [r.name, v])) });


/** The table each database's schema change touches: rm cluster_info, cm host, every region's heatbeat_sequence. */
const changedTables = (site: Site): string[] =>
  [`${site.databases.rm}.cluster_info`, `${site.databases.cm}.host`, ...site.regions.map((r) => `${r.heartbeatDb}.heatbeat_sequence`)].sort();

const results = (r: CliResult, task: string) => r.events.filter((e) => e.type === 'task_result' && e.task === task);

/** Upgrades the site to its new version through upgrade.yml and checks what family B promises; returns the run. */
async function upgradeAndVerify(site: Site, guide: string): Promise<CliResult> {
  const v = site.newVersion;
  const haBefore = await haConfig(site);
  expect(haBefore.enable).toBe(true);
  const up = await run(site, 'upgrade.yml');
  expect(up.code, explain(up)).toBe(0);
  const plan = results(up, 'Preflight: the plan')[0]!;
  expect(plan.result.msg).toBe(`plan: ${site.oldVersion} → ${v}\nhop 1/1: ${site.oldVersion} → ${v}  family B  image ${site.paths.newImageTar}  (${guide})`);
  // Family B: HA disabled before the stop, docker_init.sh once per region (shared config.yaml), HA enabled after.
  expect(results(up, 'Disable HA: set ha.config enable=false').map((e) => e.status)).toEqual(['changed']);
  for (const r of site.regions) expect(await dockerInitRuns(site, r.name), `docker_init.sh runs in ${r.name}`).toHaveLength(1);
  // Versions: every new container serves the new version; the MetaDB is at it; the version's schema change is there.
  for (const h of site.hosts) {
    expect((await inspectContainer(lab, h.name, site.containers.new)).State.Running, `${site.containers.new} on ${h.name}`).toBe(true);
    expect((await health(lab, site, h.name))?.data, `health of ${h.name}`).toMatchObject({ healthy: true, version: v });
    expect((await inspectContainer(lab, h.name, site.containers.old)).State.Running).toBe(false);
  }
  expect(await schemaVersion(site)).toEqual(allAt(v, site));
  expect(await tablesWithColumn(site, `schema_${v.replaceAll('.', '_')}`)).toEqual(changedTables(site));
  // Servers Online (every node registered in cm with a recent heartbeat), checked by the run.
  expect(results(up, 'Verify: every server is Online').map((e) => e.status)).toEqual(['ok']);
  // HA on again, with the refetch interval covering the outage.
  const ha = await haConfig(site);
  expect(ha.enable).toBe(true);
  expect(ha.refetchStoreIntervalMin).toBeGreaterThanOrEqual(30);
  return up;
}

/** rollback.yml --from-run last: old containers running, MetaDB checksums and ha.config as before, the change gone. */
async function rollBackAndCheck(site: Site, before: Record<string, number | null>, haBefore: Record<string, unknown>): Promise<void> {
  const back = await run(site, 'rollback.yml', '--from-run', 'last', '--yes');
  expect(back.code, explain(back)).toBe(0);
  for (const h of site.hosts) {
    expect((await inspectContainer(lab, h.name, site.containers.old))?.State.Running, `${site.containers.old} runs on ${h.name}`).toBe(true);
    expect(await inspectContainer(lab, h.name, site.containers.new)).toBeUndefined();
    expect((await health(lab, site, h.name))?.data).toMatchObject({ healthy: true, version: site.oldVersion });
  }
  expect(await schemaVersion(site)).toEqual(allAt(site.oldVersion, site));
  expect(await metadbState(site)).toEqual(before);
  expect(await tablesWithColumn(site, `schema_${site.newVersion.replaceAll('.', '_')}`)).toEqual([]);
  const ha = await haConfig(site);
  for (const [k, v] of Object.entries(haBefore)) if (k !== 'refetchStoreIntervalMin') expect(ha[k], `ha.config ${k}`).toEqual(v);
}

describe('family B on 3 hosts in 2 regions', () => {
  it('3.3.1 → 4.1.0: upgraded, verified (4.1.0 schema change, servers Online, HA on), rolled back to the MetaDB as before', async () => {
    const site = await deploySite(lab, { oldVersion: '3.3.1', newVersion: '4.1.0' });
    expect(site.regions.map((r) => r.hosts.length)).toEqual([2, 1]);
    const before = await metadbState(site);
    const haBefore = await haConfig(site);
    await upgradeAndVerify(site, 'V4.1.0 upgrade guide, FAQ');
    for (const h of site.hosts) expect((await inspectContainer(lab, h.name, site.containers.new)).Config.Image).toBe('oms:feature_4.1.0-ce');
    await rollBackAndCheck(site, before, haBefore);
  });

  it('4.1.1 → 4.2.0: the new containers run the reference `docker load` reported (the new repository); rolled back as before', async () => {
    const site = await deploySite(lab, { oldVersion: '4.1.1', newVersion: '4.2.0' });
    expect(site.oldImage).toBe('oms:feature_4.1.1-ce');
    const before = await metadbState(site);
    const haBefore = await haConfig(site);
    const up = await upgradeAndVerify(site, 'V4.2.0 upgrade guide (new image repository)');
    const loaded = `${REPOSITORY_420}:feature_4.2.0-ce`;
    // The stage step's `docker load` printed the reference; that is what the containers were started from.
    const staged = results(up, 'Stage: docker load the new image while the old OMS runs');
    expect(staged.map((e) => [e.host, e.status, e.result.image_ref]).sort()).toEqual(site.hosts.map((h) => [h.name, 'changed', loaded]));
    for (const e of staged) expect(e.result.stdout).toContain(`Loaded image: ${loaded}`);
    expect(results(up, 'Load image: the image docker load reported').map((e) => e.result.facts?.new_image_ref)).toEqual(site.hosts.map(() => loaded));
    for (const h of site.hosts) {
      expect((await inspectContainer(lab, h.name, site.containers.new)).Config.Image).toBe(loaded);
      // The old repository with the new tag — a guessed name — is not an image on the host.
      expect((await lab.docker(h.name, ['image', 'inspect', 'oms:feature_4.2.0-ce'])).code, `oms:feature_4.2.0-ce on ${h.name}`).not.toBe(0);
    }
    // 4.2.0's migration writes the version into rm.oms_version (the table 4.2.9's init reads).
    const conn = await rootConnection(site);
    try {
      const [rows] = await conn.query(`SELECT version FROM ${conn.escapeId(site.databases.rm)}.oms_version`);
      expect(rows).toEqual([{ version: '4.2.0-CE' }]);
    } finally {
      await conn.end();
    }
    await rollBackAndCheck(site, before, haBefore);
  });
});
