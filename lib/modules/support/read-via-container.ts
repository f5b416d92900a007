/**
 * Reads a host file through a container that bind-mounts it (`docker cp`, which works on running and stopped
 * containers): for a login user that may run docker through sudo but cannot read the file itself
 * (become_method sudo_direct with a docker-only sudoers rule, config.yaml owned by root and 0600).
 */
import { containerMounts, copyFromContainer, listContainerNames } from '../../commands/docker.js';
import type { ModuleContext } from '../types.js';

export interface ReadViaContainer {
  text: string;
  container: string;
  /** The path inside the container that was read. */
  inside: string;
}

/** The mount of `hostPath` in one of `containers` (the first listed that has it). */
export async function findMount(ctx: ModuleContext, hostPath: string, containers?: string[]): Promise<{ container: string; inside: string } | { error: string }> {
  let names = containers;
  if (!names) {
    const r = await ctx.exec({ argv: listContainerNames() });
    if (r.exitCode !== 0) return { error: `docker ps failed: ${r.stderr.trim() || `exit ${r.exitCode}`}` };
    names = r.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
  }
  if (names.length === 0) return { error: 'no container on the host' };
  const r = await ctx.exec({ argv: containerMounts(names) });
  if (r.exitCode !== 0 && !r.stdout.trim()) return { error: `docker inspect failed: ${r.stderr.trim() || `exit ${r.exitCode}`}` };
  return mountOf(r.stdout, hostPath) ?? { error: `no container (of ${names.join(', ')}) mounts ${hostPath}` };
}

/** From `containerMounts` output (one JSON line per container): the first container that mounts `hostPath`, and where. */
export function mountOf(inspectLines: string, hostPath: string): { container: string; inside: string } | null {
  for (const line of inspectLines.split('\n')) {
    if (!line.trim()) continue;
    let info: { name?: string; mounts?: Array<{ Source?: string; Destination?: string }> | null };
    try {
      info = JSON.parse(line) as typeof info;
    } catch {
      continue;
    }
    const m = (info.mounts ?? []).find((x) => x.Source === hostPath);
    if (m?.Destination) return { container: (info.name ?? '').replace(/^\//, ''), inside: m.Destination };
  }
  return null;
}

export async function readViaContainer(ctx: ModuleContext, hostPath: string, containers?: string[]): Promise<ReadViaContainer | { error: string }> {
  const found = await findMount(ctx, hostPath, containers);
  if ('error' in found) return found;
  const r = await ctx.exec({ argv: copyFromContainer(found.container, found.inside) });
  if (r.exitCode !== 0) return { error: `docker cp from ${found.container} failed: ${r.stderr.trim() || `exit ${r.exitCode}`}` };
  const text = firstFileOfTar(Buffer.from(r.stdout, 'utf8'));
  if (text === null) return { error: `docker cp ${found.container}:${found.inside} did not return a file` };
  return { text, container: found.container, inside: found.inside };
}

/** The content of the first regular file in a tar stream (skipping pax/GNU extension headers), or null. */
export function firstFileOfTar(tar: Buffer): string | null {
  let off = 0;
  while (off + 512 <= tar.length) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) return null;
    const size = Number.parseInt(header.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const body = off + 512;
    if (type === '0' || type === '\0') return tar.subarray(body, body + size).toString('utf8');
    off = body + Math.ceil(size / 512) * 512;
  }
  return null;
}
