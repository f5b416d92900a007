// Builds the simulated OMS images without a registry or a docker daemon: a base layer (busybox, bash, the MariaDB
// client and dump, openssl, with the libraries ldd lists) and a small per-version layer (the service scripts), written
// as `docker save` archives that `docker load -i` accepts. Archives are cached per machine under
// /var/tmp/omsplay-oms-images/<hash of the build inputs>/, so they are built once.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, readFile, realpath, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { parseGraph, type UpgradeGraph } from '../../../lib/upgrade/graph.js';

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCRIPTS = path.join(HERE, 'image');
/** The project's upgrade graph: each image enforces its version's documented sources and procedure family. */
const GRAPH_FILE = path.resolve(HERE, '../../../playbooks/vars/upgrade-graph.yml');
/** Bumped when the layout of the image changes in a way the hashed inputs do not show. */
const FORMAT = 4;

export const IMAGE_CACHE_DIR = '/var/tmp/omsplay-oms-images';
export const DEFAULT_REPOSITORY = 'oms';
export const OLD_VERSION = '3.3.1';
export const NEW_VERSION = '4.0.0';
/** The vendor's image repository from V4.2.0 on (the upgrade guides' `work.oceanbase-dev.com/obartifact-store/oms`). */
export const REPOSITORY_420 = 'work.oceanbase-dev.com/obartifact-store/oms';

/** The repository of a version's image: the site's (default "oms") before 4.2.0, the vendor's new one from 4.2.0. */
export function repositoryFor(version: string, repository = DEFAULT_REPOSITORY): string {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > 4 || (a === 4 && b >= 2) ? REPOSITORY_420 : repository;
}

/** What an image of this version enforces: its procedure family and documented sources ('' / [] when not a target). */
export async function upgradeRules(version: string): Promise<{ family: string; sources: string[] }> {
  const graph: UpgradeGraph = parseGraph((parseYaml(await readFile(GRAPH_FILE, 'utf8')) as { oms_upgrade_graph: unknown }).oms_upgrade_graph);
  const t = graph.targets[version];
  return { family: t?.family ?? '', sources: t?.from ?? [] };
}

/** The vendor's tag for a version: feature_4.0.0-ce. */
export function imageTag(version: string): string {
  return `feature_${version}-ce`;
}

export interface BuiltImage {
  version: string;
  /** repository:tag, e.g. oms:feature_4.0.0-ce */
  ref: string;
  /** `docker save` archive for `docker load -i`. */
  tarPath: string;
  /** The image id docker reports after loading (sha256 of the image config). */
  id: string;
}

export interface BuildOptions {
  repository?: string;
  versions?: string[];
  cacheDir?: string;
  /** A layer of this many MB of incompressible bytes in the images of padVersions: a real OMS image is a few GB, and
   *  its `docker load` time is what the vendor's order puts inside the outage (the upgrade benchmark). Default 0. */
  padMb?: number;
  padVersions?: string[];
}

const BINARIES = ['/bin/bash', '/usr/bin/mariadb', '/usr/bin/mariadb-dump', '/usr/bin/openssl'];
/** Only HTTPS sites need it (the console's TLS); without it the image is built and HTTPS sites fail clearly. */
const OPTIONAL = new Set(['/usr/bin/openssl']);
const BUSYBOX = '/bin/busybox';

/** Builds (or finds in the cache) one archive per version. Takes about a second when not cached. */
export async function buildImages(opts: BuildOptions = {}): Promise<Record<string, BuiltImage>> {
  const repository = opts.repository ?? DEFAULT_REPOSITORY;
  const versions = opts.versions ?? [OLD_VERSION, NEW_VERSION];
  const cacheDir = opts.cacheDir ?? IMAGE_CACHE_DIR;
  const files = await hostFiles();
  const scripts = await readScripts();
  const rules = Object.fromEntries(await Promise.all(versions.map(async (v) => [v, await upgradeRules(v)] as const)));
  const hash = createHash('sha256');
  const padMb = opts.padMb ?? 0;
  const padVersions = padMb > 0 ? [...(opts.padVersions ?? [])].sort() : [];
  hash.update(JSON.stringify({ FORMAT, repository, versions: [...versions].sort(), rules, ...(padMb > 0 ? { padMb, padVersions } : {}) }));
  for (const f of files) {
    const s = await stat(f);
    hash.update(`${f}:${s.size}:${s.mtimeMs}\n`);
  }
  for (const [name, text] of Object.entries(scripts)) hash.update(`${name}\n${text}\n`);
  const key = hash.digest('hex').slice(0, 16);
  const dir = path.join(cacheDir, key);
  const indexFile = path.join(dir, 'images.json');
  try {
    const hit = JSON.parse(await readFile(indexFile, 'utf8')) as Record<string, BuiltImage>;
    const now = new Date();
    await utimes(dir, now, now); // in use: keeps pruneCache away
    return hit;
  } catch {
    // not built yet
  }
  await mkdir(cacheDir, { recursive: true });
  const work = path.join(cacheDir, `.build-${key}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(work, { recursive: true });
    const base = await baseLayer(work, files);
    const pad = padVersions.length ? await padLayer(work, padMb) : undefined;
    const out: Record<string, BuiltImage> = {};
    for (const version of versions) {
      out[version] = await versionImage(work, base, scripts, repository, version, rules[version]!, padVersions.includes(version) ? pad : undefined);
    }
    await mkdir(dir, { recursive: true });
    for (const img of Object.values(out)) {
      const final = path.join(dir, path.basename(img.tarPath));
      await rename(img.tarPath, final);
      img.tarPath = final;
    }
    await writeFile(indexFile, `${JSON.stringify(out, null, 2)}\n`);
    await pruneCache(cacheDir, key);
    return out;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function readScripts(): Promise<Record<string, string>> {
  const names = ['common.sh', 'oms-entrypoint.sh', 'docker_init.sh', 'migrate.sh'];
  const out: Record<string, string> = {};
  for (const n of names) out[n] = await readFile(path.join(SCRIPTS, n), 'utf8');
  return out;
}

/** Binaries plus every shared library they load (as ldd resolves them), absolute paths. */
async function hostFiles(): Promise<string[]> {
  const present = BINARIES.filter((b) => !OPTIONAL.has(b) || existsSync(b));
  const set = new Set<string>([BUSYBOX, ...present]);
  for (const bin of present) {
    const { stdout } = await run('ldd', [bin]);
    for (const line of stdout.split('\n')) {
      const m = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
      if (m?.[1]) set.add(m[1]);
    }
  }
  for (const f of set) {
    await stat(f).catch(() => {
      throw new Error(`simulated OMS image: ${f} is missing (install busybox-static, bash, mariadb-client)`);
    });
  }
  return [...set].sort();
}

interface Layer {
  file: string;
  diffId: string;
}

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** tar of a staged root, reproducible (sorted, fixed owner and mtime), without a leading "./". */
async function tarLayer(root: string, out: string): Promise<Layer> {
  const { stdout } = await run('ls', ['-A', root]);
  const entries = stdout.split('\n').filter(Boolean);
  await run('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', root, '-cf', out, ...entries]);
  return { file: out, diffId: `sha256:${await sha256File(out)}` };
}

/** One file of random bytes (docker cannot compress or skip it), under /usr/local/lib/oms. */
async function padLayer(work: string, mb: number): Promise<Layer> {
  const root = path.join(work, 'pad');
  await mkdir(path.join(root, 'usr/local/lib/oms'), { recursive: true });
  await run('sh', ['-c', 'head -c "$1" /dev/urandom > "$2"', 'sh', String(mb * 1024 * 1024), path.join(root, 'usr/local/lib/oms/payload.bin')]);
  return tarLayer(root, path.join(work, 'pad.tar'));
}

async function baseLayer(work: string, files: string[]): Promise<Layer> {
  const root = path.join(work, 'base');
  for (const d of ['bin', 'usr/bin', 'etc', 'root', 'tmp', 'home/admin/conf', 'home/admin/logs', 'home/ds/store', 'home/ds/run', 'var/www/oms', 'etc/pki/nginx', 'usr/local/bin', 'usr/local/lib/oms', 'proc', 'sys', 'dev', 'run']) {
    await mkdir(path.join(root, d), { recursive: true });
  }
  await chmod(path.join(root, 'tmp'), 0o1777);
  for (const f of files) {
    const dest = path.join(root, f);
    await mkdir(path.dirname(dest), { recursive: true });
    await copyFile(await realpath(f), dest);
    await chmod(dest, 0o755);
  }
  // /lib64 and /lib may be symlinks into /usr on the build host (merged /usr); ldd paths are copied as listed.
  const { stdout } = await run(BUSYBOX, ['--list']);
  for (const applet of stdout.split('\n').filter(Boolean)) {
    if (applet === 'busybox' || applet === 'bash') continue;
    await symlink('busybox', path.join(root, 'bin', applet)).catch(() => undefined);
  }
  await symlink('mariadb', path.join(root, 'usr/bin/mysql'));
  await symlink('mariadb-dump', path.join(root, 'usr/bin/mysqldump'));
  await writeFile(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\nadmin:x:500:500:admin:/home/admin:/bin/bash\n');
  await writeFile(path.join(root, 'etc/group'), 'root:x:0:\nadmin:x:500:\n');
  await writeFile(path.join(root, 'root/.bashrc'), 'export PS1="[oms \\w]# "\n');
  return tarLayer(root, path.join(work, 'base.tar'));
}

async function versionImage(
  work: string,
  base: Layer,
  scripts: Record<string, string>,
  repository: string,
  version: string,
  rules: { family: string; sources: string[] },
  pad?: Layer,
): Promise<BuiltImage> {
  const root = path.join(work, `v${version}`);
  await mkdir(path.join(root, 'usr/local/lib/oms'), { recursive: true });
  await mkdir(path.join(root, 'usr/local/bin'), { recursive: true });
  await mkdir(path.join(root, 'etc'), { recursive: true });
  await mkdir(path.join(root, 'root'), { recursive: true });
  await writeFile(path.join(root, 'etc/oms-release'), `${version}\n`);
  await writeFile(path.join(root, 'usr/local/lib/oms/common.sh'), scripts['common.sh'] ?? '');
  await writeFile(path.join(root, 'usr/local/lib/oms/migrate.sh'), scripts['migrate.sh'] ?? '');
  await writeFile(path.join(root, 'etc/oms-upgrade'), `FAMILY=${rules.family}\nSOURCES="${rules.sources.join(' ')}"\n`);
  await writeFile(path.join(root, 'usr/local/bin/oms-entrypoint'), scripts['oms-entrypoint.sh'] ?? '', { mode: 0o755 });
  // Families B and C run `bash /root/docker_init.sh`; D's images have none (the container migrates itself).
  if (rules.family === 'B' || rules.family === 'C') {
    await writeFile(path.join(root, 'root/docker_init.sh'), scripts['docker_init.sh'] ?? '', { mode: 0o755 });
  }
  const own = await tarLayer(root, path.join(work, `v${version}.tar`));
  const layers = pad ? [base, pad, own] : [base, own];
  const tag = imageTag(version);
  const ref = `${repositoryFor(version, repository)}:${tag}`;
  const config = {
    architecture: 'amd64',
    os: 'linux',
    created: '2024-01-01T00:00:00Z',
    config: {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', `OMS_VERSION=${version}`],
      Cmd: ['/bin/bash', '/usr/local/bin/oms-entrypoint'],
      WorkingDir: '/root',
      Labels: { 'omsplay.simulated-oms': version },
    },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: [{ created_by: 'omsplay simulated OMS base' }, ...(pad ? [{ created_by: 'omsplay simulated OMS payload' }] : []), { created_by: `omsplay simulated OMS ${version}` }],
  };
  const configText = JSON.stringify(config);
  const id = createHash('sha256').update(configText).digest('hex');
  const pkg = path.join(work, `pkg-${version}`);
  const layerDirs: string[] = [];
  for (const l of layers) {
    const d = l.diffId.slice('sha256:'.length);
    await mkdir(path.join(pkg, d), { recursive: true });
    await copyFile(l.file, path.join(pkg, d, 'layer.tar'));
    layerDirs.push(`${d}/layer.tar`);
  }
  await writeFile(path.join(pkg, `${id}.json`), configText);
  await writeFile(path.join(pkg, 'manifest.json'), JSON.stringify([{ Config: `${id}.json`, RepoTags: [ref], Layers: layerDirs }]));
  const tarPath = path.join(work, `oms-${version}.tar`);
  await run('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', pkg, '-cf', tarPath, 'manifest.json', `${id}.json`, ...layerDirs.map((l) => path.dirname(l))]);
  return { version, ref, tarPath, id: `sha256:${id}` };
}

/** Removes cache entries of earlier build inputs unused for an hour (labs use their own staged copies). */
async function pruneCache(cacheDir: string, keep: string): Promise<void> {
  const cutoff = Date.now() - 3_600_000;
  for (const name of await readdir(cacheDir)) {
    if (name === keep || !/^[0-9a-f]{16}$/.test(name)) continue;
    const s = await stat(path.join(cacheDir, name)).catch(() => undefined);
    if (s && s.mtimeMs < cutoff) await rm(path.join(cacheDir, name), { recursive: true, force: true });
  }
}
