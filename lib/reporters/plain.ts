/** Plain lines, for CI logs and pipes (no TTY): Ansible's shape, with timings. */
import type { Reporter, RunEvent } from '../engine/events.js';
import { ms, resultSummary, unifiedDiff } from './format.js';
import { recapLines } from './recap.js';

export class PlainReporter implements Reporter {
  constructor(
    private readonly out: NodeJS.WritableStream = process.stdout,
    /** 1 (-v): whole results; 2 (-vv): also each task's file:line; 3 (-vvv): also connection and become details. */
    private readonly verbosity: number | boolean = 0,
  ) {}

  private get level(): number {
    return Number(this.verbosity);
  }

  private line(s: string): void {
    this.out.write(`${s}\n`);
  }

  event(e: RunEvent): void {
    switch (e.type) {
      case 'play_start':
        this.line(`\nPLAY [${e.play}]${e.batch ? ` (batch ${e.batch}/${e.batches})` : ''} ${'*'.repeat(20)}`);
        break;
      case 'task_start':
        this.line(`\n${e.handler ? 'HANDLER' : 'TASK'} [${e.task}]`);
        if (this.level >= 2) this.line(`task path: ${e.location} (hosts: ${e.hosts.join(', ')})`);
        break;
      case 'task_result': {
        const text = resultSummary(e.status, e.result, this.level >= 1);
        const via = e.delegated_to ? ` -> ${e.delegated_to}` : '';
        const ignored = e.ignored ? ' (ignored)' : '';
        this.line(`${e.status}: [${e.host}${via}] ${ms(e.duration_ms)}${ignored}${text ? ` => ${text}` : ''}`);
        const diff = e.result.diff as { before?: string; after?: string; header?: string } | undefined;
        if (diff && (diff.before !== undefined || diff.after !== undefined)) this.line(unifiedDiff(diff));
        break;
      }
      case 'item_result': {
        const text = resultSummary(e.status, e.result, this.level >= 1);
        this.line(`${e.status}: [${e.host}${e.delegated_to ? ` -> ${e.delegated_to}` : ''}] (item=${e.label})${e.ignored ? ' (ignored)' : ''}${text ? ` => ${text}` : ''}`);
        break;
      }
      case 'detail':
        if (this.level >= 3) this.line(`<${e.host}> ${e.message}`);
        break;
      case 'warning':
        this.line(`[WARNING] ${e.message}`);
        break;
      case 'on_failure':
        this.line(`\nON FAILURE of [${e.play}]: ${String(e.failure.reason ?? '')}`);
        break;
      case 'play_end':
        if (e.failed && e.reason) this.line(`play [${e.play}] stopped: ${e.reason}`);
        break;
      case 'recap':
        this.line(`\nPLAY RECAP ${'*'.repeat(20)}`);
        for (const l of recapLines(e.hosts)) this.line(l);
        if (e.stopped_at) this.line(`\nstopped at task "${e.stopped_at}"`);
        if (e.resume_hint) this.line(e.resume_hint);
        break;
      case 'run_end':
        this.line(`\nrun ${e.run_id} ended with exit code ${e.exit_code} in ${ms(e.duration_ms)}; journal: ${e.journal}`);
        break;
      default:
    }
  }

  async close(): Promise<void> {}
}
