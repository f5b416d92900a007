/** The outage figures of a run, from its events: each step's time and whether it fell inside the outage. */
export type Ev = Record<string, any>;

export interface RunFigures {
  wallMs: number;
  outageMs: number;
  load: number[];
  /** Step (the task name before its colon) -> milliseconds, summed over its tasks; `inOutage`: the part between the outage's ends. */
  steps: Array<{ step: string; ms: number; inOutage: boolean }>;
}

/** Per step, the time of its tasks (task_start .. next task_start or play end, tasks run one after another). */
export function stepTimes(events: Ev[], from: number, to: number): RunFigures['steps'] {
  const starts = events.filter((e) => e.type === 'task_start').map((e) => ({ task: String(e.task), at: Date.parse(e.time) }));
  const end = Date.parse(events.find((e) => e.type === 'run_end')?.time ?? events.at(-1)?.time ?? new Date().toISOString());
  const out = new Map<string, { ms: number; inOutage: boolean }>();
  starts.forEach((s, i) => {
    const next = starts[i + 1]?.at ?? end;
    // The upgrade's steps are the prefixes of its task names; the rollback's tasks all start "Rollback:", each its own.
    const step = s.task.includes(':') && !s.task.startsWith('Rollback:') ? s.task.slice(0, s.task.indexOf(':')) : s.task;
    const cur = out.get(step) ?? { ms: 0, inOutage: false };
    cur.ms += Math.max(0, next - s.at);
    if (s.at >= from && s.at < to) cur.inOutage = true;
    out.set(step, cur);
  });
  return [...out.entries()].map(([step, v]) => ({ step, ...v }));
}

