/**
 * The upgrade path planner: the shortest documented path from the site's version to the target on the upgrade
 * graph, or the reason there is none, in words an operator can act on. Pure: the oms.plan module adds the image
 * tars and the policy of what the playbook performs.
 */
import { byVersion, compareVersions, knownVersions, normalizeVersion, type UpgradeGraph, versionList } from './graph.js';

export interface Hop {
  from: string;
  to: string;
  family: string;
  guide?: string;
}

export type Plan =
  | { ok: true; from: string; to: string; hops: Hop[]; /** Set when the direct edge is undocumented and the path has several hops. */ note?: string }
  | { ok: false; from: string; to: string; reason: string; hint?: string };

/** "4.2.0 → 4.2.1 → 4.2.2" */
export function formatPath(hops: Hop[]): string {
  if (hops.length === 0) return '';
  return [hops[0]!.from, ...hops.map((h) => h.to)].join(' → ');
}

function targetsList(g: UpgradeGraph): string {
  return versionList(g, Object.keys(g.targets));
}

/** Direct upgrades that start from a version: target versions, oldest first. */
function successors(g: UpgradeGraph, v: string): string[] {
  return Object.entries(g.targets)
    .filter(([, t]) => t.from.includes(v))
    .map(([to]) => to)
    .sort(byVersion);
}

/** Versions with a documented path to `to` (not `to` itself). */
function ancestors(g: UpgradeGraph, to: string): Set<string> {
  const seen = new Set<string>();
  const queue = [to];
  while (queue.length) {
    const v = queue.shift()!;
    for (const f of g.targets[v]?.from ?? []) {
      if (seen.has(f) || f === to) continue;
      seen.add(f);
      queue.push(f);
    }
  }
  return seen;
}

/** Versions reachable from `from` by documented upgrades. */
function reachable(g: UpgradeGraph, from: string): string[] {
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length) {
    for (const next of successors(g, queue.shift()!)) {
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(next);
    }
  }
  return [...seen].sort(byVersion);
}

/**
 * Breadth-first: the path with the fewest hops. Successors are tried oldest first, so among equally short paths the
 * one through the oldest intermediate versions wins (deterministic).
 */
function shortestPath(g: UpgradeGraph, from: string, to: string): Hop[] | undefined {
  const prev = new Map<string, string>();
  const queue = [from];
  const seen = new Set([from]);
  while (queue.length) {
    const v = queue.shift()!;
    if (v === to) break;
    for (const next of successors(g, v)) {
      if (seen.has(next)) continue;
      seen.add(next);
      prev.set(next, v);
      queue.push(next);
    }
  }
  if (!seen.has(to)) return undefined;
  const hops: Hop[] = [];
  for (let v = to; v !== from; v = prev.get(v)!) {
    const t = g.targets[v]!;
    hops.unshift({ from: prev.get(v)!, to: v, family: t.family, ...(t.guide ? { guide: t.guide } : {}) });
  }
  return hops;
}

/** The shortest documented path from the site's version to the target, or why there is none. */
export function planPath(g: UpgradeGraph, fromRaw: unknown, toRaw: unknown): Plan {
  const to = normalizeVersion(toRaw);
  const from = normalizeVersion(fromRaw);
  const shownTo = to ?? String(toRaw ?? '');
  const shownFrom = from ?? String(fromRaw ?? '');
  const refuse = (reason: string, hint?: string): Plan => ({ ok: false, from: shownFrom, to: shownTo, reason, ...(hint ? { hint } : {}) });

  if (to === undefined) return refuse(`the target version "${shownTo}" is not a version (expected x.y.z, e.g. 4.2.1)`, `set oms_target_version to one of ${targetsList(g)}`);
  if (!g.targets[to]) {
    const note = g.versions[to];
    if (note) return refuse(`${to} is not offered as a target: ${note}`, `documented targets: ${targetsList(g)}`);
    return refuse(`unknown target version ${to}: the upgrade graph has no guide for it`, `documented targets: ${targetsList(g)}; a new release is a line in playbooks/vars/upgrade-graph.yml`);
  }
  if (from === undefined) return refuse(`the site's version could not be read (got "${shownFrom}")`, 'the old container\'s image tag should be feature_<x.y.z>-ce');
  if (from === to) return refuse(`the site already runs ${to}: nothing to upgrade`);
  if (compareVersions(from, to) > 0) return refuse(`the site runs ${from}, newer than the target ${to}: an upgrade cannot go back`, 'to return to an older version, use rollback.yml with the upgrade run that left it');

  const hops = shortestPath(g, from, to);
  const target = g.targets[to]!;
  if (hops) {
    if (hops.length === 1) return { ok: true, from, to, hops };
    const note = `${from} → ${to} is not a documented direct upgrade (the ${to} guide: only from ${versionList(g, target.from)}); the shortest documented path is ${formatPath(hops)}`;
    return { ok: true, from, to, hops, note };
  }

  const parts = [`no documented upgrade path from ${from} to ${to}: the ${to} guide upgrades only from ${versionList(g, target.from)}`];
  if (!knownVersions(g).includes(from)) parts.push(`${from} is not in the upgrade graph: no documented upgrade starts from it`);
  else {
    // The usual cause: every way to the target starts at a version nothing upgrades to (4.1.1 for 4.2.x).
    const gate = [...ancestors(g, to)].sort(byVersion)[0];
    if (gate && compareVersions(gate, from) > 0 && !g.targets[gate]) {
      const note = g.versions[gate];
      parts.push(`the oldest version with a documented path to ${to} is ${gate}${note ? `, and ${note}` : ', which no documented upgrade reaches'}`);
    }
    const reach = reachable(g, from);
    parts.push(reach.length ? `from ${from} the documented upgrades reach ${versionList(g, reach)}` : `no documented upgrade starts from ${from}`);
  }
  return refuse(parts.join('; '), 'the vendor documents no way there; see README "Supported upgrades"');
}
