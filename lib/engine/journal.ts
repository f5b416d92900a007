/**
 * The run journal: one directory per run under the state dir, holding `journal.jsonl` (every event,
 * masked) and `meta.json`. Written and synced (fdatasync) after every task, in order; a task's recorded
 * values are on disk before the next task starts, so a crash of the control node loses nothing recorded
 * (other events may be one write behind). Files are owner-only (0600, directory 0700).
 */
import { mkdir, open, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunEvent } from './events.js';
import { runsDir } from './state-dir.js';

export interface RunMeta {
  run_id: string;
  playbook: string;
  inventory: string;
  check: boolean;
  started_at: string;
  ended_at?: string;
  exit_code?: number;
  /** Names of values recorded for later runs. */
  recorded: string[];
  from_run?: string;
  /** Who ran it from where (`user@control-host`), for reports. Absent in older journals. */
  operator?: string;
  /** Region -> hosts of the inventory, in inventory order (reports group lanes by region). */
  regions?: Record<string, string[]>;
}

export interface RecordedValues {
  run_id: string;
  started_at: string;
  /** name -> value (the last host's value wins; see `hosts` for each). */
  vars: Record<string, unknown>;
  hosts: Record<string, Record<string, unknown>>;
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${Math.random().toString(36).slice(2, 8)}`;
}

export class Journal {
  private fh: FileHandle | null = null;
  private pending: string[] = [];
  private pendingRecords = false;
  /** The chain of writes: each append+sync starts after the previous one, so the file keeps the event order. */
  private writing: Promise<void> = Promise.resolve();
  private recorded = new Set<string>();
  readonly dir: string;
  readonly file: string;

  constructor(readonly meta: RunMeta) {
    this.dir = join(runsDir(), meta.run_id);
    this.file = join(this.dir, 'journal.jsonl');
  }

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    this.fh = await open(this.file, 'a', 0o600);
    await this.writeMeta();
  }

  /** Buffers an event; `flush()` writes and syncs. */
  add(event: RunEvent): void {
    if (event.type === 'record') {
      this.recorded.add(event.name);
      this.pendingRecords = true;
    }
    this.pending.push(JSON.stringify(event));
  }

  /** Whether the buffered events include recorded values (the runner waits for those to be on disk). */
  get holdsRecords(): boolean {
    return this.pendingRecords;
  }

  /** Writes and syncs the buffered events after the writes before them; resolves when all are on disk. */
  flush(): Promise<void> {
    const fh = this.fh;
    if (fh && this.pending.length > 0) {
      const chunk = `${this.pending.join('\n')}\n`;
      this.pending = [];
      this.pendingRecords = false;
      this.writing = this.writing.then(async () => {
        await fh.appendFile(chunk);
        await fh.datasync();
      });
    }
    return this.writing;
  }

  async close(exitCode: number): Promise<void> {
    await this.flush();
    this.meta.ended_at = new Date().toISOString();
    this.meta.exit_code = exitCode;
    await this.writeMeta();
    await this.fh?.close();
    this.fh = null;
  }

  private async writeMeta(): Promise<void> {
    this.meta.recorded = [...new Set([...this.meta.recorded, ...this.recorded])];
    const tmp = join(this.dir, 'meta.json.tmp');
    await writeFile(tmp, `${JSON.stringify(this.meta, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, join(this.dir, 'meta.json'));
  }

  /** Records become visible in meta.json right away (a crash must not hide them). */
  async recordAndSync(event: Extract<RunEvent, { type: 'record' }>): Promise<void> {
    this.add(event);
    await this.flush();
    await this.writeMeta();
  }
}

export async function listRuns(): Promise<RunMeta[]> {
  let names: string[];
  try {
    names = await readdir(runsDir());
  } catch {
    return [];
  }
  const metas: RunMeta[] = [];
  for (const name of names) {
    try {
      metas.push(JSON.parse(await readFile(join(runsDir(), name, 'meta.json'), 'utf8')) as RunMeta);
    } catch {
      /* a run directory without meta (crashed before start) is ignored */
    }
  }
  return metas.sort((a, b) => a.started_at.localeCompare(b.started_at));
}

/**
 * `--from-run last`: the latest real (not --check) run against the same inventory that recorded
 * every value this playbook reads. A run id selects that run directly.
 */
export async function findRun(ref: string, inventory: string, needed: string[]): Promise<RunMeta | null> {
  const runs = await listRuns();
  if (ref !== 'last') return runs.find((r) => r.run_id === ref || r.run_id.startsWith(ref)) ?? null;
  for (const r of runs.reverse()) {
    if (r.check || r.inventory !== inventory) continue;
    if (needed.every((n) => r.recorded.includes(n))) return r;
  }
  return null;
}

export async function readRecorded(meta: RunMeta): Promise<RecordedValues> {
  const text = await readFile(join(runsDir(), meta.run_id, 'journal.jsonl'), 'utf8');
  const out: RecordedValues = { run_id: meta.run_id, started_at: meta.started_at, vars: {}, hosts: {} };
  for (const line of text.split('\n')) {
    if (!line.includes('"type":"record"')) continue;
    try {
      const e = JSON.parse(line) as Extract<RunEvent, { type: 'record' }>;
      out.vars[e.name] = e.value;
      out.hosts[e.host] ??= {};
      out.hosts[e.host]![e.name] = e.value;
    } catch {
      /* a torn last line after a crash is skipped */
    }
  }
  return out;
}
