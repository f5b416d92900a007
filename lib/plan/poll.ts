/**
 * Facts that a module waits for (a container becoming healthy, servers coming Online): gather() reads them again
 * every `interval` until `done` holds or `timeout` passes, reporting progress. Under --check it reads once unless
 * told to wait: a check run changed nothing, so waiting would only delay the report.
 */
import { sleep } from '../sleep.js';
import type { ModuleContext } from '../modules/types.js';

export interface Polled<F> {
  facts: F;
  attempts: number;
  elapsed_s: number;
}

export async function pollFacts<F>(
  ctx: Pick<ModuleContext, 'check' | 'signal' | 'progress'>,
  o: {
    timeoutS: number;
    intervalS: number;
    read(previous: F | undefined): Promise<F>;
    done(facts: F): boolean;
    /** What the wait is for, in the progress line (`waiting: ...`). */
    waiting?(facts: F): string;
    /** Wait under --check too (a read-only module that runs as in a real run). */
    waitInCheckMode?: boolean;
  },
): Promise<Polled<F>> {
  const started = Date.now();
  const deadline = started + o.timeoutS * 1000;
  const once = ctx.check && !o.waitInCheckMode;
  let attempts = 0;
  let facts: F | undefined;
  for (;;) {
    attempts++;
    facts = await o.read(facts);
    const elapsed_s = Math.round((Date.now() - started) / 1000);
    if (o.done(facts) || once || Date.now() + o.intervalS * 1000 > deadline || ctx.signal.aborted) return { facts, attempts, elapsed_s };
    ctx.progress({ done: elapsed_s, total: o.timeoutS, unit: 'items', message: `waiting: ${o.waiting?.(facts) ?? 'not yet'}` });
    await sleep(o.intervalS * 1000, ctx.signal);
  }
}
