/**
 * One run, from loaded inputs to exit code: opens the journal, runs the plays, emits the recap
 * and run_end, closes connections. The CLI and the tests both come through here.
 */
import { resolve } from 'node:path';
import type { Inventory } from '../inventory/types.js';
import type { Playbook } from '../playbook/types.js';
import { ExitCode, isOmsplayError } from '../errors.js';
import { Journal, newRunId } from './journal.js';
import { RunLocks, currentOwner, manualBreak } from './lock.js';
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
    operator: currentOwner(runId, playbook.file).owner,
    regions: Object.fromEntries([...inventory.regions.values()].map((r) => [r.name, [...r.hosts]])),
  });
  await journal.open();
  const started = performance.now();
  let runner: PlaybookRunner | undefined;
  const locks = new RunLocks(runId, playbook.file, (h) => options.connections.get(h), {
    fromRun: options.fromRun?.run_id,
    notify: (message) => runner?.emit({ type: 'warning', message }),
  });
  runner = new PlaybookRunner(playbook, inventory, options, journal, locks);
  runner.emit({ type: 'run_start', run_id: runId, playbook: playbook.file, inventory: inventory.file, check: options.check, time: new Date().toISOString(), from_run: options.fromRun?.run_id });
  let exitCode: number = ExitCode.unexpected;
  let stoppedAt: string | undefined;
  try {
    const summary = await runner.run();
    exitCode = summary.exitCode;
    stoppedAt = summary.stoppedAt;
    const hosts = Object.fromEntries([...summary.hosts].filter(([, s]) => Object.values(s.counts).some((n) => n > 0)).map(([h, s]) => [h, s.counts]));
    const resume = stoppedAt !== undefined ? runner.resumeHint(how.resumeCommand, stoppedAt) : '';
    runner.emit({
      type: 'recap',
      hosts,
      stopped_at: stoppedAt,
      resume_hint: stoppedAt !== undefined ? `Interrupted. ${resume} ${runner.rollbackHint()}`.trim() : undefined,
    });
  } catch (e) {
    // A refusal (e.g. another run holds the lock) ends the run with its own code; the CLI prints it.
    if (isOmsplayError(e)) exitCode = e.exitCode;
    throw e;
  } finally {
    // Locks are given back whatever happened (failure, Ctrl-C): without the run's signal, which may be aborted.
    for (const r of await locks.releaseAll()) {
      runner.emit({ type: 'lock', name: r.name, hosts: r.hosts, state: 'released', time: new Date().toISOString(), failed: r.failed.length ? r.failed : undefined });
      if (r.failed.length > 0)
        runner.emit({ type: 'warning', message: `the lock "${r.name}" could not be released on ${r.failed.join(', ')} (unreachable); once they are back: ${options.unlockHint?.(r.name) ?? manualBreak(r.name)}` });
    }
    runner.emit({ type: 'run_end', run_id: runId, exit_code: exitCode, time: new Date().toISOString(), duration_ms: Math.round(performance.now() - started), journal: journal.file });
    await journal.close(exitCode);
    await options.connections.closeAll();
    for (const r of options.reporters) await r.close();
  }
  return { exitCode, runId, journalFile: journal.file, stoppedAt };
}
