/**
 * Facts about containers and images: `docker inspect` JSON turned into plain values, the
 * comparison of a wanted run spec with a container, and the error a failed docker command means.
 * Pure functions (unit-tested); the modules run the commands.
 */
import { CommandFailedError, TaskFailedError } from '../../errors.js';
import type { ExecResult } from '../../connection/types.js';
import type { ModuleContext } from '../types.js';
import { type DockerTarget, type VolumeSpec, inspectContainer, inspectImage } from '../../commands/docker.js';
import { quoteArgv } from '../../connection/quote.js';

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

/** `on-failure:0` and `on-failure` are the same policy; so are `` and `no`. */
export function normalizeRestartPolicy(p: string): string {
  if (p === '' || p === 'no') return 'no';
  if (p === 'on-failure:0') return 'on-failure';
  return p;
}

export function normalizePidsLimit(n: number | null | undefined): number {
  return n === null || n === undefined || n <= 0 ? -1 : n;
}

/** `nproc=65535:65535` -> ['nproc', '65535:65535']; `nofile=1024` means soft = hard. */
export function parseUlimit(u: string): [string, string] {
  const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(u.trim());
  if (!m) throw new Error(`ulimit "${u}" is not NAME=SOFT[:HARD]`);
  return [m[1]!, `${m[2]}:${m[3] ?? m[2]}`];
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

/** The wanted spec, normalised for comparison; undefined fields are not compared. */
export interface WantedSpec {
  imageId?: string;
  /** Env the image itself sets: such entries in the container are not the run's. */
  imageEnv?: Record<string, string>;
  volumes?: VolumeSpec[];
  env?: Record<string, string>;
  networkMode?: string;
  privileged?: boolean;
  pidsLimit?: number;
  ulimits?: string[];
  restartPolicy?: string;
  command?: string[];
}

export interface FieldDiff {
  field: string;
  expected: unknown;
  actual: unknown;
}

function sameSet(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}

function bindKey(v: VolumeSpec): string {
  const strip = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);
  // `rw` is the default; option order does not matter (`ro,z` = `z,ro`).
  const mode = (v.mode ?? '')
    .split(',')
    .filter((m) => m && m !== 'rw')
    .sort()
    .join(',');
  return `${strip(v.source)}:${strip(v.destination)}${mode ? `:${mode}` : ''}`;
}

/**
 * Field-by-field differences between a wanted spec and a container. Restart policy is reported
 * too, but callers fix it in place (`docker update`) rather than recreating.
 */
export function compareSpec(want: WantedSpec, c: ContainerFacts): FieldDiff[] {
  const d: FieldDiff[] = [];
  if (want.imageId !== undefined && want.imageId !== c.imageId) d.push({ field: 'image', expected: want.imageId, actual: c.imageId });
  if (want.volumes !== undefined) {
    const w = want.volumes.map(bindKey).sort();
    const a = c.binds.map((b) => bindKey(parseBind(b))).sort();
    if (!sameSet(w, a)) d.push({ field: 'volumes', expected: w, actual: a });
  }
  if (want.env !== undefined) {
    // The container's own env = its env minus entries identical to the image's.
    const own: Record<string, string> = {};
    for (const [k, v] of Object.entries(c.env)) if (want.imageEnv?.[k] !== v) own[k] = v;
    const expected: Record<string, string> = {};
    for (const [k, v] of Object.entries(want.env)) if (want.imageEnv?.[k] !== v) expected[k] = v;
    const keys = new Set([...Object.keys(own), ...Object.keys(expected)]);
    for (const k of [...keys].sort()) {
      if (own[k] !== expected[k]) d.push({ field: `env.${k}`, expected: expected[k] ?? null, actual: own[k] ?? null });
    }
  }
  if (want.networkMode !== undefined) {
    const norm = (m: string) => (m === 'bridge' ? 'default' : m);
    if (norm(want.networkMode) !== norm(c.networkMode)) d.push({ field: 'network_mode', expected: want.networkMode, actual: c.networkMode });
  }
  if (want.privileged !== undefined && want.privileged !== c.privileged) d.push({ field: 'privileged', expected: want.privileged, actual: c.privileged });
  if (want.pidsLimit !== undefined && normalizePidsLimit(want.pidsLimit) !== c.pidsLimit)
    d.push({ field: 'pids_limit', expected: normalizePidsLimit(want.pidsLimit), actual: c.pidsLimit });
  if (want.ulimits !== undefined) {
    const w: Record<string, string> = Object.fromEntries(want.ulimits.map(parseUlimit));
    for (const k of [...new Set([...Object.keys(w), ...Object.keys(c.ulimits)])].sort()) {
      if (w[k] !== c.ulimits[k]) d.push({ field: `ulimits.${k}`, expected: w[k] ?? null, actual: c.ulimits[k] ?? null });
    }
  }
  if (want.command !== undefined && JSON.stringify(want.command) !== JSON.stringify(c.command))
    d.push({ field: 'command', expected: want.command, actual: c.command });
  if (want.restartPolicy !== undefined && normalizeRestartPolicy(want.restartPolicy) !== normalizeRestartPolicy(c.restartPolicy))
    d.push({ field: 'restart_policy', expected: want.restartPolicy, actual: c.restartPolicy });
  return d;
}

/** True when a docker command's failure means "no such container/image" rather than a real error. */
export function isNotFound(r: ExecResult): boolean {
  return r.exitCode === 1 && /no such (container|image|object)/i.test(r.stderr);
}

/** The docker CLI itself is missing (shell: 127 "not found"; local spawn: ENOENT). */
export function isDockerMissing(r: ExecResult): boolean {
  return (r.exitCode === 127 && /docker[^\n]*(not found|ENOENT|No such file)/i.test(r.stderr)) || /sudo: docker: command not found/.test(r.stderr);
}

/** The error a failed docker command means, with the hint a person needs. */
export function dockerError(host: string, argv: readonly string[], r: ExecResult, what: string): CommandFailedError {
  const details = { command: quoteArgv(argv), exitCode: r.exitCode, signal: r.signal, stderr: r.stderr, stdout: r.stdout, timedOut: r.timedOut };
  const err = r.stderr.trim().split('\n').slice(-3).join('\n');
  if (isDockerMissing(r))
    return new CommandFailedError(`${what}: docker is not installed on ${host} (command not found)`, details, {
      hint: 'install the docker CLI on the host or fix PATH',
    });
  if (/Cannot connect to the Docker daemon|Is the docker daemon running|docker\.sock: connect: no such file/i.test(r.stderr))
    return new CommandFailedError(`${what}: the docker daemon is not running on ${host}`, details, {
      hint: 'start it (systemctl start docker) or point docker_host at its socket',
    });
  if (/permission denied while trying to connect to the Docker daemon/i.test(r.stderr))
    return new CommandFailedError(`${what}: permission denied on the docker socket of ${host}`, details, {
      hint: 'use `become: true` or add the user to the docker group',
    });
  if (r.timedOut) return new CommandFailedError(`${what}: timed out on ${host}`, details);
  const how = r.signal ? `signal ${r.signal}` : `exit ${r.exitCode}`;
  return new CommandFailedError(`${what} failed on ${host} (${how}): ${err || '(no output)'}`, details);
}

/** Runs a docker command; throws the meaningful error on failure. */
export async function docker(ctx: ModuleContext, argv: string[], what: string): Promise<ExecResult> {
  const r = await ctx.exec({ argv });
  if (r.exitCode !== 0) throw dockerError(ctx.host, argv, r, what);
  return r;
}

/** Container facts, or null when there is no such container. */
export async function readContainer(ctx: ModuleContext, name: string, t: DockerTarget): Promise<ContainerFacts | null> {
  const argv = inspectContainer(name, t);
  const r = await ctx.exec({ argv });
  if (isNotFound(r)) return null;
  if (r.exitCode !== 0) throw dockerError(ctx.host, argv, r, `docker inspect ${name}`);
  const list = JSON.parse(r.stdout);
  if (!Array.isArray(list) || list.length === 0) return null;
  return parseContainerInspect(list[0]);
}

export interface ImageFacts {
  id: string;
  tags: string[];
  env: Record<string, string>;
}

export async function readImage(ctx: ModuleContext, ref: string, t: DockerTarget): Promise<ImageFacts | null> {
  const argv = inspectImage(ref, t);
  const r = await ctx.exec({ argv });
  if (isNotFound(r)) return null;
  if (r.exitCode !== 0) throw dockerError(ctx.host, argv, r, `docker image inspect ${ref}`);
  const list = JSON.parse(r.stdout);
  if (!Array.isArray(list) || list.length === 0) return null;
  return { id: list[0].Id, tags: list[0].RepoTags ?? [], env: envToMap(list[0].Config?.Env) };
}

/** `docker_host` argument, else the host variable `docker_host`. */
export function dockerTarget(args: { docker_host?: string }, ctx: ModuleContext): DockerTarget {
  const h = args.docker_host ?? (typeof ctx.vars.docker_host === 'string' ? ctx.vars.docker_host : undefined);
  return h ? { dockerHost: h } : {};
}

/** Volumes as strings `SRC:DST[:MODE]` or objects. */
export function toVolumeSpecs(v: Array<string | { source: string; destination: string; mode?: string }>): VolumeSpec[] {
  return v.map((x) => (typeof x === 'string' ? parseBind(x) : x));
}

export function failed(msg: string, result: Record<string, unknown> = {}, hint?: string): TaskFailedError {
  return new TaskFailedError(msg, result, hint ? { hint } : {});
}

/** Schema fragment shared by every docker module. */
export const dockerHostProperty = {
  type: 'string',
  description: 'Docker daemon address for `docker -H` (e.g. unix:///run/docker.sock). Default: the host variable `docker_host`, else the CLI default.',
} as const;
