/** A run's journal -> the report's data (what `omsplay report --json` prints and the HTML page draws). */
import { basename } from 'node:path';
import type { RunEvent } from '../engine/events.js';
import { ExitCode } from '../errors.js';
import { Masker } from '../secrets.js';
import type { ReportData, ReportHeader } from './model.js';
import { downtime } from './downtime.js';
import { hostChanges, metadb } from './oms.js';
import type { LoadedRun } from './read.js';
import { buildTimeline } from './timeline.js';

const EXIT_MEANINGS: Record<number, string> = {
  [ExitCode.ok]: 'every host ok',
  [ExitCode.error]: 'error (or another run held the lock)',
  [ExitCode.hostFailed]: 'a host failed',
  [ExitCode.hostUnreachable]: 'a host was unreachable',
  [ExitCode.parse]: 'parse or validation error',
  [ExitCode.badOptions]: 'bad command-line options',
  [ExitCode.interrupted]: 'interrupted (Ctrl-C)',
  [ExitCode.unexpected]: 'unexpected error (a bug)',
};

function outcome(code: number | undefined): string {
  if (code === undefined) return 'unfinished';
  if (code === ExitCode.ok) return 'ok';
  if (code === ExitCode.hostFailed) return 'failed';
  if (code === ExitCode.hostUnreachable) return 'unreachable';
  if (code === ExitCode.interrupted) return 'interrupted';
  return 'error';
}

export function extractReport(run: LoadedRun, opts: { masker?: Masker } = {}): ReportData {
  const { meta, events } = run;
  const start = events.find((e) => e.type === 'run_start');
  const end = events.find((e): e is Extract<RunEvent, { type: 'run_end' }> => e.type === 'run_end');
  const t0 = Date.parse(start?.time ?? meta.started_at);
  const exitCode = end?.exit_code ?? meta.exit_code;
  const endedAt = end?.time ?? meta.ended_at;
  const header: ReportHeader = {
    run_id: meta.run_id,
    playbook: meta.playbook,
    inventory: meta.inventory,
    operator: meta.operator,
    started_at: meta.started_at,
    ended_at: endedAt,
    duration_ms: end?.duration_ms ?? (endedAt ? Date.parse(endedAt) - Date.parse(meta.started_at) : undefined),
    exit_code: exitCode,
    exit_meaning: exitCode === undefined ? 'the run did not finish (no run_end in the journal: killed, or still running)' : (EXIT_MEANINGS[exitCode] ?? 'unknown exit code'),
    check: meta.check,
    from_run: meta.from_run,
    outcome: outcome(exitCode),
  };
  const timeline = buildTimeline(meta, events, t0);
  timeline.downtime = downtime(events, t0, timeline.span_ms);
  const recap = [...events].reverse().find((e): e is Extract<RunEvent, { type: 'recap' }> => e.type === 'recap');
  const hosts = hostChanges(events, timeline.groups, (recap?.hosts ?? {}) as unknown as Record<string, Record<string, number>>);

  const warnings = events.filter((e): e is Extract<RunEvent, { type: 'warning' }> => e.type === 'warning').map((e) => e.message);
  const onFailure = events.find((e): e is Extract<RunEvent, { type: 'on_failure' }> => e.type === 'on_failure');
  if (onFailure) {
    const reason = String(onFailure.failure.reason ?? '');
    const task = String(onFailure.failure.task ?? '');
    warnings.unshift(`play "${onFailure.play}" failed: ${reason}${task && !reason.includes(task) ? ` (task "${task}")` : ''}`);
  }
  if (recap?.resume_hint) warnings.push(recap.resume_hint);

  const data: ReportData = { header, timeline, hosts, metadb: metadb(events, hosts), warnings, next_steps: nextSteps(run, exitCode, recap?.resume_hint, warnings) };
  return maskReport(data, events, opts.masker);
}

/** The exact commands to go on with, when the run did not end cleanly. */
function nextSteps(run: LoadedRun, exitCode: number | undefined, resumeHint: string | undefined, warnings: string[]): string[] {
  if (exitCode === ExitCode.ok || run.meta.check) return [];
  const steps: string[] = [];
  // Hints the run printed itself (`To roll back: …`, `To resume: …`), word for word.
  for (const text of [resumeHint ?? '', ...warnings]) for (const m of text.matchAll(/To (?:roll back|resume): (omsplay [^\n]*?)(?:\.?(?= To |$))/g)) steps.push(m[1]!.trim());
  const pb = basename(run.meta.playbook);
  if (pb === 'upgrade.yml') steps.push(`omsplay run rollback.yml -i ${run.meta.inventory} --from-run ${run.meta.run_id}`);
  else if (pb === 'rollback.yml' && run.meta.from_run) steps.push(`omsplay run rollback.yml -i ${run.meta.inventory} --from-run ${run.meta.from_run} --yes`);
  return [...new Set(steps)];
}

/**
 * The journal is already masked; the report masks again as every other output does: every value the journal
 * holds under a secret-looking name (wherever else it appears), and every secret the run knew (its masker).
 */
function maskReport(data: ReportData, events: RunEvent[], runMasker?: Masker): ReportData {
  const byName = new Masker();
  for (const e of events) if (e.type === 'task_result' || e.type === 'record' || e.type === 'on_failure') byName.addFromVars(e);
  let out = byName.maskValue(data);
  if (runMasker) out = runMasker.maskValue(out);
  return out;
}
