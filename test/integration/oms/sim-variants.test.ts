// Site variants of the simulated OMS: per-node config.yaml files (docker_init.sh on every node) and HTTPS.
import { afterAll, describe, expect, it } from 'vitest';
import { getSite } from '../../lab/oms/context.js';
import { containerLogs, deploySite, dockerInitRuns, health, loadNewImage, resetSite, runArgs, schemaVersion, waitHealthy } from '../../lab/oms/site.js';
import type { Site } from '../../lab/oms/types.js';

const { lab, site: defaultSite } = getSite();
const [h1, h2] = defaultSite.hosts.map((h) => h.name) as [string, string];

// These tests deploy other sites on the lab's hosts; put the default site back for the next file.
afterAll(() => resetSite(lab, defaultSite));

async function upgradeStart(site: Site, host: string): Promise<void> {
  for (const args of [['stop', site.containers.old], ['update', '--restart', 'no', site.containers.old]]) {
    const r = await lab.docker(host, args);
    expect(r.code, r.stderr).toBe(0);
  }
  await loadNewImage(lab, site, host);
  const r = await lab.docker(host, runArgs(site, host, { version: 'new', isUpgrade: true }));
  expect(r.code, r.stderr).toBe(0);
}

async function dockerInit(site: Site, host: string) {
  const r = await lab.docker(host, ['exec', site.containers.new, 'bash', '/root/docker_init.sh']);
  return { code: r.code, out: `${r.stdout}${r.stderr}` };
}

describe('a region whose nodes have their own config.yaml', () => {
  it('needs docker_init.sh on every node: a node is not healthy until its own run', async () => {
    const site = await deploySite(lab, { regions: [{ name: 'hz', location: 1, hosts: [h1, h2], sharedConfig: false }] });
    expect(site.hosts[0]?.configSha).not.toBe(site.hosts[1]?.configSha);
    await upgradeStart(site, h1);
    await upgradeStart(site, h2);
    const first = await dockerInit(site, h1);
    expect(first.code, first.out).toBe(0);
    await waitHealthy(lab, site, h1, site.containers.new, 10_000);
    await new Promise((r) => setTimeout(r, 2000));
    expect((await health(lab, site, h2))?.data.healthy).toBe(false);
    expect(await containerLogs(lab, h2, site.containers.new)).toMatch(/docker_init\.sh never ran with this node's config\.yaml/);
    const second = await dockerInit(site, h2);
    expect(second.code, second.out).toBe(0);
    await waitHealthy(lab, site, h2, site.containers.new, 10_000);
    expect((await dockerInitRuns(site, 'hz')).map((r) => r.configSha).sort()).toEqual(site.hosts.map((h) => h.configSha).sort());
  });
});

describe('an HTTPS site (certificate mounts)', () => {
  it('answers /oms/health over HTTPS only, before and after the upgrade', async () => {
    const site = await deploySite(lab, { https: true, regions: [{ name: 'hz', location: 1, hosts: [h1] }] });
    expect(site.paths.httpsCrt).toBeDefined();
    const plain = await lab.exec(h1, ['curl', '-sS', '--max-time', '2', 'http://127.0.0.1:8089/oms/health']);
    expect(plain.stdout).not.toMatch(/"healthy":true/);
    const tls = await lab.exec(h1, ['curl', '-ksS', '--max-time', '2', 'https://127.0.0.1:8089/oms/health']);
    expect(tls.stdout).toMatch(/"healthy":true/);
    await upgradeStart(site, h1);
    const init = await dockerInit(site, h1);
    expect(init.code, init.out).toBe(0);
    await waitHealthy(lab, site, h1, site.containers.new, 10_000);
    expect((await health(lab, site, h1))?.data).toMatchObject({ healthy: true, version: '4.0.0' });
  });
});

describe('certificate mounts without ssl in config.yaml, and ssl without them', () => {
  it('a mounted certificate is left unused (plain HTTP) unless config.yaml enables ssl; ssl without the certificate refuses to start', async () => {
    const site = await deploySite(lab, { regions: [{ name: 'hz', location: 1, hosts: [h1, h2] }], hostTraits: { [h1]: { certs: true } } });
    expect(site.hosts.map((h) => [h.certs, h.consoleScheme])).toEqual([
      [true, 'http'],
      [false, 'http'],
    ]);
    const plain = await lab.exec(h1, ['curl', '-sS', '--max-time', '2', 'http://127.0.0.1:8089/oms/health']);
    expect(plain.stdout).toMatch(/"healthy":true/);
    const tls = await lab.exec(h1, ['curl', '-ksS', '--max-time', '2', 'https://127.0.0.1:8089/oms/health']);
    expect(tls.code).not.toBe(0);

    const ssl = await deploySite(lab, { regions: [{ name: 'hz', location: 1, hosts: [h1], consoleSsl: true }], hostTraits: { [h1]: { certs: true } } });
    expect(ssl.hosts[0]?.consoleScheme).toBe('https');
    expect((await health(lab, ssl, h1))?.data.healthy).toBe(true);
    await lab.docker(h1, ['rm', '-f', ssl.containers.old]);
    const p = ssl.paths;
    const mounts = [`${p.configPath}:/home/admin/conf/config.yaml`, `${p.logs}:/home/admin/logs`, `${p.store}:/home/ds/store`, `${p.run}:/home/ds/run`];
    const bare = await lab.docker(h1, runArgs(ssl, h1, { mounts }));
    expect(bare.code, bare.stderr).toBe(0);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await containerLogs(lab, h1, ssl.containers.old)).toMatch(/nginx_ssl_enabled is true but the certificate is not mounted/);
  });
});

describe('an older starting version', () => {
  it('deploys a 3.2.2 site (oms_322, feature_3.2.2-ce) that upgrades to 4.0.0 the same way', async () => {
    const site = await deploySite(lab, { oldVersion: '3.2.2', regions: [{ name: 'hz', location: 1, hosts: [h1] }] });
    expect([site.containers.old, site.oldImage]).toEqual(['oms_322', 'oms:feature_3.2.2-ce']);
    expect(await schemaVersion(site)).toEqual({ rm: '3.2.2', cm: '3.2.2', heartbeat: { hz: '3.2.2' } });
    expect((await health(lab, site, h1))?.data).toMatchObject({ healthy: true, version: '3.2.2' });
    await upgradeStart(site, h1);
    const init = await dockerInit(site, h1);
    expect(init.code, init.out).toBe(0);
    await waitHealthy(lab, site, h1, site.containers.new, 10_000);
  });
});
