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
import { recapLines } from './recap.js';

// Loaded on first use: plain and JSON runs (CI, pipes) never pay for listr2 at start-up.
let listr2: Promise<typeof import('listr2')> | undefined;
const loadListr = () => (listr2 ??= import('listr2'));

interface HostResult {
  status: HostStatus;
  /** What the row says after the status and time (delegation, ignored). */
  suffix: string;
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

  constructor(private readonly verbose = false) {}

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
        const started = performance.now();
        const rows: ListrTask[] = [...hosts.entries()].map(([host, d]) => ({
          title: host,
          task: async (_ctx, row) => {
            const r = await d.promise;
            row.title = `${host}${r.suffix} ${r.status} ${ms(r.duration)}`;
            if (r.status === 'failed' || r.status === 'unreachable') throw new Error(r.details || r.status);
            if (r.details) row.output = r.details;
            if (r.status === 'skipped') row.skip(row.title);
          },
          rendererOptions: { outputBar: Number.POSITIVE_INFINITY, persistentOutput: true },
        }));
        const title = `${e.handler ? 'HANDLER' : 'TASK'} ${e.task}`;
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
        const details = this.verbose ? [JSON.stringify(e.result, null, 2)] : resultParts(e.status, e.result).map((p) => p.replace(/\n {4}/g, '\n  '));
        const diff = e.result.diff as { before?: string; after?: string; header?: string } | undefined;
        if (diff && (diff.before !== undefined || diff.after !== undefined)) details.push(unifiedDiff(diff));
        const suffix = `${e.delegated_to ? ` -> ${e.delegated_to}` : ''}${e.ignored ? ' (ignored)' : ''}`;
        this.hosts.get(e.host)?.resolve({ status: e.status, suffix, details: details.filter(Boolean).join('\n'), duration: e.duration_ms });
        break;
      }
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
