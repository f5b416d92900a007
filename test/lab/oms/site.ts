/**
 * A simulated OMS site on a started lab, deployed as a real one would be: images loaded from archives, MetaDB seeded,
 * one config.yaml per region on each of its hosts, the three data mounts, and the old containers running with the
 * vendor's run spec. resetSite() brings it back to that pristine state in seconds, for every end-to-end test.
 *
 *   const site = await deploySite(lab);               // 3 hosts, regions hz (h1, h2: one shared config) and sh (h3)
 *   await resetSite(lab, site);
 *   await checksumTables(site);                        // { 'oms_rm.oms_normal_config': 123, ... }
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { renderConfigYaml } from './config-yaml.js';
import { type BuiltImage, buildImages, DEFAULT_REPOSITORY, IMAGE_CACHE_DIR, imageTag, NEW_VERSION, OLD_VERSION, REPOSITORY_420, repositoryFor } from './image.js';
import { atLeast, rootConnection, seedMetaDb } from './seed.js';
import { LAB_SHARED_MOUNT, type RegionSpec, type SimLab, type Site, type SiteHopImage, type SiteHost, type SiteOptions } from './types.js';

export type * from './types.js';

const runLocal = promisify(execFile);

/** Shell and SQL metacharacters and a space, on purpose: every consumer must pass it safely. */
export const DEFAULT_META_PASSWORD = `Oms'Meta"pw $1;|&\\ end`;
export const DEFAULT_DATA_DIR = '/data/oms';
/** Label every simulated OMS image (hence container) carries: resetSite removes containers by it. */
export const SIM_LABEL = 'omsplay.simulated-oms';

const containerName = (version: string) => `oms_${version.replace(/\D/g, '')}`;

/** The site a lab gets for these options (pure: no side effects). */
export function planSite(
  lab: Pick<SimLab, 'id' | 'hosts' | 'mariadb' | 'sharedDir'>,
  opts: SiteOptions = {},
  images?: { old: BuiltImage; new: BuiltImage; via?: BuiltImage[] },
): Site {
  if (!lab.mariadb) throw new Error('the simulated OMS needs the lab started with mariadb: true');
  const repository = opts.repository ?? DEFAULT_REPOSITORY;
  const oldVersion = opts.oldVersion ?? OLD_VERSION;
  const newVersion = opts.newVersion ?? NEW_VERSION;
  const dataDir = opts.dataDir ?? DEFAULT_DATA_DIR;
  const rmDb = opts.db?.rm ?? 'oms_rm';
  const cmDb = opts.db?.cm ?? 'oms_cm';
  const hbPrefix = opts.db?.heartbeatPrefix ?? 'oms_cm_hb_';
  const regionSpecs = opts.regions ?? defaultRegions(lab.hosts.filter((h) => h.dockerSocket).map((h) => h.name));
  if (regionSpecs.length === 0) throw new Error('the simulated OMS site needs lab hosts with docker (startLab({ docker: true }))');
  const locations = new Set(regionSpecs.map((r) => r.location));
  if (locations.size !== regionSpecs.length) throw new Error('cm_location must be unique per region');

  const regions = regionSpecs.map((r, i) => ({
    name: r.name,
    nameCn: r.nameCn ?? `${r.name}-cn`,
    location: r.location,
    isDefault: i === 0,
    heartbeatDb: `${hbPrefix}${r.location}`,
    hosts: [...r.hosts],
    sharedConfig: r.sharedConfig ?? true,
    consoleSsl: r.consoleSsl ?? opts.https ?? false,
  }));
  const configPath = `${dataDir}/config.yaml`;
  const hosts: SiteHost[] = regions.flatMap((r) =>
    r.hosts.map((name) => {
      const h = lab.hosts.find((x) => x.name === name);
      if (!h) throw new Error(`region ${r.name}: no lab host ${name}`);
      const traits = opts.hostTraits?.[name] ?? {};
      const certs = traits.certs ?? opts.https ?? false;
      return {
        name,
        address: h.address,
        region: r.name,
        configPath,
        configSha: '',
        certs,
        consoleScheme: certs && r.consoleSsl ? ('https' as const) : ('http' as const),
        runLock: traits.runLock ?? 'open',
        bastionOnly: traits.bastionOnly ?? false,
      };
    }),
  );
  const oldTar = path.join(lab.sharedDir, 'oms-images', path.basename(images?.old.tarPath ?? `oms-${oldVersion}.tar`));
  const newTar = path.join(lab.sharedDir, 'oms-images', path.basename(images?.new.tarPath ?? `oms-${newVersion}.tar`));
  const anyCerts = hosts.some((h) => h.certs);
  const hopImage = (version: string, built: BuiltImage | undefined): SiteHopImage => {
    const controlTar = path.join(lab.sharedDir, 'oms-images', path.basename(built?.tarPath ?? `oms-${version}.tar`));
    return {
      version,
      image: `${repositoryFor(version, repository)}:${imageTag(version)}`,
      imageId: built?.id ?? '',
      controlTar,
      sharedTar: `${LAB_SHARED_MOUNT}/oms-images/${path.basename(controlTar)}`,
      stagedTar: `${dataDir}/images/oms-${version}.tar`,
      container: containerName(version),
    };
  };
  const via = opts.via ?? [];
  const hops = [...via.map((v, i) => hopImage(v, images?.via?.[i])), hopImage(newVersion, images?.new)];
  const site: Site = {
    labId: lab.id,
    repository,
    oldVersion,
    newVersion,
    oldImage: `${repositoryFor(oldVersion, repository)}:${imageTag(oldVersion)}`,
    newImage: `${repositoryFor(newVersion, repository)}:${imageTag(newVersion)}`,
    imageTars: { old: oldTar, new: newTar },
    imageIds: { old: images?.old.id ?? '', new: images?.new.id ?? '' },
    hops,
    hostImageTars: {
      old: `${LAB_SHARED_MOUNT}/oms-images/${path.basename(oldTar)}`,
      new: `${LAB_SHARED_MOUNT}/oms-images/${path.basename(newTar)}`,
    },
    // The lab's directory (the shared dir's parent) is hidden from the hosts under a tmpfs.
    controlImageTar: path.join(path.dirname(lab.sharedDir), 'control-only', path.basename(newTar)),
    stageImageOnHosts: opts.stageImageOnHosts ?? true,
    metadb: {
      host: lab.mariadb.host,
      port: lab.mariadb.port,
      user: opts.metaUser ?? 'oms',
      password: opts.metaPassword ?? DEFAULT_META_PASSWORD,
      rootUser: 'root',
      rootPassword: lab.mariadb.rootPassword,
    },
    databases: {
      rm: rmDb,
      cm: cmDb,
      heartbeat: Object.fromEntries(regions.map((r) => [r.name, r.heartbeatDb])),
      all: [rmDb, cmDb, ...regions.map((r) => r.heartbeatDb)],
    },
    regions,
    hosts,
    containers: { old: opts.containerName ?? containerName(oldVersion), new: containerName(newVersion) },
    consolePort: 8089,
    https: opts.https ?? false,
    restartPolicy: opts.restartPolicy ?? 'always',
    initWaitSeconds: opts.initWaitSeconds ?? 300,
    seed: {
      haEnabled: opts.haEnabled ?? true,
      heartbeatRows: opts.heartbeatRows ?? 10_000,
      epoch: new Date().toISOString().slice(0, 19).replace('T', ' '),
      omsVersionTable: opts.omsVersionTable ?? atLeast(oldVersion, '4.1.1'),
    },
    paths: {
      dataDir,
      configPath,
      logs: `${dataDir}/oms_logs`,
      store: `${dataDir}/oms_store`,
      run: `${dataDir}/oms_run`,
      imageDir: `${dataDir}/images`,
      newImageTar: `${dataDir}/images/oms-${newVersion}.tar`,
      failDockerInitMarker: `${dataDir}/oms_run/FAIL_DOCKER_INIT`,
      initWaitFile: `${dataDir}/oms_run/SIM_INIT_WAIT_SECONDS`,
      ...(anyCerts ? { httpsCrt: `${dataDir}/https_crt`, httpsKey: `${dataDir}/https_key` } : {}),
    },
  };
  for (const h of site.hosts) h.configSha = sha256(configYamlFor(site, h.name));
  return site;
}

/** hz = the first two hosts (one shared config), sh = the third; fewer hosts: one region. */
export function defaultRegions(hostNames: string[]): RegionSpec[] {
  if (hostNames.length === 0) return [];
  const regions: RegionSpec[] = [{ name: 'hz', nameCn: '杭州', location: 1, hosts: hostNames.slice(0, 2) }];
  if (hostNames.length >= 3) regions.push({ name: 'sh', nameCn: '上海', location: 2, hosts: [hostNames[2] as string] });
  return regions;
}

/** The config.yaml a site host gets. */
export function configYamlFor(site: Site, hostName: string): string {
  const host = site.hosts.find((h) => h.name === hostName);
  const region = site.regions.find((r) => r.name === host?.region);
  if (!host || !region) throw new Error(`host ${hostName} is not part of the site`);
  return renderConfigYaml(site, region, host.address);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * `docker run` arguments of an OMS container on a site host, the vendor's spec: host network, config.yaml and the
 * three data mounts (plus the certificate mounts on an HTTPS site), OMS_HOST_IP, privileged, pids and nproc limits.
 */
export function runArgs(
  site: Site,
  hostName: string,
  opts: { version?: 'old' | 'new'; name?: string; isUpgrade?: boolean; restart?: string; env?: Record<string, string>; mounts?: string[] } = {},
): string[] {
  const host = site.hosts.find((h) => h.name === hostName);
  if (!host) throw new Error(`host ${hostName} is not part of the site`);
  const version = opts.version ?? 'old';
  const p = site.paths;
  const mounts = opts.mounts ?? [
    `${host.configPath}:/home/admin/conf/config.yaml`,
    `${p.logs}:/home/admin/logs`,
    `${p.store}:/home/ds/store`,
    `${p.run}:/home/ds/run`,
    ...(host.certs && p.httpsCrt && p.httpsKey ? [`${p.httpsCrt}:/etc/pki/nginx/oms_server.crt`, `${p.httpsKey}:/etc/pki/nginx/oms_server.key`] : []),
  ];
  const env: Record<string, string> = { OMS_HOST_IP: host.address, ...(opts.isUpgrade ? { IS_UPGRADE: 'true' } : {}), ...(opts.env ?? {}) };
  return [
    'run',
    '-dit',
    '--net',
    'host',
    ...mounts.flatMap((m) => ['-v', m]),
    ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    '--privileged=true',
    '--pids-limit',
    '-1',
    '--ulimit',
    'nproc=65535:65535',
    ...(opts.restart ? ['--restart', opts.restart] : version === 'old' ? ['--restart', site.restartPolicy] : []),
    '--name',
    opts.name ?? (version === 'old' ? site.containers.old : site.containers.new),
    version === 'old' ? site.oldImage : site.newImage,
  ];
}

async function must(what: string, p: Promise<{ code: number; stdout: string; stderr: string }>): Promise<string> {
  const r = await p;
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(0, 1500)}`);
  return r.stdout;
}

/** Deploys the site: builds (or reuses) the images, seeds the MetaDB, prepares every host, starts the old OMS. */
export async function deploySite(lab: SimLab, opts: SiteOptions = {}): Promise<Site> {
  const log = opts.log ?? (() => undefined);
  const t0 = Date.now();
  const oldVersion = opts.oldVersion ?? OLD_VERSION;
  const newVersion = opts.newVersion ?? NEW_VERSION;
  const via = opts.via ?? [];
  const built = await buildImages({ repository: opts.repository, versions: [oldVersion, ...via, newVersion], padMb: opts.imagePadMb, padVersions: [...via, newVersion] });
  const images = { old: built[oldVersion] as BuiltImage, new: built[newVersion] as BuiltImage, via: via.map((v) => built[v] as BuiltImage) };
  log(`oms images ready in ${Date.now() - t0} ms`);
  const site = planSite(lab, opts, images);
  await stageShared(lab, site, images);
  await resetSite(lab, site, { log });
  log(`oms site deployed in ${Date.now() - t0} ms`);
  return site;
}

/** Copies (hard-links when possible) the archives and the certificate into the lab's shared directory. */
async function stageShared(lab: SimLab, site: Site, images: { old: BuiltImage; new: BuiltImage; via?: BuiltImage[] }): Promise<void> {
  const dir = path.join(lab.sharedDir, 'oms-images');
  await mkdir(dir, { recursive: true });
  for (const [tar, dest] of [
    [images.old.tarPath, site.imageTars.old],
    [images.new.tarPath, site.imageTars.new],
    ...(images.via ?? []).map((img, i) => [img.tarPath, site.hops[i]!.controlTar] as const),
  ] as const) {
    const [a, b] = await Promise.all([stat(tar), stat(dest).catch(() => undefined)]);
    if (b && a.size === b.size && a.ino === b.ino) continue;
    const tmp = `${dest}.${process.pid}`;
    await link(tar, tmp).catch(() => copyFile(tar, tmp));
    await rename(tmp, dest);
  }
  const control = path.dirname(site.controlImageTar);
  await mkdir(control, { recursive: true });
  await rm(site.controlImageTar, { force: true });
  await link(site.imageTars.new, site.controlImageTar).catch(() => copyFile(site.imageTars.new, site.controlImageTar));
  if (site.hosts.some((h) => h.certs)) {
    const crt = path.join(IMAGE_CACHE_DIR, 'https.crt');
    const key = path.join(IMAGE_CACHE_DIR, 'https.key');
    if (!existsSync(crt) || !existsSync(key)) {
      await runLocal('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650', '-subj', '/CN=oms.lab', '-keyout', `${key}.tmp`, '-out', `${crt}.tmp`]);
      await rename(`${key}.tmp`, key);
      await rename(`${crt}.tmp`, crt);
    }
    await copyFile(crt, path.join(dir, 'https.crt'));
    await copyFile(key, path.join(dir, 'https.key'));
  }
}

const HOST_PREP = `set -eu
data=$1 tar=$2 hosttar=$3 shared=$4 https=$5 stage=$6 runlock=$7 bastion_only=$8 control=$9 initwait=\${10}
rm -rf "$data/oms_logs" "$data/oms_store" "$data/oms_run" "$data/images" "$data/https_crt" "$data/https_key"
mkdir -p "$data/oms_logs" "$data/oms_store" "$data/oms_run" "$data/images"
echo "$initwait" > "$data/oms_run/SIM_INIT_WAIT_SECONDS"
if [ "$stage" = 1 ]; then cp "$tar" "$hosttar"; elif [ "$stage" = link ]; then ln -s "$tar" "$hosttar"; fi
if [ "$https" = 1 ]; then cp "$shared/https.crt" "$data/https_crt"; cp "$shared/https.key" "$data/https_key"; fi
# /run/lock (= /var/lock) as the profile has it: open (Debian), root-only (RHEL family) or missing (minimal host).
case "$runlock" in
  open) mkdir -p /run/lock; chown root:root /run/lock; chmod 1777 /run/lock ;;
  root-only) mkdir -p /run/lock; chown root:root /run/lock; chmod 0755 /run/lock ;;
  missing) rm -rf /run/lock ;;
esac
# Bastion-only: new TCP connections from the control node are refused (replies to the host's own connections pass).
rule="INPUT -p tcp --syn -s $control -m comment --comment omsplay-bastion-only -j REJECT --reject-with tcp-reset"
while iptables -D $rule 2>/dev/null; do :; done
if [ "$bastion_only" = 1 ]; then iptables -I $rule; fi
cat > "$data/config.yaml.tmp"
mv -f "$data/config.yaml.tmp" "$data/config.yaml"
`;

/**
 * Back to the pristine old-version site: every simulated OMS container removed, images other than the old one
 * removed, mount directories emptied, config.yaml and the staged archive rewritten, MetaDB dropped and reseeded, the
 * old containers started again and healthy. About 2-4 s.
 */
export async function resetSite(lab: SimLab, site: Site, opts: { log?: (line: string) => void } = {}): Promise<void> {
  const log = opts.log ?? (() => undefined);
  const t0 = Date.now();
  // A test may have killed or cut a host: bring it back first.
  await Promise.all(
    site.hosts.map(async (h) => {
      if (lab.isUp && lab.restart && !(await lab.isUp(h.name))) await lab.restart(h.name);
      await lab.heal?.(h.name);
    }),
  );
  // Every docker host of the lab, not only the site's: a variant site must not share the MetaDB with leftovers.
  const dockerHosts = lab.hosts.filter((h) => h.dockerSocket && !site.hosts.some((s) => s.name === h.name)).map((h) => h.name);
  await Promise.all([...site.hosts.map((h) => clearHost(lab, site, h.name)), ...dockerHosts.map((h) => removeSimContainers(lab, h))]);
  await seedMetaDb(site, site.seed);
  log(`oms metadb seeded in ${Date.now() - t0} ms`);
  await Promise.all(
    site.hosts.map(async (h) => {
      await must(
        `[${h.name}] preparing ${site.paths.dataDir}`,
        lab.exec(h.name, ['bash', '-c', HOST_PREP, 'prep', site.paths.dataDir, site.hostImageTars.new, site.paths.newImageTar, `${LAB_SHARED_MOUNT}/oms-images`,
          h.certs ? '1' : '0', site.stageImageOnHosts === false ? '0' : site.stageImageOnHosts === 'link' ? 'link' : '1', h.runLock ?? 'open', h.bastionOnly ? '1' : '0', site.metadb.host, String(site.initWaitSeconds ?? 300)], {
          stdin: configYamlFor(site, h.name),
        }),
      );
      // The archives of the versions a multi-hop upgrade passes through, staged like the new one's.
      if (site.stageImageOnHosts !== false) {
        for (const hop of (site.hops ?? []).slice(0, -1)) await must(`[${h.name}] staging ${hop.stagedTar}`, lab.exec(h.name, [site.stageImageOnHosts === 'link' ? 'ln' : 'cp', ...(site.stageImageOnHosts === 'link' ? ['-s'] : []), hop.sharedTar, hop.stagedTar]));
      }
      await must(`[${h.name}] docker run ${site.containers.old}`, lab.docker(h.name, runArgs(site, h.name)));
    }),
  );
  // Many hosts start their OMS at once on few cores (the 30-host benchmark): more time than for the 3-host lab.
  await Promise.all(site.hosts.map((h) => waitHealthy(lab, site, h.name, site.containers.old, Math.max(30_000, site.hosts.length * 4_000))));
  log(`oms site reset in ${Date.now() - t0} ms`);
}

/** Removes the host's simulated OMS containers and every image of the repository but the old one (loads it if needed). */
async function clearHost(lab: SimLab, site: Site, host: string): Promise<void> {
  await removeSimContainers(lab, host);
  const refs: string[] = [];
  for (const repo of new Set([site.repository, REPOSITORY_420])) {
    const out = await must(`[${host}] docker images`, lab.docker(host, ['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}', repo]));
    refs.push(...out.split('\n').filter(Boolean).map((l) => l.split(' ')[0] as string).filter((r) => r !== site.oldImage));
  }
  if (refs.length > 0) await must(`[${host}] docker rmi`, lab.docker(host, ['rmi', '-f', ...refs]));
  const id = await lab.docker(host, ['image', 'inspect', '-f', '{{.Id}}', site.oldImage]);
  if (id.code !== 0 || id.stdout.trim() !== site.imageIds.old) {
    await must(`[${host}] docker load ${site.imageTars.old}`, lab.docker(host, ['load', '-i', site.imageTars.old]));
  }
}

/** `docker load` of the new image on a host (what the upgrade's step 7 does; resetSite removes it again). */
export async function loadNewImage(lab: SimLab, site: Site, host: string): Promise<void> {
  await must(`[${host}] docker load ${site.imageTars.new}`, lab.docker(host, ['load', '-i', site.imageTars.new]));
}

/** Removes every simulated OMS container of a host (running or not). */
export async function removeSimContainers(lab: SimLab, host: string): Promise<void> {
  const ids = (await must(`[${host}] docker ps`, lab.docker(host, ['ps', '-aq', '--filter', `label=${SIM_LABEL}`]))).split('\n').filter(Boolean);
  if (ids.length > 0) await must(`[${host}] docker rm`, lab.docker(host, ['rm', '-f', ...ids]));
}

/** GET /oms/health on the host (from the host itself); undefined when nothing answers. */
export async function health(lab: SimLab, site: Site, host: string): Promise<{ success: boolean; data: { healthy: boolean; version: string } } | undefined> {
  const scheme = site.hosts.find((h) => h.name === host)?.consoleScheme ?? (site.https ? 'https' : 'http');
  const url = `${scheme}://127.0.0.1:${site.consolePort}/oms/health`;
  const r = await lab.exec(host, ['curl', '-ksS', '--max-time', '2', url]);
  if (r.code !== 0) return undefined;
  try {
    return JSON.parse(r.stdout);
  } catch {
    return undefined;
  }
}

/** The container's last log line (docker logs with -t ends lines with \r\n; the \r is dropped). */
export async function lastLogLine(lab: SimLab, host: string, container: string): Promise<string> {
  const r = await lab.docker(host, ['logs', '--tail', '1', container]);
  return `${r.stdout}${r.stderr}`.replace(/\r/g, '').trim();
}

/** Full docker logs of a container (stdout and stderr, \r removed). */
export async function containerLogs(lab: SimLab, host: string, container: string): Promise<string> {
  const r = await lab.docker(host, ['logs', container]);
  return `${r.stdout}${r.stderr}`.replace(/\r/g, '');
}

/** docker inspect of a container, or undefined when it does not exist. */
export async function inspectContainer(lab: SimLab, host: string, container: string): Promise<any | undefined> {
  const r = await lab.docker(host, ['inspect', container]);
  if (r.code !== 0) return undefined;
  return (JSON.parse(r.stdout) as unknown[])[0];
}

/** Waits like OBD's health check: last log line "OMS service start successfully" and /oms/health healthy. */
export async function waitHealthy(lab: SimLab, site: Site, host: string, container: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    last = await lastLogLine(lab, host, container);
    if (last === 'OMS service start successfully' && (await health(lab, site, host))?.data?.healthy === true) return;
    if (Date.now() > deadline) {
      const state = await inspectContainer(lab, host, container);
      throw new Error(`[${host}] ${container} not healthy after ${timeoutMs} ms (state ${state?.State?.Status ?? 'missing'}); last log line: ${last}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

/**
 * CHECKSUM TABLE of every table of rm, cm and every heartbeat database: {'db.table': checksum}.
 * excludeHeartbeat leaves out the heartbeat databases, whose tables running containers write every second.
 */
export async function checksumTables(site: Site, opts: { excludeHeartbeat?: boolean } = {}): Promise<Record<string, number | null>> {
  const conn = await rootConnection(site);
  const hb = new Set(Object.values(site.databases.heartbeat));
  try {
    const out: Record<string, number | null> = {};
    for (const db of site.databases.all.filter((d) => !(opts.excludeHeartbeat && hb.has(d)))) {
      const [tables] = await conn.query(
        'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? AND table_type = "BASE TABLE" ORDER BY table_name',
        [db],
      );
      const names = (tables as { t: string }[]).map((r) => `${conn.escapeId(db)}.${conn.escapeId(r.t)}`);
      if (names.length === 0) continue;
      const [rows] = await conn.query(`CHECKSUM TABLE ${names.join(', ')}`);
      for (const r of rows as { Table: string; Checksum: number | null }[]) out[r.Table] = r.Checksum;
    }
    return out;
  } finally {
    await conn.end();
  }
}

/** The current ha.config value, parsed. */
export async function haConfig(site: Site): Promise<Record<string, unknown>> {
  const conn = await rootConnection(site);
  try {
    const [rows] = await conn.query(`SELECT cfg_value AS v FROM ${conn.escapeId(site.databases.rm)}.oms_normal_config WHERE cfg_name = 'ha.config'`);
    const v = (rows as { v: string }[])[0]?.v;
    if (v === undefined) throw new Error('ha.config is missing');
    return JSON.parse(v) as Record<string, unknown>;
  } finally {
    await conn.end();
  }
}

/** Last schema_version row of each database ('' when the table is missing). */
export async function schemaVersion(site: Site): Promise<{ rm: string; cm: string; heartbeat: Record<string, string> }> {
  const conn = await rootConnection(site);
  const one = async (db: string): Promise<string> => {
    try {
      const [rows] = await conn.query(`SELECT version FROM ${conn.escapeId(db)}.schema_version ORDER BY id DESC LIMIT 1`);
      return (rows as { version: string }[])[0]?.version ?? '';
    } catch {
      return '';
    }
  };
  try {
    const heartbeat: Record<string, string> = {};
    for (const r of site.regions) heartbeat[r.name] = await one(r.heartbeatDb);
    return { rm: await one(site.databases.rm), cm: await one(site.databases.cm), heartbeat };
  } finally {
    await conn.end();
  }
}

/** docker_init.sh runs recorded in a region's heartbeat database: who ran it and with which config.yaml. */
export async function dockerInitRuns(site: Site, region: string): Promise<{ appliedBy: string; configSha: string }[]> {
  const r = site.regions.find((x) => x.name === region);
  if (!r) throw new Error(`no region ${region}`);
  const conn = await rootConnection(site);
  try {
    const [rows] = await conn.query(
      `SELECT applied_by AS appliedBy, config_sha AS configSha FROM ${conn.escapeId(r.heartbeatDb)}.schema_version WHERE version = ? ORDER BY id`,
      [site.newVersion],
    );
    return rows as { appliedBy: string; configSha: string }[];
  } finally {
    await conn.end();
  }
}

/** Removes what the site left on the control node's shared dir (the lab's own teardown removes the rest). */
export async function removeStaged(lab: SimLab): Promise<void> {
  await rm(path.join(lab.sharedDir, 'oms-images'), { recursive: true, force: true });
}
