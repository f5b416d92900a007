// The domain modules against the simulated OMS site (real old containers, seeded MetaDB): what the
// upgrade's preflight and verification read from it.
import { beforeAll, describe, expect, it } from 'vitest';
import { dockerImage } from '../../../lib/modules/docker/image.js';
import { dockerInfo } from '../../../lib/modules/docker/info.js';
import { mysqlDump } from '../../../lib/modules/mysql/dump.js';
import { omsHealth } from '../../../lib/modules/oms/health.js';
import { omsParam } from '../../../lib/modules/oms/param.js';
import { omsServers } from '../../../lib/modules/oms/servers.js';
import { getSite } from '../../lab/oms/context.js';
import { resetSite } from '../../lab/oms/site.js';
import type { Site } from '../../lab/oms/types.js';
import type { Lab } from '../../lab/lab.js';
import { ctxFor, getTarget, type Target } from './target.js';

let lab: Lab;
let site: Site;
let t: Target;

beforeAll(async () => {
  ({ lab, site } = getSite());
  await resetSite(lab, site);
  t = await getTarget();
});

const meta = () => ({ login_host: site.metadb.host, login_port: site.metadb.port, login_user: site.metadb.user, login_password: site.metadb.password });

describe('modules on the simulated OMS site', () => {
  it('docker.info reads the old container as the upgrade needs it', async () => {
    const r = await dockerInfo.run({ name: site.containers.old }, ctxFor(t));
    const me = site.hosts.find((h) => h.name === t.host)!;
    expect(r).toMatchObject({ exists: true, running: true, image: site.oldImage, privileged: true, pids_limit: -1, restart_policy: site.restartPolicy });
    expect((r.env as Record<string, string>).OMS_HOST_IP).toBe(me.address);
    const dest = (r.mounts as Array<{ destination: string }>).map((m) => m.destination);
    expect(dest).toEqual(expect.arrayContaining(['/home/admin/conf/config.yaml', '/home/admin/logs', '/home/ds/store', '/home/ds/run']));
    expect(r.last_log_line).toBe('OMS service start successfully');
  });

  it('oms.health finds the old container healthy, asked from its host', async () => {
    const r = await omsHealth.run({ container: site.containers.old, port: site.consolePort, timeout: 60, interval: 1 }, ctxFor(t));
    expect(r).toMatchObject({ healthy: true, url: `${site.https ? 'https' : 'http'}://127.0.0.1:${site.consolePort}/oms/health` });
  });

  it('oms.servers finds every site host Online', async () => {
    const r = await omsServers.run(
      { ...meta(), cm_database: site.databases.cm, heartbeat_databases: site.databases.heartbeat, servers: site.hosts.map((h) => h.address), timeout: 60, interval: 2 },
      ctxFor(t),
    );
    expect(r.online).toBe(true);
    expect((r.servers as Array<{ region: string }>).map((s) => s.region)).toEqual(site.hosts.map((h) => h.region));
  });

  it('oms.param reads ha.config with the site password (quotes, $, ;, |, &, backslash, space)', async () => {
    const r = await omsParam.run({ ...meta(), rm_database: site.databases.rm }, ctxFor(t));
    expect(r).toMatchObject({ changed: false, value: { enable: site.seed.haEnabled, refetchStoreIntervalMin: 30 } });
  });

  it('mysql.dump backs up the rm database from an OMS host with the site password', async () => {
    const dest = `/tmp/omsplay-mod-4-site/${Date.now()}/rm.sql`;
    const r = await mysqlDump.run({ ...meta(), databases: site.databases.rm, dest, triggers: false }, ctxFor(t));
    expect(r).toMatchObject({ completed: true, path: dest });
    await t.sh(['rm', '-rf', '/tmp/omsplay-mod-4-site']);
  });

  it('docker.image skips the staged old image that is already loaded, and would load the new one', async () => {
    const old = await dockerImage.run({ src: site.hostImageTars.old }, ctxFor(t));
    expect(old).toMatchObject({ changed: false, present_before: true, tags: [site.oldImage] });
    const neu = await dockerImage.run({ src: site.paths.newImageTar }, ctxFor(t, { check: true }));
    expect(neu).toMatchObject({ changed: true, present_before: false, tags: [site.newImage] });
  });
});
