/**
 * One run, from loaded inputs to exit code: opens the journal, runs the plays, emits the recap
 * and run_end, closes connections. The CLI and the tests both come through here.
 */
import { resolve } from 'node:path';
import type { Inventory } from '../inventory/types.js';
import type { Playbook } from '../playbook/types.js';
import { ExitCode } from '../errors.js';
import { Journal, newRunId } from './journal.js';
import type { RunOptions } from './options.js';
import { PlaybookRunner } from './runner.js';

export interface RunOutcome {
  exitCode: number;
  runId: string;
  journalFile: string;
  stoppedAt?: string;
}

export async function executeRun(
  playbook: Playbook,
  inventory: Inventory,
  options: RunOptions,
  how: { resumeCommand?: string } = {},
): Promise<RunOutcome> {
  const runId = newRunId();
  const journal = new Journal({
    run_id: runId,
    playbook: playbook.file,
    inventory: resolve(inventory.file),
    check: options.check,
    started_at: new Date().toISOString(),
    recorded: [],
    from_run: options.fromRun?.run_id,
  });
  await journal.open();
  const started = performance.now();
  const runner = new PlaybookRunner(playbook, inventory, options, journal);
  runner.emit({ type: 'run_start', run_id: runId, playbook: playbook.file, inventory: inventory.file, check: options.check, time: new Date().toISOString(), from_run: options.fromRun?.run_id });
  let exitCode: number = ExitCode.unexpected;
  let stoppedAt: string | undefined;
  try {
    const summary = await runner.run();
    exitCode = summary.exitCode;
    stoppedAt = summary.stoppedAt;
    const hosts = Object.fromEntries([...summary.hosts].filter(([, s]) => Object.values(s.counts).some((n) => n > 0)).map(([h, s]) => [h, s.counts]));
    const resume = how.resumeCommand ? `To resume: ${how.resumeCommand} --start-at-task "${stoppedAt}".` : '';
    runner.emit({
      type: 'recap',
      hosts,
      stopped_at: stoppedAt,
      resume_hint: stoppedAt !== undefined ? `Interrupted. ${resume} ${runner.rollbackHint()}`.trim() : undefined,
    });
  } finally {
    runner.emit({ type: 'run_end', run_id: runId, exit_code: exitCode, time: new Date().toISOString(), duration_ms: Math.round(performance.now() - started), journal: journal.file });
    await journal.close(exitCode);
    await options.connections.closeAll();
    for (const r of options.reporters) await r.close();
  }
  return { exitCode, runId, journalFile: journal.file, stoppedAt };
}
