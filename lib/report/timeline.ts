/**
 * The timeline of a run from its events: a bar per task result, plays and phases as bands, the failure
 * point and the rescue. Works for any playbook; what is OMS-specific (downtime, containers, MetaDB) is in oms.ts.
 */
import { basename, extname } from 'node:path';
import type { RunEvent } from '../engine/events.js';
import type { RunMeta } from '../engine/journal.js';
import type { Band, Bar, FailurePoint, Timeline } from './model.js';

/** The file part of a `file:line:col` location. */
export function locationFile(location: string): string {
  return location.replace(/:\d+:\d+$/, '');
}

/** `tasks/upgrade/06-backup.yml` -> `backup`: the step a task file stands for. */
export function phaseName(file: string): string {
  return basename(file, extname(file)).replace(/^\d+[-_]/, '');
}

export function summarize(result: Record<string, unknown> | undefined): string {
  if (!result) return '';
  const msg = result.msg ?? result.skip_reason;
  const text = typeof msg === 'string' && msg ? msg : JSON.stringify(result);
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 240 ? `${line.slice(0, 239)}…` : line;
}

export function buildTimeline(meta: RunMeta, events: RunEvent[], t0: number): Timeline {
  const at = (iso: string | undefined) => (iso ? Date.parse(iso) - t0 : 0);
  const tasks: Timeline['tasks'] = [];
  const taskIndex = new Map<string, number>();
  const taskStartMs: number[] = [];
  const bars: Bar[] = [];
  const plays: Band[] = [];
  const phases: Band[] = [];
  const hostsSeen = new Set<string>();
  let playFile = '';
  let currentPlay: Band | undefined;
  let currentPhase: Band | undefined;
  let lastMs = 0;
  let onFailureMs: number | undefined;
  let failure: FailurePoint | undefined;

  const stretch = (ms: number) => {
    lastMs = Math.max(lastMs, ms);
    if (currentPlay) currentPlay.end_ms = Math.max(currentPlay.end_ms, ms);
    if (currentPhase) currentPhase.end_ms = Math.max(currentPhase.end_ms, ms);
  };

  for (const e of events) {
    switch (e.type) {
      case 'play_start': {
        const ms = at(e.time);
        for (const h of e.hosts) hostsSeen.add(h);
        playFile = locationFile(e.location);
        currentPhase = undefined;
        // serial batches start the same play again: one band for the play.
        const last = plays[plays.length - 1];
        if (last && last.name === e.play && currentPlay === last) break;
        currentPlay = { name: e.play, start_ms: ms, end_ms: ms };
        plays.push(currentPlay);
        stretch(ms);
        break;
      }
      case 'play_end':
        stretch(at(e.time));
        break;
      case 'task_start': {
        const ms = at(e.time);
        taskIndex.set(`${e.play}\u0000${e.task}`, tasks.length);
        tasks.push({ name: e.task, play: e.play, location: e.location });
        taskStartMs.push(ms);
        const file = locationFile(e.location);
        const phase = file !== playFile ? phaseName(file) : undefined;
        if (phase !== currentPhase?.name) {
          currentPhase = phase ? { name: phase, start_ms: ms, end_ms: ms } : undefined;
          if (currentPhase) phases.push(currentPhase);
        }
        stretch(ms);
        break;
      }
      case 'task_result': {
        const key = `${e.play}\u0000${e.task}`;
        let task = taskIndex.get(key);
        if (task === undefined) {
          // A journal cut before its task_start: keep the bar anyway.
          task = tasks.length;
          taskIndex.set(key, task);
          tasks.push({ name: e.task, play: e.play, location: '' });
          taskStartMs.push(lastMs);
        }
        const end = e.time ? at(e.time) : taskStartMs[task]! + e.duration_ms;
        const start = Math.max(0, end - e.duration_ms);
        hostsSeen.add(e.host);
        bars.push({ host: e.host, task, status: e.status, start_ms: start, end_ms: end, ignored: e.ignored || undefined, summary: summarize(e.result) });
        if (!failure && ((e.status === 'failed' && !e.ignored) || e.status === 'unreachable'))
          failure = { host: e.host, task: e.task, status: e.status, at_ms: end, message: summarize(e.result) };
        stretch(end);
        break;
      }
      case 'on_failure':
        onFailureMs = at(e.time);
        stretch(onFailureMs);
        break;
      case 'lock':
      case 'run_end':
        stretch(at(e.time));
        break;
      default:
    }
  }

  const rescuePlays = onFailureMs === undefined ? [] : plays.filter((p) => p.start_ms >= onFailureMs!);
  const rescue: Band | undefined =
    onFailureMs !== undefined && rescuePlays.length > 0
      ? { name: `rescue: ${rescuePlays.map((p) => p.name).join(', ')}`, start_ms: onFailureMs, end_ms: Math.max(...rescuePlays.map((p) => p.end_ms)) }
      : undefined;

  return { span_ms: Math.max(lastMs, 1), groups: laneGroups(meta, hostsSeen), tasks, bars, plays, phases, failure, rescue };
}

/** Lanes by region in inventory order; hosts no region lists (localhost, older journals) in groups of their own. */
function laneGroups(meta: RunMeta, seen: Set<string>): Timeline['groups'] {
  const groups: Timeline['groups'] = [];
  const placed = new Set<string>();
  for (const [region, hosts] of Object.entries(meta.regions ?? {})) {
    const lanes = hosts.filter((h) => seen.has(h));
    for (const h of lanes) placed.add(h);
    if (lanes.length) groups.push({ name: region, hosts: lanes });
  }
  const rest = [...seen].filter((h) => !placed.has(h) && h !== 'localhost');
  if (rest.length) groups.push({ name: meta.regions ? 'other hosts' : 'hosts', hosts: rest });
  if (seen.has('localhost') && !placed.has('localhost')) groups.push({ name: 'control node', hosts: ['localhost'] });
  return groups;
}
