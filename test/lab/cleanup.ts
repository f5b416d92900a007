/**
 * Removes everything a lab with a given ID may have left behind: processes inside its network namespaces,
 * its MariaDB (by pidfile), root-namespace mounts under its directory, namespaces, veths, bridges, the
 * unreachable route, and its state directory. Safe to run when nothing is there. Touches nothing of other labs.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import {
  bridgeName,
  internalBridgeName,
  internalSubnet,
  labDir,
  netnsPrefix,
  vethPattern,
} from './names.js';
import { run } from './run.js';

/** Net-namespace inode of every process: "net:[4026532281]" -> pids. One pass over /proc. */
async function pidsByNetns(): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const ns = await readlink(`/proc/${entry}/ns/net`);
      const list = out.get(ns) ?? [];
      list.push(Number(entry));
      out.set(ns, list);
    } catch {
      // The process ended meanwhile.
    }
  }
  return out;
}

async function netnsInode(name: string): Promise<string | undefined> {
  try {
    return `net:[${(await stat(`/run/netns/${name}`)).ino}]`;
  } catch {
    return undefined;
  }
}

/** Every descendant of pid (one pass over /proc). */
export async function descendants(pid: number): Promise<number[]> {
  const children = new Map<number, number[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const s = await readFile(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // Ended meanwhile.
    }
  }
  const out: number[] = [];
  const stack = [pid];
  while (stack.length) {
    for (const c of children.get(stack.pop()!) ?? []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

/** True while the process exists and is not a zombie. */
export async function alive(pid: number): Promise<boolean> {
  try {
    const s = await readFile(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export async function waitGone(pids: number[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let left = pids;
  while (left.length > 0) {
    const still: number[] = [];
    for (const p of left) if (await alive(p)) still.push(p);
    left = still;
    if (left.length === 0) return;
    if (Date.now() > deadline) throw new Error(`processes ${left.join(',')} did not end after SIGKILL`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function killQuiet(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Kills every process of the given lab namespaces (the host inits take their whole PID namespaces with them). */
export async function killNamespaces(names: string[]): Promise<void> {
  const inodes = new Set<string>();
  for (const n of names) {
    const ino = await netnsInode(n);
    if (ino) inodes.add(ino);
  }
  if (inodes.size === 0) return;
  const victims: number[] = [];
  for (const [ns, pids] of await pidsByNetns()) if (inodes.has(ns)) victims.push(...pids);
  for (const p of victims) killQuiet(p);
  await waitGone(victims);
}

/** Kills a process recorded in a pidfile, only if its command line mentions `marker` (guards against PID reuse). */
export async function killByPidFile(pidFile: string, marker: string): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(pidFile, 'utf8')).trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
    if (!cmdline.includes(marker)) return;
  } catch {
    return;
  }
  killQuiet(pid);
  await waitGone([pid]);
}

async function labNamespaces(id: number): Promise<string[]> {
  if (!existsSync('/run/netns')) return [];
  const prefix = netnsPrefix(id);
  return (await readdir('/run/netns')).filter((n) => n.startsWith(prefix));
}

async function labVeths(id: number): Promise<string[]> {
  const r = await run('ip', ['-o', 'link', 'show']);
  const re = vethPattern(id);
  const names: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^[0-9]+: ([^:@]+)/.exec(line);
    if (m && re.test(m[1]!)) names.push(m[1]!);
  }
  return names;
}

async function linkExists(name: string): Promise<boolean> {
  return (await run('ip', ['link', 'show', 'dev', name])).code === 0;
}

/** Mount points in the root namespace at or under dir, deepest first. */
async function mountsUnder(dir: string): Promise<string[]> {
  const text = await readFile('/proc/self/mounts', 'utf8');
  const points = text
    .split('\n')
    .map((l) => l.split(' ')[1])
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/\\040/g, ' '))
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
  return points.sort((a, b) => b.length - a.length);
}

export async function cleanupLab(id: number, opts: { keepDir?: boolean } = {}): Promise<void> {
  const dir = labDir(id);
  const namespaces = await labNamespaces(id);
  await killNamespaces(namespaces);
  await killByPidFile(`${dir}/mariadb/mariadbd.pid`, dir);

  for (const m of await mountsUnder(dir)) await run('umount', ['-l', m]);

  const batch: string[] = namespaces.map((n) => `netns delete ${n}`);
  if (batch.length) await run('ip', ['-force', '-batch', '-'], { input: `${batch.join('\n')}\n` });
  // Deleting a namespace destroys its veth ends and so the pairs; remove whatever is left.
  const links = await labVeths(id);
  for (const br of [bridgeName(id), internalBridgeName(id)]) if (await linkExists(br)) links.push(br);
  if (links.length) {
    await run('ip', ['-force', '-batch', '-'], { input: `${links.map((l) => `link delete ${l}`).join('\n')}\n` });
  }
  const routes = await run('ip', ['route', 'show', internalSubnet(id)]);
  if (routes.stdout.trim()) await run('ip', ['route', 'delete', 'unreachable', internalSubnet(id)]);

  if (!opts.keepDir) await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}
