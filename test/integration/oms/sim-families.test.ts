// The simulated OMS images of the 4.1.x/4.2.x versions enforce their procedure family's rules (upgrade graph,
// playbooks/vars/upgrade-graph.yml): an undocumented edge is refused by the new container; C (4.2.9) refuses
// docker_init.sh run too early and, on a legacy rm database, says "Version before 4.1.1 is not allowed to upgrade"
// until the guide's oms_version fix-up; D (4.2.12) has no docker_init.sh and migrates on start with IS_UPGRADE=true.
// Each version's schema change is distinguishable (a column named after it), and images from 4.2.0 come from the
// vendor's new repository.
import { afterAll, describe, expect, it } from 'vitest';
import { getSite } from '../../lab/oms/context.js';
import { REPOSITORY_420 } from '../../lab/oms/image.js';
import { rootConnection } from '../../lab/oms/seed.js';
import { containerLogs, deploySite, health, inspectContainer, lastLogLine, loadNewImage, resetSite, runArgs, schemaVersion, waitHealthy } from '../../lab/oms/site.js';
import type { Site } from '../../lab/oms/types.js';
import { tablesWithColumn } from '../playbooks/site-run.js';

const { lab, site: defaultSite } = getSite();
const [h1, h2] = defaultSite.hosts.map((h) => h.name) as [string, string];

// These tests deploy other sites on the lab's hosts; put the default site back for the next file.
afterAll(() => resetSite(lab, defaultSite));

async function docker(host: string, args: string[]): Promise<string> {
  const r = await lab.docker(host, args);
  if (r.code !== 0) throw new Error(`[${host}] docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Steps 4 and 7–8 of the procedure: old container stopped (restart no), new image loaded and started. */
async function upgradeStart(site: Site, host: string, opts: { isUpgrade?: boolean; name?: string } = {}): Promise<void> {
  if ((await inspectContainer(lab, host, site.containers.old))?.State?.Running) {
    await docker(host, ['stop', site.containers.old]);
    await docker(host, ['update', '--restart', 'no', site.containers.old]);
  }
  await loadNewImage(lab, site, host);
  await docker(host, runArgs(site, host, { version: 'new', isUpgrade: opts.isUpgrade ?? true, ...(opts.name ? { name: opts.name } : {}) }));
}

async function dockerInit(site: Site, host: string) {
  const r = await lab.docker(host, ['exec', site.containers.new, 'bash', '/root/docker_init.sh']);
  return { code: r.code, out: `${r.stdout}${r.stderr}` };
}

/** Waits until the container's logs match (its service is up and waiting, e.g.). */
async function waitLog(host: string, name: string, pattern: RegExp, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(await containerLogs(lab, host, name))) {
    if (Date.now() > deadline) throw new Error(`[${host}] ${name}: no log line ${pattern}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Waits until the container has exited; returns its exit code and logs. */
async function exited(host: string, name: string, timeoutMs = 20_000): Promise<{ code: number; logs: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = await inspectContainer(lab, host, name);
    if (c && c.State.Status === 'exited') return { code: c.State.ExitCode as number, logs: await containerLogs(lab, host, name) };
    if (Date.now() > deadline) throw new Error(`[${host}] ${name} still ${c?.State?.Status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}


async function rmQuery(site: Site, sql: string): Promise<unknown[]> {
  const conn = await rootConnection(site);
  try {
    const [rows] = await conn.query(`USE ${conn.escapeId(site.databases.rm)}; ${sql}`);
    return (rows as unknown[][])[1] ?? [];
  } finally {
    await conn.end();
  }
}

const allAt = (v: string, site: Site) => ({ rm: v, cm: v, heartbeat: Object.fromEntries(site.regions.map((r) => [r.name, v])) });

describe('family B from 4.2.0: the new image repository', () => {
  it('4.1.1 → 4.2.0: image from the new repository, docker_init.sh, the 4.2.0 schema change and oms_version', async () => {
    const site = await deploySite(lab, { oldVersion: '4.1.1', newVersion: '4.2.0', regions: [{ name: 'hz', location: 1, hosts: [h1] }] });
    expect([site.oldImage, site.newImage]).toEqual(['oms:feature_4.1.1-ce', `${REPOSITORY_420}:feature_4.2.0-ce`]);
    expect(await tablesWithColumn(site, 'schema_4_1_1')).toEqual(['oms_cm.host', 'oms_cm_hb_1.heatbeat_sequence', 'oms_rm.cluster_info']);
    await upgradeStart(site, h1);
    const init = await dockerInit(site, h1);
    expect(init.code, init.out).toBe(0);
    await waitHealthy(lab, site, h1, site.containers.new, 10_000);
    expect(await schemaVersion(site)).toEqual(allAt('4.2.0', site));
    expect(await tablesWithColumn(site, 'schema_4_2_0')).toEqual(['oms_cm.host', 'oms_cm_hb_1.heatbeat_sequence', 'oms_rm.cluster_info']);
    expect(await rmQuery(site, 'SELECT version FROM oms_version')).toEqual([{ version: '4.2.0-CE' }]);
    expect((await inspectContainer(lab, h1, site.containers.new)).Config.Image).toBe(`${REPOSITORY_420}:feature_4.2.0-ce`);
  });

  it('4.1.0 → 4.2.0 (undocumented: 4.2.0 upgrades only from 4.1.1) is refused by the new container, the MetaDB untouched', async () => {
    const site = await deploySite(lab, { oldVersion: '4.1.0', newVersion: '4.2.0', regions: [{ name: 'hz', location: 1, hosts: [h1] }] });
    await upgradeStart(site, h1);
    const r = await exited(h1, site.containers.new);
    expect(r.code).toBe(1);
    expect(r.logs).toMatch(/upgrading oms_rm from 4\.1\.0 to 4\.2\.0 is not supported: OMS 4\.2\.0 upgrades only from 4\.1\.1/);
    // In the vendor's words (the V4.2.0 guide's notice).
    expect(r.logs).toContain(
      '"Currently, it is only supported to upgrade from OMS Community Edition V4.1.1 to Community Edition V4.2.0. Upgrading from versions lower than Community Edition V4.1.1 to Community Edition V4.2.0 is not supported."',
    );
    expect(await schemaVersion(site)).toEqual(allAt('4.1.0', site));
    expect(await tablesWithColumn(site, 'schema_4_2_0')).toEqual([]);
  });

  it('4.1.1 is never an upgrade target: 4.1.0 → 4.1.1 is refused by the new container in the words of its upgrade notice', async () => {
    const site = await deploySite(lab, { oldVersion: '4.1.0', newVersion: '4.1.1', regions: [{ name: 'hz', location: 1, hosts: [h1] }] });
    await upgradeStart(site, h1);
    const r = await exited(h1, site.containers.new);
    expect(r.code).toBe(1);
    expect(r.logs).toContain(
      'OMS 4.1.1 cannot be upgraded to (rm=4.1.0 cm=4.1.0 cm_hb=4.1.0): install it fresh (upgrade guide: "OceanBase Migration Service (OMS) Community Edition V4.1.1 only supports direct deployment. It is not supported to upgrade to V4.1.1 from lower versions.")',
    );
    expect(await lab.docker(h1, ['exec', site.containers.new, 'true']).then((x) => x.code)).not.toBe(0);
    expect(await schemaVersion(site)).toEqual(allAt('4.1.0', site));
    expect(await tablesWithColumn(site, 'schema_4_1_1')).toEqual([]);
  });
});

describe('family C (4.2.9)', () => {
  it('refuses docker_init.sh before the site\'s required wait, then upgrades', async () => {
    const site = await deploySite(lab, { oldVersion: '4.2.8', newVersion: '4.2.9', initWaitSeconds: 12, regions: [{ name: 'hz', location: 1, hosts: [h1] }] });
    await upgradeStart(site, h1);
    await waitLog(h1, site.containers.new, /waiting for metadata initialization/);
    const early = await dockerInit(site, h1);
    expect(early.code).not.toBe(0);
    expect(early.out).toMatch(/OMS 4\.2\.9 has been up for \d+s only; wait 12s after the container starts before running docker_init\.sh/);
    expect(await schemaVersion(site)).toEqual(allAt('4.2.8', site));
    await new Promise((r) => setTimeout(r, 12_500));
    const init = await dockerInit(site, h1);
    expect(init.code, init.out).toBe(0);
    await waitHealthy(lab, site, h1, site.containers.new, 10_000);
    expect(await schemaVersion(site)).toEqual(allAt('4.2.9', site));
    expect(await tablesWithColumn(site, 'schema_4_2_9')).toEqual(['oms_cm.host', 'oms_cm_hb_1.heatbeat_sequence', 'oms_rm.cluster_info']);
  });

  it('on a legacy rm database without oms_version, says "Version before 4.1.1 is not allowed to upgrade" until the fix-up', async () => {
    const site = await deploySite(lab, { oldVersion: '4.2.8', newVersion: '4.2.9', initWaitSeconds: 1, omsVersionTable: false, regions: [{ name: 'hz', location: 1, hosts: [h1] }] });
    await upgradeStart(site, h1);
    await waitLog(h1, site.containers.new, /waiting for metadata initialization/);
    await new Promise((r) => setTimeout(r, 1500));
    const refused = await dockerInit(site, h1);
    expect(refused.code).not.toBe(0);
    expect(refused.out).toContain('Version before 4.1.1 is not allowed to upgrade');
    expect(await schemaVersion(site)).toEqual(allAt('4.2.8', site));
    // A pre-4.1.1 version in oms_version is refused the same way.
    await rmQuery(site, "CREATE TABLE IF NOT EXISTS oms_version (version varchar(64) NOT NULL PRIMARY KEY, gmt_modified timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP); REPLACE INTO oms_version(version) VALUES('4.1.0-CE')");
    expect((await dockerInit(site, h1)).out).toContain('Version before 4.1.1 is not allowed to upgrade');
    // The guide's fix-up: the pre-upgrade version in rm.oms_version, then the init again.
    await rmQuery(site, "DELETE FROM oms_version; REPLACE INTO oms_version(version) VALUES('4.2.8-CE')");
    const again = await dockerInit(site, h1);
    expect(again.code, again.out).toBe(0);
    await waitHealthy(lab, site, h1, site.containers.new, 10_000);
    expect(await schemaVersion(site)).toEqual(allAt('4.2.9', site));
  });
});

describe('family D (4.2.12)', () => {
  it('has no docker_init.sh, refuses to start without IS_UPGRADE=true, and migrates on start with it (two nodes at once)', async () => {
    const site = await deploySite(lab, { oldVersion: '4.2.11', newVersion: '4.2.12', regions: [{ name: 'hz', location: 1, hosts: [h1, h2] }] });
    expect(site.newImage).toBe(`${REPOSITORY_420}:feature_4.2.12-ce`);
    await upgradeStart(site, h1, { isUpgrade: false, name: 'oms_probe' });
    const plain = await exited(h1, 'oms_probe');
    expect(plain.code).toBe(1);
    expect(plain.logs).toMatch(/MetaDB schema is older than 4\.2\.12 \(rm=4\.2\.11 cm=4\.2\.11 cm_hb=4\.2\.11\): start the container with -e IS_UPGRADE=true\n/);
    await docker(h1, ['rm', '-f', 'oms_probe']);
    expect(await schemaVersion(site)).toEqual(allAt('4.2.11', site));

    await Promise.all([upgradeStart(site, h1), upgradeStart(site, h2)]);
    for (const h of [h1, h2]) {
      await waitHealthy(lab, site, h, site.containers.new, 20_000);
      expect(await lastLogLine(lab, h, site.containers.new)).toBe('OMS service start successfully');
      expect((await health(lab, site, h))?.data).toMatchObject({ healthy: true, version: '4.2.12' });
    }
    const init = await lab.docker(h1, ['exec', site.containers.new, 'test', '-e', '/root/docker_init.sh']);
    expect(init.code).not.toBe(0);
    expect(await schemaVersion(site)).toEqual(allAt('4.2.12', site));
    expect(await tablesWithColumn(site, 'schema_4_2_12')).toEqual(['oms_cm.host', 'oms_cm_hb_1.heatbeat_sequence', 'oms_rm.cluster_info']);
    expect(await rmQuery(site, 'SELECT version FROM oms_version')).toEqual([{ version: '4.2.12-CE' }]);
  });

  it('refuses an undocumented edge on start (4.1.1 → 4.2.12: 4.2.12 upgrades only from 4.2.0–4.2.11)', async () => {
    const site = await deploySite(lab, { oldVersion: '4.1.1', newVersion: '4.2.12', regions: [{ name: 'hz', location: 1, hosts: [h1] }] });
    await upgradeStart(site, h1);
    const r = await exited(h1, site.containers.new);
    expect(r.code).toBe(1);
    expect(r.logs).toMatch(/upgrading oms_rm from 4\.1\.1 to 4\.2\.12 is not supported: OMS 4\.2\.12 upgrades only from 4\.2\.0 4\.2\.1 .* 4\.2\.11/);
    expect(await schemaVersion(site)).toEqual(allAt('4.1.1', site));
  });
});
