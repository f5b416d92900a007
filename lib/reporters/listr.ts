/**
 * The terminal display: play > task > hosts as a listr2 tree with a live spinner and timings.
 * Each task becomes one Listr run whose host rows resolve as the engine reports them; runs are
 * chained so output never interleaves.
 */
import type { ListrTask } from 'listr2';
import type { HostStatus, Reporter, RunEvent } from '../engine/events.js';
import { ms, resultSummary } from './format.js';
import { recapLines } from './recap.js';

// Loaded on first use: plain and JSON runs (CI, pipes) never pay for listr2 at start-up.
let listr2: Promise<typeof import('listr2')> | undefined;
const loadListr = () => (listr2 ??= import('listr2'));

interface Deferred {
  promise: Promise<{ status: HostStatus; text: string; duration: number }>;
  resolve(v: { status: HostStatus; text: string; duration: number }): void;
}

function deferred(): Deferred {
  let resolve!: Deferred['resolve'];
  const promise = new Promise<{ status: HostStatus; text: string; duration: number }>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export class ListrReporter implements Reporter {
  private chain: Promise<void> = Promise.resolve();
  private hosts = new Map<string, Deferred>();

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
            row.title = `${host} ${r.status} ${ms(r.duration)}${r.text && r.status !== 'ok' ? ` — ${r.text}` : ''}`;
            if (r.status === 'skipped') row.skip(row.title);
            if (r.status === 'failed' || r.status === 'unreachable') throw new Error(`${host} ${r.status}: ${r.text}`);
          },
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
      case 'task_result':
        this.hosts.get(e.host)?.resolve({ status: e.status, text: resultSummary(e.status, e.result), duration: e.duration_ms });
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
