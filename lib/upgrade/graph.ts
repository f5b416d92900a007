/**
 * The OMS upgrade graph (playbooks/vars/upgrade-graph.yml): versions, the direct upgrades the vendor's guides
 * document, and the procedure family of each. This file reads and checks the data and renders it; plan.ts finds
 * paths on it. Pure: no I/O.
 */

/** A version we hold the upgrade guide of: its procedure family and the versions it upgrades from. */
export interface GraphTarget {
  family: string;
  from: string[];
  guide?: string;
}

export interface UpgradeGraph {
  targets: Record<string, GraphTarget>;
  /** Versions that are never targets, with the reason given when one is asked for. */
  versions: Record<string, string>;
}

/** A problem in the graph data, with the path of the offending entry (targets."4.2.9".from[2]). */
export class GraphError extends Error {}

const VERSION = /^\d+\.\d+\.\d+$/;

/** "V4.2.1-CE", "4.2.1-ce", " 4.2.1 " -> "4.2.1"; undefined when it is not a version. */
export function normalizeVersion(raw: unknown): string | undefined {
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  const v = String(raw)
    .trim()
    .replace(/^v/i, '')
    .replace(/-ce$/i, '');
  return VERSION.test(v) ? v : undefined;
}

/** Numeric, part by part: 4.2.10 > 4.2.9. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export const byVersion = (a: string, b: string): number => compareVersions(a, b);

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Checks the data (as YAML loads it) and returns the graph; GraphError names the first bad entry. */
export function parseGraph(data: unknown): UpgradeGraph {
  if (!isObject(data)) throw new GraphError('the upgrade graph must be a mapping with `targets` (and `versions`)');
  const extra = Object.keys(data).filter((k) => k !== 'targets' && k !== 'versions');
  if (extra.length) throw new GraphError(`unknown key ${extra.join(', ')} in the upgrade graph (expected targets, versions)`);
  if (!isObject(data.targets) || Object.keys(data.targets).length === 0) throw new GraphError('the upgrade graph needs `targets`: version -> {family, from}');
  const targets: Record<string, GraphTarget> = {};
  for (const [key, raw] of Object.entries(data.targets)) {
    const at = `targets."${key}"`;
    const version = normalizeVersion(key);
    if (version !== key) throw new GraphError(`${at}: "${key}" is not a version like 4.2.1`);
    if (!isObject(raw)) throw new GraphError(`${at}: expected {family, from, guide}`);
    const unknown = Object.keys(raw).filter((k) => !['family', 'from', 'guide'].includes(k));
    if (unknown.length) throw new GraphError(`${at}: unknown key ${unknown.join(', ')} (expected family, from, guide)`);
    if (typeof raw.family !== 'string' || !/^[A-Z][A-Za-z0-9]*$/.test(raw.family)) throw new GraphError(`${at}.family: expected a family letter like B`);
    if (!Array.isArray(raw.from) || raw.from.length === 0) throw new GraphError(`${at}.from: expected a non-empty list of versions`);
    const from = raw.from.map((f, i) => {
      const v = normalizeVersion(f);
      if (v === undefined || v !== String(f)) throw new GraphError(`${at}.from[${i}]: "${String(f)}" is not a version like 4.2.1`);
      if (compareVersions(v, key) >= 0) throw new GraphError(`${at}.from[${i}]: ${v} is not older than ${key}`);
      return v;
    });
    if (new Set(from).size !== from.length) throw new GraphError(`${at}.from: a version is listed twice`);
    if (raw.guide !== undefined && typeof raw.guide !== 'string') throw new GraphError(`${at}.guide: expected text`);
    targets[key] = { family: raw.family, from, ...(raw.guide ? { guide: raw.guide } : {}) };
  }
  const versions: Record<string, string> = {};
  if (data.versions !== undefined) {
    if (!isObject(data.versions)) throw new GraphError('`versions` must map a version to the reason it is never a target');
    for (const [key, note] of Object.entries(data.versions)) {
      if (normalizeVersion(key) !== key) throw new GraphError(`versions."${key}": "${key}" is not a version like 4.2.1`);
      if (targets[key]) throw new GraphError(`versions."${key}": ${key} is also a target`);
      if (typeof note !== 'string' || !note.trim()) throw new GraphError(`versions."${key}": expected the reason it is not a target`);
      versions[key] = note;
    }
  }
  return { targets, versions };
}

/** Every version the graph mentions (targets, their sources, noted versions), oldest first. */
export function knownVersions(g: UpgradeGraph): string[] {
  const all = new Set<string>([...Object.keys(g.targets), ...Object.keys(g.versions)]);
  for (const t of Object.values(g.targets)) for (const f of t.from) all.add(f);
  return [...all].sort(byVersion);
}

/**
 * A list of versions for people: runs of three or more versions that are consecutive among the graph's known
 * versions become a range ("4.2.0–4.2.8").
 */
export function versionList(g: UpgradeGraph, list: string[]): string {
  const known = knownVersions(g);
  const index = new Map(known.map((v, i) => [v, i]));
  const sorted = [...new Set(list)].sort(byVersion);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && index.get(sorted[j + 1]!) !== undefined && index.get(sorted[j + 1]!) === (index.get(sorted[j]!) ?? -2) + 1) j++;
    parts.push(j - i >= 2 ? `${sorted[i]}–${sorted[j]}` : sorted.slice(i, j + 1).join(', '));
    i = j + 1;
  }
  return parts.join(', ');
}

export const FAMILY_TEXT: Record<string, string> = {
  B: 'B: the V4.0.0 baseline (docker_init.sh after the new container starts)',
  C: 'C: wait before docker_init.sh; the oms_version fix-up when the init asks for it',
  D: 'D: no docker_init.sh; the container migrates itself (IS_UPGRADE=true)',
};

/** The README's table of supported upgrades, one row per target, newest last. */
export function edgesTable(g: UpgradeGraph): string {
  const rows = Object.entries(g.targets)
    .sort(([a], [b]) => compareVersions(a, b))
    .map(([v, t]) => `| ${v} | ${versionList(g, t.from)} | ${t.family} | ${t.guide ?? ''} |`);
  const notes = Object.entries(g.versions)
    .sort(([a], [b]) => compareVersions(a, b))
    .map(([v, n]) => `| ${v} | ${n} |`);
  const families = [...new Set(Object.values(g.targets).map((t) => t.family))].sort().map((f) => `- ${FAMILY_TEXT[f] ?? f}`);
  return [
    '| target | documented direct sources | family | guide |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    ...families,
    '',
    '| never a target | why |',
    '| --- | --- |',
    ...notes,
  ].join('\n');
}
