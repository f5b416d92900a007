/**
 * The terminal display: play > task > hosts as a listr2 tree with a live spinner and timings.
 * Each task becomes one Listr run whose host rows resolve as the engine reports them; runs are
 * chained so output never interleaves. Under each host row stays what the plain output says of it
 * (the message, also of ok results; a failure's command and last stderr lines; the --diff; with -v
 * the whole result), and why a play stopped, so a person at a terminal is told no less than a log.
 */
import type { ListrTask } from 'listr2';
import type { HostStatus, Reporter, RunEvent } from '../engine/events.js';
import { ms, resultParts, unifiedDiff } from './format.js';
import { ProgressBoard } from './progress.js';
import { recapLines } from './recap.js';

// Loaded on first use: plain and JSON runs (CI, pipes) never pay for listr2 at start-up.
let listr2: Promise<typeof import('listr2')> | undefined;
const loadListr = () => (listr2 ??= import('listr2'));

interface HostResult {
  status: HostStatus;
  /** ` -> host` of a delegated task. */
  via: string;
  /** ` (ignored)` of an ignored failure. */
  ignored: string;
  /** Lines shown under the row. */
  details: string;
  duration: number;
}

interface Deferred {
  promise: Promise<HostResult>;
  resolve(v: HostResult): void;
}

function deferred(): Deferred {
  let resolve!: Deferred['resolve'];
  const promise = new Promise<HostResult>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export class ListrReporter implements Reporter {
  private chain: Promise<void> = Promise.resolve();
  private hosts = new Map<string, Deferred>();
  /** Lines for a host's row that come before its result: loop items, -vvv connection details. */
  private pending = new Map<string, string[]>();
  /** Hosts of the running task whose row has its result (later lines are printed on their own). */
  private settled = new Set<string>();
  /** Progress bars of the running task's hosts (a dump streaming), shown under the row until its result. */
  private progress = new Map<string, { board: ProgressBoard; show?: (text: string) => void }>();

  /** 1 (-v): whole results; 2 (-vv): also each task's file:line; 3 (-vvv): also connection and become details. */
  constructor(private readonly verbosity: number | boolean = 0) {}

  private get level(): number {
    return Number(this.verbosity);
  }

  private resultLines(status: HostStatus, result: Record<string, unknown>): string[] {
    const lines = this.level >= 1 ? [JSON.stringify(result, null, 2)] : resultParts(status, result).map((p) => p.replace(/\n {4}/g, '\n  '));
    const diff = result.diff as { before?: string; after?: string; header?: string } | undefined;
    if (diff && (diff.before !== undefined || diff.after !== undefined)) lines.push(unifiedDiff(diff));
    return lines.filter(Boolean);
  }

  private addPending(host: string, line: string): void {
    const lines = this.pending.get(host) ?? [];
    lines.push(line);
    this.pending.set(host, lines);
  }

  private queue(f: () => void | Promise<void>): void {
    this.chain = this.chain.then(f).catch(() => undefined);
  }

  event(e: RunEvent): void {
    switch (e.type) {
      case 'play_start':
        this.queue(() => console.log(`\n▶ PLAY ${e.play}${e.batch ? ` (batch ${e.batch}/${e.batches})` : ''} — ${e.hosts.length} host${e.hosts.length === 1 ? '' : 's'}`));
        break;
      case 'task_start': {
        const hosts = new Map(e.hosts.map((h) => [h, deferred()] as const));
        this.hosts = hosts;
        this.pending = new Map();
        this.settled = new Set();
        const progress = new Map<string, { board: ProgressBoard; show?: (text: string) => void }>();
        this.progress = progress;
        const started = performance.now();
        const rows: ListrTask[] = [...hosts.entries()].map(([host, d]) => ({
          title: host,
          task: async (_ctx, row) => {
            const bar = progress.get(host) ?? { board: new ProgressBoard() };
            bar.show = (text) => {
              row.output = text;
            };
            progress.set(host, bar);
            const r = await d.promise;
            bar.show = undefined;
            row.title = `${host}${r.via} ${r.status} ${ms(r.duration)}${r.ignored}`;
            if (r.status === 'failed' || r.status === 'unreachable') throw new Error(r.details || r.status);
            if (r.details) row.output = r.details;
            if (r.status === 'skipped') row.skip(row.title);
          },
          rendererOptions: { outputBar: Number.POSITIVE_INFINITY, persistentOutput: true },
        }));
        const title = `${e.handler ? 'HANDLER' : 'TASK'} ${e.task}${this.level >= 2 && e.location ? ` (${e.location})` : ''}`;
        this.queue(async () => {
          const { Listr } = await loadListr();
          const list = new Listr(
            [
              {
                title,
                task: (_ctx, task) =>
                  task.newListr(rows, { concurrent: true, exitOnError: false, rendererOptions: { collapseSubtasks: false, collapseErrors: false } }),
              },
            ],
            { exitOnError: false, rendererOptions: { collapseSubtasks: false, collapseErrors: false } },
          );
          await list.run().catch(() => undefined);
          void started;
        });
        break;
      }
      case 'task_result': {
        // A loop's result holds every item again: its items were shown one by one, only its message (a failure's summary) is added.
        const own = e.result.results && !this.level ? resultParts(e.status, { msg: e.result.msg }) : this.resultLines(e.status, e.result);
        const details = [...(this.pending.get(e.host) ?? []), ...own];
        const via = e.delegated_to ? ` -> ${e.delegated_to}` : '';
        this.hosts.get(e.host)?.resolve({ status: e.status, via, ignored: e.ignored ? ' (ignored)' : '', details: details.join('\n'), duration: e.duration_ms });
        this.pending.delete(e.host);
        this.settled.add(e.host);
        break;
      }
      case 'item_result': {
        const text = this.resultLines(e.status, e.result).join('\n');
        const via = e.delegated_to ? ` -> ${e.delegated_to}` : '';
        this.addPending(e.host, `${e.status}${via} (item=${e.label})${e.ignored ? ' (ignored)' : ''}${text ? ` => ${text}` : ''}`);
        break;
      }
      case 'progress': {
        if (this.settled.has(e.host)) break;
        const bar = this.progress.get(e.host) ?? { board: new ProgressBoard() };
        this.progress.set(e.host, bar);
        bar.board.update(e, performance.now());
        bar.show?.(bar.board.lines().join('\n'));
        break;
      }
      case 'detail':
        if (this.level < 3) break;
        if (this.hosts.has(e.host) && !this.settled.has(e.host)) this.addPending(e.host, `<${e.host}> ${e.message}`);
        else this.queue(() => console.log(`<${e.host}> ${e.message}`));
        break;
      case 'play_end':
        if (e.failed && e.reason) this.queue(() => console.log(`✖ play ${e.play} stopped: ${e.reason}`));
        break;
      case 'warning':
        this.queue(() => console.log(`⚠ ${e.message}`));
        break;
      case 'on_failure':
        this.queue(() => console.log(`\n✖ play ${e.play} failed: ${String(e.failure.reason ?? '')} — running on_failure`));
        break;
      case 'recap':
        this.queue(() => {
          console.log('\nRECAP');
          for (const l of recapLines(e.hosts)) console.log(`  ${l}`);
          if (e.stopped_at) console.log(`\nstopped at task "${e.stopped_at}"`);
          if (e.resume_hint) console.log(e.resume_hint);
        });
        break;
      case 'run_end':
        this.queue(() => console.log(`\nrun ${e.run_id} — exit ${e.exit_code} in ${ms(e.duration_ms)} — journal ${e.journal}`));
        break;
      default:
    }
  }

  async close(): Promise<void> {
    await this.chain;
  }
}
