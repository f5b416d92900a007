/** Writes a run's report: report.html beside its journal (or where asked), owner-only like the journal. */
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunMeta } from '../engine/journal.js';
import type { Masker } from '../secrets.js';
import { extractReport } from './extract.js';
import { renderHtml } from './html.js';
import type { ReportData } from './model.js';
import { loadRun } from './read.js';

export const REPORT_FILE = 'report.html';

export async function buildReport(meta: RunMeta, masker?: Masker): Promise<{ data: ReportData; dir: string }> {
  const run = await loadRun(meta);
  return { data: extractReport(run, { masker }), dir: run.dir };
}

export async function writeReport(meta: RunMeta, opts: { out?: string; masker?: Masker } = {}): Promise<string> {
  const { data, dir } = await buildReport(meta, opts.masker);
  const file = opts.out ?? join(dir, REPORT_FILE);
  const tmp = `${file}.tmp`;
  await writeFile(tmp, renderHtml(data), { mode: 0o600 });
  await rename(tmp, file);
  return file;
}
