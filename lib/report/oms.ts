/**
 * What an OMS upgrade or rollback did, read from its journal: the containers of each host before and after, the
 * MetaDB dumps, ha.config before and after, and the versions (the downtime windows: downtime.ts).
 * Only module results and recorded values are used (docker.*, mysql.*, oms.param; records old_version, ha_before).
 */
import { basename } from 'node:path';
import type { RunEvent } from '../engine/events.js';
import type { ContainerState, DumpInfo, HostChanges, MetaDbReport } from './model.js';

export type Result = Extract<RunEvent, { type: 'task_result' }>;
type Obj = Record<string, unknown>;

export const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** A loop's result holds one result per item; a plain one is its own single item. */
function items(r: Result): Obj[] {
  const list = r.result.results;
  return Array.isArray(list) ? (list.filter((x) => x && typeof x === 'object') as Obj[]) : [r.result];
}

/** The module of a result; journals from before `module` was recorded are recognised by the result's shape. */
export function moduleOf(r: Result): string | undefined {
  if (r.module) return r.module;
  const x = items(r)[0] ?? {};
  if ('actions' in x && 'previous_restart_policy' in x) return 'docker.container';
  if ('restart_policy' in x && 'exists' in x) return 'docker.info';
  if ('sha256' in x && 'databases' in x) return 'mysql.dump';
  if ('before' in x && 'changed_fields' in x) return 'oms.param';
  return undefined;
}

export const done = (r: Result) => r.status === 'ok' || r.status === 'changed';

export function records(events: RunEvent[]): Array<Extract<RunEvent, { type: 'record' }>> {
  return events.filter((e): e is Extract<RunEvent, { type: 'record' }> => e.type === 'record');
}

function recorded(events: RunEvent[], name: string): unknown {
  let v: unknown;
  for (const r of records(events)) if (r.name === name) v = r.value;
  return v;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Containers per host: the first state seen (before the run changed it) and the last one. */
export function hostContainers(events: RunEvent[]): Map<string, Map<string, { before?: ContainerState; after?: ContainerState }>> {
  const out = new Map<string, Map<string, { before?: ContainerState; after?: ContainerState }>>();
  const see = (host: string, name: string, before: ContainerState | undefined, after: ContainerState) => {
    const byName = out.get(host) ?? new Map();
    out.set(host, byName);
    const c = byName.get(name) ?? {};
    if (!c.before && before) c.before = before;
    c.after = after;
    byName.set(name, c);
  };
  for (const e of events) {
    if (e.type !== 'task_result' || !done(e)) continue;
    const mod = moduleOf(e);
    if (mod !== 'docker.container' && mod !== 'docker.info') continue;
    const host = e.delegated_to && e.delegated_to !== 'localhost' ? e.delegated_to : e.host;
    for (const x of items(e)) {
      const name = str(x.name);
      if (!name || x.skipped) continue;
      if (mod === 'docker.info') {
        const s: ContainerState = x.exists ? { exists: true, state: str(x.status), image: str(x.image), restart_policy: str(x.restart_policy) } : { exists: false };
        see(host, name, s, s);
        continue;
      }
      const actions = Array.isArray(x.actions) ? x.actions.map(String) : [];
      const after: ContainerState = x.state === 'absent' ? { exists: false } : { exists: true, state: str(x.state), image: str(x.image), restart_policy: str(x.restart_policy) };
      const created = actions.some((a) => a.startsWith('create'));
      const before: ContainerState = created
        ? { exists: false }
        : {
            exists: true,
            state: actions.includes('stop') || actions.includes('remove') ? 'running' : actions.includes('start') ? 'exited' : str(x.state),
            image: str(x.image),
            restart_policy: str(x.previous_restart_policy) ?? str(x.restart_policy),
          };
      see(host, name, before, after);
    }
  }
  return out;
}

/** `oms:feature_4.0.0-ce` -> `4.0.0`. */
export function versionOf(image: string | undefined): string | undefined {
  return image?.match(/(\d+\.\d+\.\d+)/)?.[1];
}

export function hostChanges(events: RunEvent[], groups: Array<{ name: string; hosts: string[] }>, counts: Record<string, Record<string, number>>): HostChanges[] {
  const containers = hostContainers(events);
  const oldVersion = new Map<string, string>();
  for (const r of records(events)) if (r.name === 'old_version' && typeof r.value === 'string') oldVersion.set(r.host, r.value);
  const out: HostChanges[] = [];
  for (const g of groups) {
    for (const host of g.hosts) {
      const list = [...(containers.get(host) ?? new Map()).entries()].map(([name, c]) => ({ name, ...c }));
      const running = (which: 'before' | 'after') => list.find((c) => c[which]?.exists && c[which]?.state === 'running')?.[which]?.image;
      out.push({
        host,
        region: g.name,
        counts: counts[host] ?? {},
        containers: list,
        version_before: oldVersion.get(host) ?? versionOf(running('before')),
        version_after: versionOf(running('after')),
      });
    }
  }
  return out;
}

export function metadb(events: RunEvent[], hosts: HostChanges[]): MetaDbReport {
  const dumps: DumpInfo[] = [];
  const restored: string[] = [];
  let haBefore: Obj | undefined;
  let haAfter: Obj | undefined;
  for (const e of events) {
    if (e.type !== 'task_result' || !done(e)) continue;
    const mod = moduleOf(e);
    const where = e.delegated_to ?? e.host;
    for (const x of items(e)) {
      if (x.skipped) continue;
      if (mod === 'mysql.dump' && str(x.path)) {
        const dbs = Array.isArray(x.databases) ? x.databases.map(String) : [];
        dumps.push({ database: dbs.join(', ') || str(x.db) || basename(String(x.path)), path: String(x.path), host: where, size: typeof x.size === 'number' ? x.size : undefined, sha256: str(x.sha256), completed: typeof x.completed === 'boolean' ? x.completed : undefined });
      } else if (mod === 'mysql.restore' && x.changed) {
        restored.push(str(x.database) ?? str(x.db) ?? basename(String(x.src ?? x.path ?? '?')));
      } else if (mod === 'oms.param' && x.before && typeof x.before === 'object') {
        haBefore ??= x.before as Obj;
        if (x.value && typeof x.value === 'object') haAfter = x.value as Obj;
      }
    }
  }
  const recordedHa = recorded(events, 'ha_before');
  if (recordedHa && typeof recordedHa === 'object') haBefore = recordedHa as Obj;
  const before = [...new Set(hosts.map((h) => h.version_before).filter(Boolean))].join(', ') || undefined;
  const after = [...new Set(hosts.map((h) => h.version_after).filter(Boolean))].join(', ') || undefined;
  const versions = before || after ? [{ hop: before && after && before !== after ? `${before} → ${after}` : 'this run', before, after }] : [];
  return { dumps, ha_before: haBefore, ha_after: haAfter, restored: [...new Set(restored)], versions };
}
