/**
 * The shipped upgrade.yml and rollback.yml on both site profiles (README "Site profiles"): validate; --check on the
 * fresh, never-staged site changes nothing; then upgrade -> rollback -> upgrade -> rollback with no manual step
 * between them. The hostile profile: non-root login users whose sudo allows only docker (with and without a
 * password), /run/lock root-only and missing, a certificate-mounted console answering plain HTTP and one answering
 * HTTPS, SSH on port 2222, a region reachable only through a bastion, the new image tar only on the control node.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/lab.js';
import { getSite } from '../../lab/oms/context.js';
import { writeSiteInventory } from '../../lab/oms/inventory.js';
import { hostileEnv, hostileSiteOptions, writeHostileInventory } from '../../lab/oms/profiles.js';
import { checksumTables, deploySite, haConfig, inspectContainer, resetSite, schemaVersion } from '../../lab/oms/site.js';
import type { Site } from '../../lab/oms/types.js';
import { type CliResult, omsplay } from '../../support/omsplay.js';

const { lab, site: friendly } = getSite();
const env = { OMSPLAY_HOME: join(lab.dir, 'omsplay-home-round-trip') };

function explain(r: CliResult): string {
  const bad = r.events.filter((e) => e.type === 'task_result' && (e.status === 'failed' || e.status === 'unreachable'));
  return `exit ${r.code}\n${r.stderr}\n${bad.map((e) => `${e.host} ${e.task}: ${JSON.stringify(e.result).slice(0, 800)}`).join('\n')}`;
}

/** The heartbeat tables the running containers keep writing. */
const written = (t: string) => t.endsWith('.heatbeat_sequence') || t.endsWith('.host_heartbeat');

/** Table checksums but the heartbeat tables and ha.config's table (compared by value: refetchStoreIntervalMin is recomputed). */
async function metadbState(s: Site): Promise<Record<string, number | null>> {
  return Object.fromEntries(Object.entries(await checksumTables(s)).filter(([t]) => !written(t) && !t.endsWith('.oms_normal_config')));
}

/** Every container of the host: name, image, state and restart policy. */
async function containers(l: Lab, host: string): Promise<string[]> {
  const r = await l.docker(host, ['ps', '-a', '--format', '{{.Names}}']);
  const out: string[] = [];
  for (const name of r.stdout.split('\n').filter(Boolean).sort()) {
    const c = await inspectContainer(l, host, name);
    out.push(`${name} ${c?.Id} ${c?.Config.Image} running=${c?.State.Running} restart=${c?.HostConfig.RestartPolicy.Name}`);
  }
  return out;
}

/**
 * The /data/oms tree (paths, types, modes, owners; content hashes of the files no running OMS rewrites) and the
 * login users' homes (where the hostile upgrade stages the image).
 */
async function trees(l: Lab, host: string, s: Site): Promise<string> {
  const script = `find ${s.paths.dataDir} /home -xdev -printf '%p %y %m %u\\n' | sort
find ${s.paths.dataDir} -maxdepth 1 -type f -exec sha256sum {} + | sort`;
  const r = await l.sh(host, script);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

async function snapshot(s: Site) {
  const hosts: Record<string, { containers: string[]; trees: string }> = {};
  for (const h of s.hosts) hosts[h.name] = { containers: await containers(lab, h.name), trees: await trees(lab, h.name, s) };
  return { hosts, tables: Object.fromEntries(Object.entries(await checksumTables(s)).filter(([t]) => !written(t))), ha: await haConfig(s) };
}

async function onOldVersion(s: Site, haBefore: Record<string, unknown>, before: Record<string, number | null>): Promise<void> {
  for (const h of s.hosts) {
    const old = await inspectContainer(lab, h.name, s.containers.old);
    expect(old?.State.Running, `${s.containers.old} runs on ${h.name}`).toBe(true);
    expect(old?.HostConfig.RestartPolicy.Name).toBe(s.restartPolicy);
    // The rollback removed the new container (the next upgrade needs its name).
    expect(await inspectContainer(lab, h.name, s.containers.new), `${s.containers.new} on ${h.name}`).toBeUndefined();
  }
  const v = await schemaVersion(s);
  expect([v.rm, v.cm, ...Object.values(v.heartbeat)]).toEqual([s.oldVersion, s.oldVersion, ...s.regions.map(() => s.oldVersion)]);
  expect(await metadbState(s)).toEqual(before);
  const ha = await haConfig(s);
  for (const [k, val] of Object.entries(haBefore)) if (k !== 'refetchStoreIntervalMin') expect(ha[k], `ha.config ${k}`).toEqual(val);
}

async function onNewVersion(s: Site): Promise<void> {
  for (const h of s.hosts) {
    expect((await inspectContainer(lab, h.name, s.containers.new))?.State.Running, `${s.containers.new} runs on ${h.name}`).toBe(true);
    expect((await inspectContainer(lab, h.name, s.containers.old))?.State.Running, `${s.containers.old} stopped on ${h.name}`).toBe(false);
  }
  expect((await schemaVersion(s)).rm).toBe(s.newVersion);
  expect((await haConfig(s)).enable).toBe(true);
}

interface Profile {
  name: string;
  setup(): Promise<{ site: Site; inv: string; env: Record<string, string> }>;
}

const profiles: Profile[] = [
  {
    name: 'friendly',
    async setup() {
      await resetSite(lab, friendly);
      const inv = await writeSiteInventory(lab, friendly, { file: join(lab.dir, 'round-trip-friendly.yml'), vars: { oms_health_timeout: 60 } });
      return { site: friendly, inv, env };
    },
  },
  {
    name: 'hostile',
    async setup() {
      const site = await deploySite(lab, hostileSiteOptions());
      const inv = await writeHostileInventory(lab, site, { file: join(lab.dir, 'round-trip-hostile.yml'), vars: { oms_health_timeout: 60 } });
      return { site, inv, env: { ...env, ...hostileEnv(lab) } };
    },
  },
];

// The hostile profile is deployed over the friendly site's hosts: put the friendly one back for the next file.
afterAll(() => resetSite(lab, friendly));

describe.each(profiles)('the $name site profile', (profile) => {
  let site: Site;
  let inv: string;
  let runEnv: Record<string, string>;
  beforeAll(async () => {
    ({ site, inv, env: runEnv } = await profile.setup());
  });
  const run = (...args: string[]) => omsplay(['run', ...args, '-i', inv, '--json'], { env: runEnv });

  if (profile.name === 'hostile') {
    it('is hostile: docker-only sudo, /run/lock root-only and missing, a certificate on a plain-HTTP console, SSH through a bastion, the tar only here', async () => {
      const sh = async (host: string, script: string, user?: string) => (await lab.exec(host, ['bash', '-c', script], user ? { user } : {})).code;
      // sudo allows docker only (dockerpw: and asks its password).
      expect(await sh('h1', 'sudo -n true', 'dockerop')).not.toBe(0);
      expect(await sh('h1', 'sudo -n /usr/bin/docker ps -q >/dev/null', 'dockerop')).toBe(0);
      expect(await sh('h2', 'sudo -n /usr/bin/docker ps -q', 'dockerpw')).not.toBe(0);
      expect((await lab.exec('h2', ['bash', '-c', `printf '%s\n' "$P" | sudo -S -p '' /usr/bin/docker ps -q >/dev/null`], { user: 'dockerpw', env: { P: lab.users.dockerpw.password ?? '' } })).code).toBe(0);
      // /run/lock: root-only on h1, missing on h2.
      expect((await lab.exec('h1', ['stat', '-c', '%a %U', '/run/lock'])).stdout.trim()).toBe('755 root');
      expect(await sh('h2', 'test -e /run/lock')).not.toBe(0);
      // Consoles: h1 mounts the certificate but answers plain HTTP; h3 answers HTTPS only.
      const answers = async (host: string, scheme: string) => /"healthy":true/.test((await lab.exec(host, ['curl', '-ksS', '--max-time', '2', `${scheme}://127.0.0.1:8089/oms/health`])).stdout);
      expect([await answers('h1', 'http'), await answers('h1', 'https'), await answers('h3', 'https'), await answers('h3', 'http')]).toEqual([true, false, true, false]);
      for (const h of ['h1', 'h3']) expect((await inspectContainer(lab, h, site.containers.old)).HostConfig.Binds.join(' '), h).toContain(':/etc/pki/nginx/oms_server.crt');
      // SSH: h2 on 2222; h3 refuses the control node, answers its bastion h1.
      expect(lab.host('h2').port).toBe(2222);
      expect((await lab.ssh('h3', 'true', { timeoutMs: 10_000 })).code).not.toBe(0);
      expect((await lab.exec('h1', ['bash', '-c', `exec 3<>/dev/tcp/${lab.host('h3').address}/22 && head -c 7 <&3`])).stdout).toBe('SSH-2.0');
      // The new image tar: only on the control node.
      for (const h of site.hosts) expect(await sh(h.name, `test -e ${site.paths.newImageTar}`), h.name).not.toBe(0);
      expect(site.stageImageOnHosts).toBe(false);
      expect((await lab.exec('h1', ['test', '-e', site.controlImageTar])).code).not.toBe(0);
      // The MetaDB user's grants name the OMS databases only.
      expect(site.seed.metaGrants).toBe('databases');
    });
  }

  it('validates', async () => {
    for (const book of ['upgrade.yml', 'rollback.yml']) {
      const r = await omsplay(['validate', book, '-i', inv], { env: runEnv });
      expect(r.code, `${book}: ${r.stdout}${r.stderr}`).toBe(0);
    }
  });

  it('--check on the fresh site exits 0, plans every step and changes nothing', async () => {
    const before = await snapshot(site);
    const r = await run('upgrade.yml', '--check');
    expect(r.code, explain(r)).toBe(0);
    const tasks = new Set(r.events.filter((e) => e.type === 'task_start').map((e) => e.task));
    for (const step of ['Stage: copy the new image tar to the host', 'Disable HA: set ha.config enable=false', 'Stop old containers: docker stop, restart policy no', 'Back up: mysqldump --triggers=false each database', 'Load image: docker load -i', 'Start new containers: docker run', 'Verify: the new container is healthy', 'Report: what is left to do'])
      expect(tasks, step).toContain(step);
    const report = r.events.find((e) => e.type === 'task_result' && e.task === 'Report: what is left to do')!;
    expect(report.result.msg).toMatch(/^Check mode: nothing was changed\. A real run would upgrade OMS to 4\.0\.0/);
    expect(report.result.msg).not.toMatch(/OMS is now/);
    expect(await snapshot(site)).toEqual(before);
  });

  it('upgrade, rollback, upgrade again, rollback again: no manual step between them', async () => {
    const haBefore = await haConfig(site);
    const before = await metadbState(site);
    for (const round of [1, 2]) {
      const up = await run('upgrade.yml');
      expect(up.code, `upgrade ${round}: ${explain(up)}`).toBe(0);
      await onNewVersion(site);
      // The console's scheme was found, not guessed from the certificate mount.
      const verify = up.events.filter((e) => e.type === 'task_result' && e.task === 'Verify: the new container is healthy');
      expect(Object.fromEntries(verify.map((e) => [e.host, e.result.scheme]))).toEqual(Object.fromEntries(site.hosts.map((h) => [h.name, h.consoleScheme])));

      const back = await run('rollback.yml', '--from-run', 'last', '--yes');
      expect(back.code, `rollback ${round}: ${explain(back)}`).toBe(0);
      // Friendly: each dump staged before the stop and swapped in. Hostile: the MetaDB user may not create a staging
      // database, so each is loaded inside the outage (nothing else changes for the site).
      const restores = back.events.filter((e) => e.type === 'item_result' && e.task === 'Rollback: restore each database');
      expect(restores.map((e) => e.result.swapped)).toEqual(site.databases.all.map(() => profile.name === 'friendly'));
      if (profile.name === 'hostile') for (const e of restores) expect(e.result.swap_skipped).toMatch(/did not complete/);
      await onOldVersion(site, haBefore, before);
      // The new containers' docker inspect went to the journal before they were removed.
      const kept = back.events.filter((e) => e.type === 'task_result' && e.task === 'Rollback: the new container as it is (kept in the journal before it goes)');
      expect(kept.map((e) => e.result.exists)).toEqual(site.hosts.map(() => true));
    }
  }, 600_000); // four playbook runs: minutes on a loaded 2-core machine
});

describe('on the friendly site', () => {
  const inventory = () => writeSiteInventory(lab, friendly, { file: join(lab.dir, 'round-trip-friendly-extra.yml'), vars: { oms_health_timeout: 60 } });

  it('a health scheme the console does not answer on is refused in preflight, before anything changes', async () => {
    await resetSite(lab, friendly);
    const inv = await inventory();
    const before = await snapshot(friendly);
    const r = await omsplay(['run', 'upgrade.yml', '-i', inv, '--json', '-e', 'oms_health_scheme=https'], { env });
    expect(r.code, explain(r)).toBe(2);
    const failed = r.events.filter((e) => e.type === 'task_result' && e.status === 'failed');
    expect(failed.map((e) => e.task)).toEqual(friendly.hosts.map(() => 'Preflight: the console answered (oms_health_scheme)'));
    expect(failed[0]!.result.msg).toMatch(/answered on neither of https.*Set oms_health_scheme/);
    expect(r.events.some((e) => e.type === 'task_start' && e.task === 'Disable HA: set ha.config enable=false')).toBe(false);
    expect(await snapshot(friendly)).toEqual(before);
  });

  it('the rollback never removes a container it did not create, even one named like the new container', async () => {
    await resetSite(lab, friendly);
    const inv = await inventory();
    const up = await omsplay(['run', 'upgrade.yml', '-i', inv, '--json'], { env });
    expect(up.code, explain(up)).toBe(0);
    // Someone replaces h2's new container with one of their own, same name.
    await lab.docker('h2', ['rm', '-f', friendly.containers.new]);
    const own = await lab.docker('h2', ['create', '--name', friendly.containers.new, friendly.newImage]);
    expect(own.code, own.stderr).toBe(0);
    const ownId = own.stdout.trim();
    const back = await omsplay(['run', 'rollback.yml', '-i', inv, '--from-run', 'last', '--yes', '--json'], { env });
    expect(back.code, explain(back)).toBe(0);
    expect((await inspectContainer(lab, 'h2', friendly.containers.new))?.Id).toBe(ownId);
    const left = back.events.find((e) => e.type === 'task_result' && e.host === 'h2' && e.task === 'Rollback: a container named like the new one that the upgrade did not create is left alone')!;
    expect(left.result.msg).toContain(`is not the container the upgrade created`);
    for (const h of ['h1', 'h3']) expect(await inspectContainer(lab, h, friendly.containers.new), h).toBeUndefined();
    for (const h of friendly.hosts) expect((await inspectContainer(lab, h.name, friendly.containers.old))?.State.Running, h.name).toBe(true);
  });
});
