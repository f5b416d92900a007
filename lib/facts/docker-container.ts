/**
 * Fact `docker.container`: `docker container inspect` turned into plain values, or null when there
 * is no such container. Lifetime 'task': a container stops or restarts by itself.
 */
import type { VolumeSpec } from '../commands/docker.js';
import { type DockerTarget, inspectContainer } from '../commands/docker.js';
import { dockerError, isNotFound } from '../commands/docker-errors.js';
import type { Fact } from '../plan/types.js';

export interface Mount {
  source: string;
  destination: string;
  mode: string;
  rw: boolean;
  type: string;
}

export interface ContainerFacts {
  exists: true;
  id: string;
  name: string;
  /** running | exited | created | paused | restarting | dead */
  status: string;
  running: boolean;
  /** Image as the container was created with (`repo:tag` or id). */
  image: string;
  tag: string | null;
  imageId: string;
  binds: string[];
  mounts: Mount[];
  /** Every env entry of the container (image env included). */
  env: Record<string, string>;
  networkMode: string;
  privileged: boolean;
  /** -1 = unlimited (docker reports null, 0 or -1 for that). */
  pidsLimit: number;
  /** name -> "soft:hard" */
  ulimits: Record<string, string>;
  /** `no`, `always`, `unless-stopped`, `on-failure[:N]` */
  restartPolicy: string;
  command: string[];
  startedAt: string | null;
  finishedAt: string | null;
}

export interface ContainerParams {
  name: string;
  target: DockerTarget;
}

export const containerFact: Fact<ContainerParams, ContainerFacts | null> = {
  name: 'docker.container',
  lifetime: 'task',
  command: (p) => ({ argv: inspectContainer(p.name, p.target), okExitCodes: 'any' }),
  parse(r, p, host) {
    if (isNotFound(r)) return null;
    if (r.exitCode !== 0) throw dockerError(host, inspectContainer(p.name, p.target), r, `docker inspect ${p.name}`);
    const list = JSON.parse(r.stdout);
    if (!Array.isArray(list) || list.length === 0) return null;
    return parseContainerInspect(list[0]);
  },
};

const ZERO_TIME = '0001-01-01T00:00:00Z';

export function envToMap(list: readonly string[] | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of list ?? []) {
    const i = e.indexOf('=');
    if (i < 0) out[e] = '';
    else out[e.slice(0, i)] = e.slice(i + 1);
  }
  return out;
}

export function restartPolicyString(p: { Name?: string; MaximumRetryCount?: number } | null | undefined): string {
  const name = p?.Name || 'no';
  if (name === 'on-failure' && p?.MaximumRetryCount) return `on-failure:${p.MaximumRetryCount}`;
  return name;
}

export function normalizePidsLimit(n: number | null | undefined): number {
  return n === null || n === undefined || n <= 0 ? -1 : n;
}

/** `SRC:DST[:MODE]` as docker writes HostConfig.Binds. */
export function parseBind(b: string): VolumeSpec {
  const parts = b.split(':');
  if (parts.length < 2) return { source: b, destination: b };
  if (parts.length === 2) return { source: parts[0]!, destination: parts[1]! };
  return { source: parts.slice(0, -2).join(':') || parts[0]!, destination: parts[parts.length - 2]!, mode: parts[parts.length - 1] };
}

function tagOf(image: string): string | null {
  if (image.startsWith('sha256:')) return null;
  const at = image.indexOf('@');
  const ref = at >= 0 ? image.slice(0, at) : image;
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? ref.slice(colon + 1) : 'latest';
}

export function parseContainerInspect(json: any): ContainerFacts {
  const hc = json.HostConfig ?? {};
  const cfg = json.Config ?? {};
  const st = json.State ?? {};
  const ulimits: Record<string, string> = {};
  for (const u of hc.Ulimits ?? []) ulimits[u.Name] = `${u.Soft}:${u.Hard}`;
  const image = cfg.Image ?? json.Image ?? '';
  return {
    exists: true,
    id: json.Id,
    name: String(json.Name ?? '').replace(/^\//, ''),
    status: st.Status ?? 'unknown',
    running: Boolean(st.Running),
    image,
    tag: tagOf(image),
    imageId: json.Image ?? '',
    binds: hc.Binds ?? [],
    mounts: (json.Mounts ?? []).map(
      (m: any): Mount => ({ source: m.Source ?? '', destination: m.Destination ?? '', mode: m.Mode ?? '', rw: Boolean(m.RW), type: m.Type ?? '' }),
    ),
    env: envToMap(cfg.Env),
    networkMode: hc.NetworkMode ?? 'default',
    privileged: Boolean(hc.Privileged),
    pidsLimit: normalizePidsLimit(hc.PidsLimit),
    ulimits,
    restartPolicy: restartPolicyString(hc.RestartPolicy),
    command: cfg.Cmd ?? [],
    startedAt: st.StartedAt && st.StartedAt !== ZERO_TIME ? st.StartedAt : null,
    finishedAt: st.FinishedAt && st.FinishedAt !== ZERO_TIME ? st.FinishedAt : null,
  };
}
