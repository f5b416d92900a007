/**
 * When OMS was down, read from a run's journal: one window per stop of the OMS containers, in order. An upgrade
 * records T1 (old containers stopping) and T2 (HA back, the hop's end) once per hop of its path, so a multi-hop run
 * has a window per hop, labelled with the hop (`upgrade_hop`: index/of, from → to); a rollback records T3 (new
 * containers stopping) once per hop it undoes (`oms.rollback_hops`: the hops, newest first). A window without T2
 * ends when the old containers were healthy again (rescue, rollback), or at the run's end. A rescue's T3 while OMS is
 * down since T1 is the same outage going on, not a new window.
 */
import { basename } from 'node:path';
import type { RunEvent } from '../engine/events.js';
import type { Downtime, DowntimeHop, DowntimeWindow } from './model.js';
import { done, formatDuration, moduleOf, str } from './oms.js';
import { locationFile } from './timeline.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

interface Open {
  start_mark: 'T1' | 'T3';
  t1: string;
  hop?: DowntimeHop;
  t2?: string;
  back_ms?: number;
}

/** Every window OMS was down, and their sum; undefined when the run never stopped an OMS container. */
export function downtime(events: RunEvent[], t0: number, endMs: number): Downtime | undefined {
  const opened: Open[] = [];
  const seen = new Set<string>();
  let upgradeHop: DowntimeHop | undefined;
  let rollbackHops: DowntimeHop[] = [];
  let current: Open | undefined;
  // The tasks of tasks/rollback/start-old-containers.yml (the rescue's and the rollback's last step), by play and name.
  const startOld = new Set<string>();
  for (const e of events) {
    if (e.type === 'task_start' && basename(locationFile(e.location)) === 'start-old-containers.yml') startOld.add(`${e.play}\u0000${e.task}`);
    else if (e.type === 'record') {
      // run_once values are recorded once per host: the same value again is the same mark.
      const value = str(e.value);
      if (e.name === 'upgrade_hop' && isObj(e.value)) upgradeHop = hopOf(e.value);
      else if ((e.name === 't1' || e.name === 't3') && value && !seen.has(`${e.name}:${value}`)) {
        seen.add(`${e.name}:${value}`);
        // A rescue stopping the new containers (T3) while OMS is still down since T1 goes on with the same window.
        if (e.name === 't3' && current && !current.t2 && current.back_ms === undefined) continue;
        const start_mark = e.name === 't1' ? 'T1' : 'T3';
        // A rollback's k-th T3 undoes its k-th hop; a rescue's T3 (in an upgrade run) belongs to the hop it puts back.
        const hop = start_mark === 'T3' && rollbackHops.length ? rollbackHops[opened.filter((o) => o.start_mark === 'T3').length] : upgradeHop;
        current = { start_mark, t1: value, hop };
        opened.push(current);
      } else if (e.name === 't2' && value && current && !current.t2 && current.back_ms === undefined) current.t2 = value;
    } else if (e.type === 'task_result' && done(e)) {
      if (moduleOf(e) === 'oms.rollback_hops' && !rollbackHops.length) rollbackHops = rollbackPath(e.result);
      // The old container found healthy again (tasks/rollback/start-old-containers.yml), on every host that did it.
      else if (current && !current.t2 && e.time && startOld.has(`${e.play}\u0000${e.task}`) && moduleOf(e) !== 'docker.container') current.back_ms = Math.max(current.back_ms ?? 0, Date.parse(e.time) - t0);
    }
  }
  if (!opened.length) return undefined;
  const multi = opened.length > 1;
  const windows = opened.map((o, i) => windowOf(o, t0, opened[i + 1], endMs));
  const total = windows.reduce((n, w) => n + (w.end_ms - w.start_ms), 0);
  const open = windows.some((w) => w.end_kind === 'run_end');
  const perHop = windows.every((w) => w.hop) && new Set(windows.map((w) => w.hop!.index)).size === windows.length;
  const label = multi ? `OMS down ${open ? '≥ ' : ''}${formatDuration(total)} in all, ${windows.length} windows${perHop ? ' (one per hop)' : ''}` : windows[0]!.label;
  return { windows, total_ms: total, label };
}

/** A window never seen closed ends at the next one's start (still down then), the last one at the run's end. */
function windowOf(o: Open, t0: number, next: Open | undefined, endMs: number): DowntimeWindow {
  const start = Date.parse(o.t1) - t0;
  const notBack = next ? Date.parse(next.t1) - t0 : endMs;
  const [end, kind]: [number, DowntimeWindow['end_kind']] = o.t2 ? [Date.parse(o.t2) - t0, 't2'] : o.back_ms !== undefined ? [o.back_ms, 'old_back'] : [notBack, 'run_end'];
  const length = formatDuration(Math.max(0, end - start));
  const what =
    kind === 't2'
      ? `OMS down ${length} (${o.start_mark} → T2)`
      : kind === 'old_back'
        ? `OMS down ${length} (${o.start_mark} → old OMS healthy again)`
        : `OMS down ≥ ${length} (${o.start_mark} → ${next ? `the next ${next.start_mark}` : 'end of run'}, not back)`;
  // A single-hop run's window reads as it always did; a hop of several says which one it is.
  const label = o.hop && o.hop.of > 1 ? `${hopName(o.hop)}: ${what}` : what;
  return { t1: o.t1, t2: o.t2, start_mark: o.start_mark, start_ms: start, end_ms: Math.max(start, end), end_kind: kind, hop: o.hop, label };
}

/** `hop 2/2 4.2.1 → 4.2.2`. */
export function hopName(h: DowntimeHop): string {
  return `hop ${h.index}/${h.of} ${h.from} → ${h.to}`;
}

function hopOf(v: Obj): DowntimeHop {
  return { index: Number(v.index), of: Number(v.of), from: String(v.from ?? '?'), to: String(v.to ?? '?') };
}

/** The hops a rollback undoes, in the order it undoes them, each as the change it makes (4.2.2 → 4.2.1). */
function rollbackPath(result: Obj): DowntimeHop[] {
  const hops = Array.isArray(result.hops) ? result.hops.filter(isObj) : [];
  return hops.map((h, i) => ({ index: i + 1, of: hops.length, from: String(h.to ?? '?'), to: String(h.from ?? '?') }));
}
