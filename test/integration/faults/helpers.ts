/**
 * What the fault tests share: the real CLI started as a separate process whose JSON events can be
 * watched while it runs (to strike at the right moment), the journal of a run, and the MetaDB's
 * table checksums without the tables the running containers write to.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checksumTables } from '../../lab/oms/site.js';
import type { Site } from '../../lab/oms/types.js';
import type { CliResult } from '../../support/omsplay.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const ENTRY = join(ROOT, 'test', 'support', 'cli-entry.ts');

export type Event = Record<string, any>;

export interface LiveRun {
  child: ChildProcess;
  /** stderr so far. */
  stderr(): string;
  pid: number;
  events: Event[];
  /** Resolves with the first event (already seen or to come) that matches. */
  waitFor(pred: (e: Event) => boolean, timeoutMs?: number): Promise<Event>;
  /** Resolves when the process has exited. */
  done: Promise<CliResult>;
}

/** Starts `omsplay ARGS` (from source, as test/support/omsplay.ts does) and parses stdout's JSON lines as they come. */
export function startOmsplay(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): LiveRun {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    cwd: ROOT,
    env: { ...process.env, CI: '1', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin!.end();
  const events: Event[] = [];
  const waiters: Array<{ pred: (e: Event) => boolean; resolve: (e: Event) => void }> = [];
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdout!.on('data', (c: Buffer) => {
    stdout += c;
    partial += c;
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const l of lines) {
      if (!l.startsWith('{')) continue;
      let e: Event;
      try {
        e = JSON.parse(l);
      } catch {
        continue;
      }
      events.push(e);
      for (const w of [...waiters]) {
        if (w.pred(e)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    }
  });
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, events });
    });
  });
  let exited = false;
  void done.then(() => {
    exited = true;
  });
  return {
    child,
    stderr: () => stderr,
    pid: child.pid!,
    events,
    done,
    waitFor(pred, timeoutMs = 120_000) {
      const seen = events.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms (exited: ${exited})\n${stderr}\n${stdout.slice(-3000)}`)), timeoutMs);
        const w = {
          pred,
          resolve: (e: Event) => {
            clearTimeout(t);
            resolve(e);
          },
        };
        waiters.push(w);
        void done.then(() => {
          if (waiters.includes(w)) {
            clearTimeout(t);
            reject(new Error(`omsplay exited before the awaited event\n${stderr}\n${stdout.slice(-3000)}`));
          }
        });
      });
    },
  };
}

/** The events of a run's journal (journal.jsonl), as written to disk. */
export async function journalEvents(r: CliResult): Promise<Event[]> {
  const end = r.events.find((e) => e.type === 'run_end');
  if (!end) throw new Error(`no run_end event: exit ${r.code}\n${r.stderr}`);
  return (await readFile(end.journal, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
}

/** The run's meta.json next to its journal. */
export async function runMeta(r: CliResult): Promise<Record<string, any>> {
  const end = r.events.find((e) => e.type === 'run_end')!;
  return JSON.parse(await readFile(join(dirname(end.journal), 'meta.json'), 'utf8'));
}

/** Failed and unreachable results, for assertion messages. */
export function explain(r: CliResult): string {
  const bad = r.events.filter((e) => e.type === 'task_result' && (e.status === 'failed' || e.status === 'unreachable'));
  return `exit ${r.code}\n${r.stderr}\n${bad.map((e) => `${e.host} ${e.task}: ${JSON.stringify(e.result).slice(0, 600)}`).join('\n')}`;
}

/** The heartbeat tables the running containers keep writing. */
export const heartbeatTable = (table: string) => table.endsWith('.heatbeat_sequence') || table.endsWith('.host_heartbeat');

/** Every MetaDB table's CHECKSUM TABLE but the heartbeat tables (ha.config's table included: compare it whole). */
export async function metadbChecksums(site: Site): Promise<Record<string, number | null>> {
  const all = await checksumTables(site);
  return Object.fromEntries(Object.entries(all).filter(([t]) => !heartbeatTable(t)));
}

/** Processes on a lab host whose command line contains `needle` (from ps, as the host sees them). */
export async function remoteProcesses(lab: { exec(host: string, argv: string[]): Promise<{ stdout: string }> }, host: string, needle: string): Promise<string[]> {
  const r = await lab.exec(host, ['ps', '-eo', 'pid,args']);
  return r.stdout
    .split('\n')
    .filter((l) => l.includes(needle) && !l.includes('ps -eo'));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
