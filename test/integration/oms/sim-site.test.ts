// The simulated OMS site refuses what a real OMS refuses, so a wrong upgrade fails the end-to-end tests.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getSite } from '../../lab/oms/context.js';
import {
  checksumTables,
  containerLogs,
  dockerInitRuns,
  haConfig,
  health,
  inspectContainer,
  lastLogLine,
  loadNewImage,
  resetSite,
  runArgs,
  schemaVersion,
  waitHealthy,
} from '../../lab/oms/site.js';
import { rootConnection } from '../../lab/oms/seed.js';
import type { Site } from '../../lab/oms/types.js';

const { lab, site } = getSite();
const [h1, h2, h3] = site.hosts.map((h) => h.name) as [string, string, string];
const OLD = site.containers.old;
const NEW = site.containers.new;

async function docker(host: string, args: string[]): Promise<string> {
  const r = await lab.docker(host, args);
  if (r.code !== 0) throw new Error(`[${host}] docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Waits until the container has exited; returns its exit code. */
async function exitCode(host: string, name: string, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = await inspectContainer(lab, host, name);
    if (c && c.State.Status === 'exited') return c.State.ExitCode as number;
    if (Date.now() > deadline) throw new Error(`[${host}] ${name} still ${c?.State?.Status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function waitLog(host: string, name: string, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const logs = await containerLogs(lab, host, name);
    if (pattern.test(logs)) return logs;
    if (Date.now() > deadline) throw new Error(`[${host}] ${name}: no log line ${pattern} in:\n${logs}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Stops the old container and pins its restart policy to no, as step 4 of the procedure does. */
async function stopOld(host: string): Promise<void> {
  await docker(host, ['stop', OLD]);
  await docker(host, ['update', '--restart', 'no', OLD]);
}

async function startNew(host: string, opts: { isUpgrade?: boolean; mounts?: string[] } = {}): Promise<void> {
  await loadNewImage(lab, site, host);
  await docker(host, runArgs(site, host, { version: 'new', isUpgrade: opts.isUpgrade ?? true, mounts: opts.mounts }));
}

async function dockerInit(host: string): Promise<{ code: number; out: string }> {
  const r = await lab.docker(host, ['exec', NEW, 'bash', '/root/docker_init.sh']);
  return { code: r.code, out: `${r.stdout}${r.stderr}` };
}

async function heartbeatRows(s: Site, region: string): Promise<number> {
  const conn = await rootConnection(s);
  try {
    const [rows] = await conn.query(`SELECT MAX(id) AS m FROM ${conn.escapeId(s.databases.heartbeat[region] as string)}.heatbeat_sequence`);
    return Number((rows as { m: number }[])[0]?.m);
  } finally {
    await conn.end();
  }
}

beforeAll(() => {
  expect(site.hosts.map((h) => h.region)).toEqual(['hz', 'hz', 'sh']);
});

describe('the deployed 3.3.1 site', () => {
  beforeEach(() => resetSite(lab, site));

  it('runs the old containers with the vendor run spec, healthy, registered and heartbeating', async () => {
    for (const h of site.hosts) {
      const c = await inspectContainer(lab, h.name, OLD);
      expect(c.State.Running).toBe(true);
      expect(c.Config.Image).toBe(site.oldImage);
      expect(c.HostConfig.NetworkMode).toBe('host');
      expect(c.HostConfig.Privileged).toBe(true);
      expect(c.HostConfig.RestartPolicy.Name).toBe('always');
      expect(c.Config.Env).toContain(`OMS_HOST_IP=${h.address}`);
      expect([...c.HostConfig.Binds].sort()).toEqual(
        [
          `${site.paths.configPath}:/home/admin/conf/config.yaml`,
          `${site.paths.logs}:/home/admin/logs`,
          `${site.paths.store}:/home/ds/store`,
          `${site.paths.run}:/home/ds/run`,
        ].sort(),
      );
      expect(await lastLogLine(lab, h.name, OLD)).toBe('OMS service start successfully');
      expect((await health(lab, site, h.name))?.data.healthy).toBe(true);
    }
    // h1 and h2 share one config.yaml; h3's region has its own.
    expect(site.hosts[0]?.configSha).toBe(site.hosts[1]?.configSha);
    expect(site.hosts[2]?.configSha).not.toBe(site.hosts[0]?.configSha);
    const conf = (await lab.exec(h3, ['cat', site.paths.configPath])).stdout;
    for (const key of ['oms_meta_host', 'oms_meta_port', 'oms_meta_user', 'oms_meta_password', 'drc_rm_db', 'drc_cm_db', 'drc_cm_heartbeat_db', 'cm_url', 'cm_location', 'cm_region', 'cm_region_cn', 'cm_is_default', 'cm_nodes']) {
      expect(conf).toMatch(new RegExp(`^${key}:`, 'm'));
    }
    const conn = await rootConnection(site);
    try {
      const [hosts] = await conn.query(`SELECT ip FROM ${site.databases.cm}.host ORDER BY ip`);
      expect((hosts as { ip: string }[]).map((r) => r.ip)).toEqual(site.hosts.map((h) => h.address).sort());
      const [seq] = await conn.query(`SELECT COUNT(*) AS n FROM ${site.databases.heartbeat.hz}.heatbeat_sequence`);
      expect(Number((seq as { n: number }[])[0]?.n)).toBeGreaterThan(5000);
    } finally {
      await conn.end();
    }
    const before = await heartbeatRows(site, 'sh');
    await new Promise((r) => setTimeout(r, 2500));
    expect(await heartbeatRows(site, 'sh')).toBeGreaterThan(before);
    expect(await haConfig(site)).toMatchObject({ enable: true, perceiveStoreClientCheckpoint: false, refetchStoreIntervalMin: 30, enableStore: true });
    expect(await schemaVersion(site)).toEqual({ rm: '3.3.1', cm: '3.3.1', heartbeat: { hz: '3.3.1', sh: '3.3.1' } });
  });

  it('resetSite returns to the same MetaDB content (heartbeat databases aside)', async () => {
    const stable = (c: Record<string, number | null>) =>
      Object.fromEntries(Object.entries(c).filter(([t]) => !Object.values(site.databases.heartbeat).some((db) => t.startsWith(`${db}.`))));
    const a = stable(await checksumTables(site));
    expect(await checksumTables(site, { excludeHeartbeat: true })).toEqual(a);
    expect(Object.keys(a)).toEqual(expect.arrayContaining([`${site.databases.rm}.oms_normal_config`, `${site.databases.cm}.host`]));
    await stopOld(h1);
    await startNew(h1);
    await expect(dockerInit(h1)).resolves.toMatchObject({ code: 0 });
    expect(stable(await checksumTables(site))).not.toEqual(a);
    await resetSite(lab, site);
    expect(stable(await checksumTables(site))).toEqual(a);
    expect(await inspectContainer(lab, h1, NEW)).toBeUndefined();
  });
});

describe('refusals', () => {
  beforeEach(() => resetSite(lab, site));

  it('resetSite brings back a killed host and a cut one', async () => {
    await lab.kill(h2);
    await lab.cut(h3);
    await resetSite(lab, site);
    for (const h of [h2, h3]) expect((await health(lab, site, h))?.data.healthy).toBe(true);
  });

  it('a second OMS container on a host cannot start: the console port is taken', async () => {
    await startNew(h1);
    expect(await exitCode(h1, NEW)).not.toBe(0);
    expect(await containerLogs(lab, h1, NEW)).toMatch(/port 8089 is already in use/);
    expect((await inspectContainer(lab, h1, OLD)).State.Running).toBe(true);
  });

  it('4.0.0 refuses a 3.3.1 MetaDB without IS_UPGRADE=true', async () => {
    await stopOld(h1);
    await startNew(h1, { isUpgrade: false });
    expect(await exitCode(h1, NEW)).toBe(1);
    expect(await containerLogs(lab, h1, NEW)).toMatch(/MetaDB schema is older than 4\.0\.0.*IS_UPGRADE=true/);
  });

  it('4.0.0 with IS_UPGRADE is not healthy before docker_init.sh, and is after it; it sees the old store file', async () => {
    await stopOld(h1);
    await startNew(h1);
    const logs = await waitLog(h1, NEW, /waiting for metadata initialization/);
    expect(logs).toMatch(new RegExp(`found store checkpoint of the previous OMS: version=3\\.3\\.1 host=${site.hosts[0]?.address.replace(/\./g, '\\.')}`));
    await new Promise((r) => setTimeout(r, 1500));
    expect((await health(lab, site, h1))?.data.healthy).toBe(false);
    expect(await lastLogLine(lab, h1, NEW)).not.toBe('OMS service start successfully');
    const init = await dockerInit(h1);
    expect(init.code, init.out).toBe(0);
    await waitHealthy(lab, site, h1, NEW, 10_000);
    expect(await schemaVersion(site)).toEqual({ rm: '4.0.0', cm: '4.0.0', heartbeat: { hz: '4.0.0', sh: '3.3.1' } });
  });

  it('4.0.0 is never healthy when its data mounts are not the old ones', async () => {
    await stopOld(h1);
    await lab.exec(h1, ['mkdir', '-p', '/data/other/store', '/data/other/run', '/data/other/logs']);
    const swap: Record<string, string> = { '/home/ds/store': '/data/other/store', '/home/ds/run': '/data/other/run', '/home/admin/logs': '/data/other/logs' };
    const mounts = runArgs(site, h1, { version: 'new' })
      .filter((_, i, a) => a[i - 1] === '-v')
      .map((m) => {
        const target = m.slice(m.indexOf(':') + 1);
        return swap[target] ? `${swap[target]}:${target}` : m;
      });
    await startNew(h1, { mounts });
    await waitLog(h1, NEW, /files of the previous OMS not found in the mounts: store \(.*\) run \(.*\) logs \(.*\): the data mounts must be the old container's/);
    expect((await dockerInit(h1)).code).toBe(0);
    await new Promise((r) => setTimeout(r, 2500));
    expect((await health(lab, site, h1))?.data.healthy).toBe(false);
    expect(await lastLogLine(lab, h1, NEW)).not.toBe('OMS service start successfully');
  });

  it('OMS refuses to run without --privileged or without the nproc ulimit of the run spec', async () => {
    await stopOld(h1);
    await loadNewImage(lab, site, h1);
    const spec = runArgs(site, h1, { version: 'new', isUpgrade: true });
    await docker(h1, spec.filter((a) => a !== '--privileged=true'));
    expect(await exitCode(h1, NEW)).toBe(1);
    expect(await containerLogs(lab, h1, NEW)).toMatch(/not privileged/);
    await docker(h1, ['rm', NEW]);
    const i = spec.indexOf('--ulimit');
    await docker(h1, [...spec.slice(0, i), ...spec.slice(i + 2)]);
    expect(await exitCode(h1, NEW)).toBe(1);
    expect(await containerLogs(lab, h1, NEW)).toMatch(/not 65535 \(docker run --ulimit nproc=65535:65535\)/);
  });

  it('docker_init.sh run twice in a region sharing one config.yaml fails; once per region works', async () => {
    for (const h of [h1, h2, h3]) await stopOld(h);
    for (const h of [h1, h2, h3]) await startNew(h);
    const first = await dockerInit(h1);
    expect(first.code, first.out).toBe(0);
    const second = await dockerInit(h2);
    expect(second.code).not.toBe(0);
    expect(second.out).toMatch(/already initialized with this config\.yaml.*only once/);
    const other = await dockerInit(h3);
    expect(other.code, other.out).toBe(0);
    expect(other.out).toMatch(/oms_rm already at 4\.0\.0/);
    for (const h of [h1, h2, h3]) await waitHealthy(lab, site, h, NEW, 10_000);
    expect(await dockerInitRuns(site, 'hz')).toHaveLength(1);
    expect(await dockerInitRuns(site, 'sh')).toHaveLength(1);
    const conn = await rootConnection(site);
    try {
      const [cols] = await conn.query(
        `SELECT table_schema AS db, table_name AS t, column_name AS c FROM information_schema.columns
         WHERE column_name IN ('cm_api_version', 'server_version', 'server_ip') AND table_schema IN (?) ORDER BY db`,
        [site.databases.all],
      );
      expect((cols as { db: string; t: string }[]).map((r) => `${r.db}.${r.t}`).sort()).toEqual(
        [`${site.databases.rm}.cluster_info`, `${site.databases.cm}.host`, `${site.databases.heartbeat.hz}.heatbeat_sequence`, `${site.databases.heartbeat.sh}.heatbeat_sequence`].sort(),
      );
    } finally {
      await conn.end();
    }
  });

  it('3.3.1 refuses a MetaDB already upgraded to 4.0.0 (and keeps refusing under restart=always)', async () => {
    await stopOld(h3);
    await startNew(h3);
    expect((await dockerInit(h3)).code).toBe(0);
    await waitHealthy(lab, site, h3, NEW, 10_000);
    await docker(h3, ['stop', NEW]);
    // h1 still runs 3.3.1 and notices the schema change under it.
    await waitLog(h1, OLD, /MetaDB schema .*is newer than this OMS 3\.3\.1|schema changed under this OMS 3\.3\.1/, 20_000);
    await docker(h3, ['update', '--restart', 'always', OLD]);
    await docker(h3, ['start', OLD]);
    await waitLog(h3, OLD, /MetaDB schema \(rm=4\.0\.0 cm=4\.0\.0 cm_hb=4\.0\.0\) is newer than this OMS 3\.3\.1: refusing to start/);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await health(lab, site, h3))?.data.healthy).not.toBe(true);
    expect(await lastLogLine(lab, h3, OLD)).not.toBe('OMS service start successfully');
  });

  it('a badly typed ha.config write makes OMS unhealthy until it is fixed', async () => {
    const conn = await rootConnection(site);
    const set = (v: string) => conn.query(`UPDATE ${site.databases.rm}.oms_normal_config SET cfg_value = ? WHERE cfg_name = 'ha.config'`, [v]);
    try {
      const good = await haConfig(site);
      await set(JSON.stringify({ ...good, enable: 'false' }));
      await waitLog(h1, OLD, /ha\.config in oms_rm: enable is missing or not a boolean/, 10_000);
      expect((await health(lab, site, h1))?.data.healthy).toBe(false);
      await set(JSON.stringify({ ...good, refetchStoreIntervalMin: 95 }));
      await waitHealthy(lab, site, h1, OLD, 10_000);
      await set(JSON.stringify(Object.fromEntries(Object.entries(good).filter(([k]) => k !== 'enableHost'))));
      await waitLog(h2, OLD, /enableHost is missing/, 10_000);
    } finally {
      await conn.end();
    }
  });

  it('docker_init.sh fails once with a "once" marker, then succeeds', async () => {
    await stopOld(h3);
    await startNew(h3);
    await lab.exec(h3, ['bash', '-c', `echo 'rm once' > ${site.paths.failDockerInitMarker}`]);
    const r = await dockerInit(h3);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/schema change of oms_rm failed \(injected failure\)/);
    expect(await schemaVersion(site)).toEqual({ rm: '3.3.1', cm: '3.3.1', heartbeat: { hz: '3.3.1', sh: '3.3.1' } });
    const again = await dockerInit(h3);
    expect(again.code, again.out).toBe(0);
    await waitHealthy(lab, site, h3, NEW, 10_000);
  });

  it('docker_init.sh fails halfway when the failure marker is present', async () => {
    await stopOld(h1);
    await startNew(h1);
    await lab.exec(h1, ['bash', '-c', `echo cm_hb > ${site.paths.failDockerInitMarker}`]);
    const r = await dockerInit(h1);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/schema change of oms_cm_hb_1 failed \(injected failure\)/);
    expect(await schemaVersion(site)).toEqual({ rm: '4.0.0', cm: '4.0.0', heartbeat: { hz: '3.3.1', sh: '3.3.1' } });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await health(lab, site, h1))?.data.healthy).toBe(false);
  });
});
