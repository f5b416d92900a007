// The simulated OMS's pure parts: the site plan, config.yaml (read identically by the yaml library and by the
// image's busybox awk parser), the run spec and the seed.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { seedStatements } from '../../lab/oms/seed.js';
import { configYamlFor, DEFAULT_META_PASSWORD, planSite, runArgs } from '../../lab/oms/site.js';
import type { SimLab } from '../../lab/oms/types.js';

const run = promisify(execFile);
const COMMON = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../lab/oms/image/common.sh');

const lab: Pick<SimLab, 'id' | 'hosts' | 'mariadb' | 'sharedDir'> = {
  id: 9,
  hosts: [
    { name: 'h1', address: '10.77.9.10', dockerSocket: '/x/h1.sock' },
    { name: 'h2', address: '10.77.9.11', dockerSocket: '/x/h2.sock' },
    { name: 'h3', address: '10.77.9.12', dockerSocket: '/x/h3.sock' },
    { name: 'h4', address: '10.77.109.13', bastionOnly: true },
  ],
  mariadb: { host: '10.77.9.1', port: 3306, rootPassword: 'r' },
  sharedDir: '/var/tmp/omsplay-lab-9/shared',
};

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'oms-sim-'));
  // The image runs busybox awk: parse with the same one.
  await symlink('/bin/busybox', path.join(dir, 'awk'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** What the image's conf_get / conf_list read from a config.yaml. */
async function imageRead(yamlText: string, fn: 'conf_get' | 'conf_list', key: string): Promise<string> {
  const file = path.join(dir, 'config.yaml');
  await writeFile(file, yamlText);
  const { stdout } = await run('bash', ['-c', `. "$1"; ${fn} "$2"`, 'x', COMMON, key], {
    env: { PATH: `${dir}:/usr/bin:/bin`, OMS_CONF: file },
  });
  return stdout.replace(/\n$/, '');
}

describe('planSite', () => {
  it('defaults to hz = h1, h2 (one shared config) and sh = h3, skipping hosts without docker', () => {
    const site = planSite(lab);
    expect(site.regions.map((r) => [r.name, r.hosts, r.heartbeatDb, r.isDefault])).toEqual([
      ['hz', ['h1', 'h2'], 'oms_cm_hb_1', true],
      ['sh', ['h3'], 'oms_cm_hb_2', false],
    ]);
    expect(site.databases.all).toEqual(['oms_rm', 'oms_cm', 'oms_cm_hb_1', 'oms_cm_hb_2']);
    expect(site.containers).toEqual({ old: 'oms_331', new: 'oms_400' });
    expect([site.oldImage, site.newImage]).toEqual(['oms:feature_3.3.1-ce', 'oms:feature_4.0.0-ce']);
    const [a, b, c] = site.hosts;
    expect(a?.configSha).toBe(b?.configSha);
    expect(c?.configSha).not.toBe(a?.configSha);
    expect(site.metadb.password).toBe(DEFAULT_META_PASSWORD);
  });

  it('gives every node its own config.yaml when the region does not share one', () => {
    const site = planSite(lab, { regions: [{ name: 'hz', location: 3, hosts: ['h1', 'h2'], sharedConfig: false }] });
    expect(site.hosts[0]?.configSha).not.toBe(site.hosts[1]?.configSha);
    expect(site.databases.heartbeat).toEqual({ hz: 'oms_cm_hb_3' });
  });

  it('rejects unknown hosts and duplicate locations', () => {
    expect(() => planSite(lab, { regions: [{ name: 'x', location: 1, hosts: ['nope'] }] })).toThrow(/no lab host nope/);
    expect(() =>
      planSite(lab, { regions: [{ name: 'a', location: 1, hosts: ['h1'] }, { name: 'b', location: 1, hosts: ['h2'] }] }),
    ).toThrow(/cm_location/);
  });
});

describe('config.yaml', () => {
  const password = `a'b"c $HOME;|&\\ d #e`;
  const site = planSite(lab, { metaPassword: password });
  const text = configYamlFor(site, 'h1');

  it('has the real key names with the right values', () => {
    const doc = parse(text) as Record<string, unknown>;
    expect(doc).toMatchObject({
      oms_meta_host: '10.77.9.1',
      oms_meta_port: 3306,
      oms_meta_user: 'oms',
      oms_meta_password: password,
      drc_rm_db: 'oms_rm',
      drc_cm_db: 'oms_cm',
      drc_cm_heartbeat_db: 'oms_cm_hb_1',
      cm_region: 'hz',
      cm_region_cn: '杭州',
      cm_location: 1,
      cm_is_default: true,
      cm_nodes: ['10.77.9.10', '10.77.9.11'],
      cm_url: 'http://10.77.9.10:8088',
      nginx_server_port: 8089,
    });
  });

  it('is read by the image exactly as by a YAML parser', async () => {
    const doc = parse(text) as Record<string, unknown>;
    for (const key of ['oms_meta_host', 'oms_meta_port', 'oms_meta_user', 'oms_meta_password', 'drc_rm_db', 'drc_cm_heartbeat_db', 'cm_region', 'cm_region_cn']) {
      expect(await imageRead(text, 'conf_get', key), key).toBe(String(doc[key]));
    }
    expect((await imageRead(text, 'conf_list', 'cm_nodes')).split('\n')).toEqual(doc.cm_nodes);
  });

  it('image parser handles double quotes, comments, flow lists and missing keys like YAML does', async () => {
    const hand = [
      'oms_meta_password: "x\\"y\\\\z \'q\' #k"  # trailing comment',
      'oms_meta_user: plain_user   # comment',
      'cm_nodes: [10.0.0.1, "10.0.0.2"]',
      '',
    ].join('\n');
    const doc = parse(hand) as Record<string, unknown>;
    expect(await imageRead(hand, 'conf_get', 'oms_meta_password')).toBe(doc.oms_meta_password);
    expect(await imageRead(hand, 'conf_get', 'oms_meta_user')).toBe(doc.oms_meta_user);
    expect((await imageRead(hand, 'conf_list', 'cm_nodes')).split('\n')).toEqual(doc.cm_nodes);
    // A missing key (undefined in YAML) is a failure (exit 1) with nothing printed, not an empty value.
    expect(doc.drc_rm_db).toBeUndefined();
    await expect(imageRead(hand, 'conf_get', 'drc_rm_db')).rejects.toMatchObject({ code: 1, stdout: '' });
  });
});

describe('run spec and seed', () => {
  const site = planSite(lab, { https: true });

  it('runs the old container as the vendor documents, with the certificate mounts on an HTTPS site', () => {
    const argv = runArgs(site, 'h2');
    expect(argv.slice(0, 4)).toEqual(['run', '-dit', '--net', 'host']);
    expect(argv).toEqual(expect.arrayContaining(['-e', 'OMS_HOST_IP=10.77.9.11', '--privileged=true', '--restart', 'always', '--name', 'oms_331']));
    expect(argv.join(' ')).toContain('--pids-limit -1 --ulimit nproc=65535:65535');
    expect(argv).toContain('/data/oms/https_crt:/etc/pki/nginx/oms_server.crt');
    expect(argv.at(-1)).toBe('oms:feature_3.3.1-ce');
    const upgrade = runArgs(site, 'h2', { version: 'new', isUpgrade: true });
    expect(upgrade).toEqual(expect.arrayContaining(['IS_UPGRADE=true', 'oms_400', 'oms:feature_4.0.0-ce']));
    expect(upgrade).not.toContain('--restart');
  });

  it('seeds identically for one epoch (resets are comparable), with ha.config defaults and many heartbeat rows', () => {
    const a = seedStatements(site, site.seed).join(';\n');
    expect(seedStatements(site, { ...site.seed }).join(';\n')).toBe(a);
    expect(a).not.toMatch(/NOW\(\)/);
    expect(a).toMatch(/refetchStoreIntervalMin\\?":30/);
    expect(a).toMatch(/perceiveStoreClientCheckpoint\\?":false/);
    expect(a).toContain('seq_1_to_10000');
    expect(a).toMatch(/CREATE TABLE heatbeat_sequence \(\s+id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,\s+gmt_created datetime NOT NULL,\s+gmt_modified datetime NOT NULL/);
  });
});
