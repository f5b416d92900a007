/** --json: JSON Lines on stdout, one object per event (already masked by the engine). */
import type { Reporter, RunEvent } from '../engine/events.js';

export class JsonReporter implements Reporter {
  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}

  event(e: RunEvent): void {
    this.out.write(`${JSON.stringify(e)}\n`);
  }

  async close(): Promise<void> {}
}
