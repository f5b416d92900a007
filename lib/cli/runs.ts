/** `omsplay runs`: earlier runs from the state directory, newest last, with status, duration and report. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type RunMeta, listRuns } from '../engine/journal.js';
import { runsDir } from '../engine/state-dir.js';
import { ExitCode } from '../errors.js';
import type { Parsed } from './args.js';
import type { RUNS_OPTIONS } from './commands.js';

import { formatDuration } from '../report/oms.js';
import { REPORT_FILE } from '../report/write.js';

function status(r: RunMeta): string {
  if (r.exit_code === undefined) return 'unfinished';
  return `exit ${r.exit_code} (${r.exit_code === 0 ? 'ok' : r.exit_code === 99 ? 'interrupted' : 'failed'})`;
}

function duration(r: RunMeta): string {
  return r.ended_at ? formatDuration(Date.parse(r.ended_at) - Date.parse(r.started_at)) : '—';
}

function reportPath(r: RunMeta): string | null {
  const file = join(runsDir(), r.run_id, REPORT_FILE);
  return existsSync(file) ? file : null;
}

export async function runsCommand({ values }: Parsed<typeof RUNS_OPTIONS>): Promise<number> {
  const runs = await listRuns();
  if (values.json) {
    const out = runs.map((r) => ({ ...r, status: status(r), duration_ms: r.ended_at ? Date.parse(r.ended_at) - Date.parse(r.started_at) : null, report: reportPath(r) }));
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return ExitCode.ok;
  }
  if (runs.length === 0) {
    process.stdout.write(`no runs yet in ${runsDir()}\n`);
    return ExitCode.ok;
  }
  for (const r of runs) {
    const report = reportPath(r) ?? `(omsplay report ${r.run_id})`;
    process.stdout.write(
      `${r.run_id}  ${r.started_at}  ${status(r).padEnd(20)} ${duration(r).padStart(10)}  ${r.check ? 'check ' : ''}${r.playbook}  -i ${r.inventory}${r.recorded.length ? `  recorded: ${r.recorded.join(', ')}` : ''}\n    report: ${report}\n`,
    );
  }
  return ExitCode.ok;
}
