/** Reads one run from the state directory: its meta.json and every event of its journal. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunEvent } from '../engine/events.js';
import { type RunMeta, listRuns } from '../engine/journal.js';
import { runsDir } from '../engine/state-dir.js';
import { OptionsError } from '../errors.js';

export interface LoadedRun {
  meta: RunMeta;
  dir: string;
  events: RunEvent[];
}

/** A run id (or a unique prefix of one), or `last`: the newest run. */
export async function resolveRun(ref: string): Promise<RunMeta> {
  const runs = await listRuns();
  if (runs.length === 0) throw new OptionsError(`no runs in ${runsDir()}`, { hint: 'run a playbook first; OMSPLAY_HOME chooses where runs are kept' });
  if (ref === 'last') return runs[runs.length - 1]!;
  const found = runs.filter((r) => r.run_id === ref || r.run_id.startsWith(ref));
  if (found.length === 1) return found[0]!;
  const exact = found.find((r) => r.run_id === ref);
  if (exact) return exact;
  throw new OptionsError(found.length ? `run id "${ref}" is ambiguous (${found.length} runs start with it)` : `no run "${ref}" in ${runsDir()}`, {
    hint: 'see `omsplay runs` for the run ids, or use `last`',
  });
}

export async function loadRun(meta: RunMeta): Promise<LoadedRun> {
  const dir = join(runsDir(), meta.run_id);
  const text = await readFile(join(dir, 'journal.jsonl'), 'utf8').catch(() => '');
  const events: RunEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      events.push(JSON.parse(line) as RunEvent);
    } catch {
      /* a torn last line after a crash of the control node is left out */
    }
  }
  return { meta, dir, events };
}
