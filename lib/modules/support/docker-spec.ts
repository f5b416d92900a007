/**
 * The run spec a docker.container task wants, normalised, and its field-by-field comparison with a
 * container's facts (what makes the module leave it alone, update it, or recreate it).
 */
import type { VolumeSpec } from '../../commands/docker.js';
import { type ContainerFacts, normalizePidsLimit, parseBind } from '../../facts/docker-container.js';

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

/** `on-failure:0` and `on-failure` are the same policy; so are `` and `no`. */
export function normalizeRestartPolicy(p: string): string {
  if (p === '' || p === 'no') return 'no';
  if (p === 'on-failure:0') return 'on-failure';
  return p;
}

/** `nproc=65535:65535` -> ['nproc', '65535:65535']; `nofile=1024` means soft = hard. */
export function parseUlimit(u: string): [string, string] {
  const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(u.trim());
  if (!m) throw new Error(`ulimit "${u}" is not NAME=SOFT[:HARD]`);
  return [m[1]!, `${m[2]}:${m[3] ?? m[2]}`];
}

/** Volumes as strings `SRC:DST[:MODE]` or objects. */
export function toVolumeSpecs(v: Array<string | { source: string; destination: string; mode?: string }>): VolumeSpec[] {
  return v.map((x) => (typeof x === 'string' ? parseBind(x) : x));
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
