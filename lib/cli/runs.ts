/** `omsplay runs`: earlier runs from the state directory, newest last. */
import { listRuns } from '../engine/journal.js';
import { runsDir } from '../engine/state-dir.js';
import { ExitCode } from '../errors.js';
import type { Parsed } from './args.js';
import type { RUNS_OPTIONS } from './commands.js';

export async function runsCommand({ values }: Parsed<typeof RUNS_OPTIONS>): Promise<number> {
  const runs = await listRuns();
  if (values.json) {
    process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
    return ExitCode.ok;
  }
  if (runs.length === 0) {
    process.stdout.write(`no runs yet in ${runsDir()}\n`);
    return ExitCode.ok;
  }
  for (const r of runs) {
    const state = r.exit_code === undefined ? 'unfinished' : `exit ${r.exit_code}`;
    process.stdout.write(`${r.run_id}  ${r.started_at}  ${state.padEnd(10)} ${r.check ? 'check ' : ''}${r.playbook}  -i ${r.inventory}${r.recorded.length ? `  recorded: ${r.recorded.join(', ')}` : ''}\n`);
  }
  return ExitCode.ok;
}
