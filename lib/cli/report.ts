/** `omsplay report [RUN_ID|last] [-o FILE] [--json]`: one self-contained HTML page from a run's journal. */
import { resolve } from 'node:path';
import { ExitCode, OptionsError } from '../errors.js';
import { resolveRun } from '../report/read.js';
import { buildReport, writeReport } from '../report/write.js';
import type { Parsed } from './args.js';
import type { REPORT_OPTIONS } from './commands.js';

const USAGE = 'omsplay report [RUN_ID|last] [-o FILE] [--json]';

export async function reportCommand({ values, positionals }: Parsed<typeof REPORT_OPTIONS>): Promise<number> {
  if (positionals.length > 1) throw new OptionsError('report takes at most one run id', { hint: USAGE });
  const meta = await resolveRun(positionals[0] ?? 'last');
  if (values.json) {
    const { data } = await buildReport(meta);
    process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    return ExitCode.ok;
  }
  const file = await writeReport(meta, { out: values.output ? resolve(values.output) : undefined });
  process.stdout.write(`${file}\n`);
  return ExitCode.ok;
}
