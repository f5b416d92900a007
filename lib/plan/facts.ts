/**
 * The fact cache: per host, per run. A value is read once through the task's connection and kept
 * until a module that changes it runs (the plan's `invalidates`, else everything of that host);
 * facts of lifetime 'task' (state that changes by itself) are dropped when the task ends.
 */
import type { ExecResult } from '../connection/types.js';
import type { ModuleContext } from '../modules/types.js';
import type { Fact, FactReader, PlannedCommand } from './types.js';

interface Entry {
  fact: Fact<any, any>;
  value: Promise<unknown>;
}

/** Runs one read command (the task's exec: become, timeout, signal); the reader checks nothing, the parser judges. */
export type ReadCommand = (cmd: PlannedCommand) => Promise<ExecResult>;

export class FactCache {
  private readonly entries = new Map<string, Entry>();

  /** The values of one host, read through `exec`; `host` names the host in parse errors. */
  reader(host: string, exec: ReadCommand): FactReader {
    return {
      get: <P, V>(fact: Fact<P, V>, params: P): Promise<V> => {
        const key = factKey(fact, params);
        const hit = this.entries.get(key);
        if (hit) return hit.value as Promise<V>;
        const value = exec(fact.command(params)).then((r) => fact.parse(r, params, host));
        this.entries.set(key, { fact, value });
        // A failed read is not remembered: the next task asks again.
        value.catch(() => this.entries.get(key)?.value === value && this.entries.delete(key));
        return value;
      },
      invalidate: (fact, params) => this.invalidate(fact, params),
    };
  }

  invalidate(fact?: Fact<any, any>, params?: unknown): void {
    if (!fact) {
      this.entries.clear();
      return;
    }
    if (params !== undefined) {
      this.entries.delete(factKey(fact, params));
      return;
    }
    for (const [k, e] of this.entries) if (e.fact.name === fact.name) this.entries.delete(k);
  }

  /** The task ended: state that changes by itself is read again next time. */
  endTask(): void {
    for (const [k, e] of this.entries) if (e.fact.lifetime === 'task') this.entries.delete(k);
  }
}

/** Fact caches of every host of a run (the engine holds one). */
export class FactCaches {
  private readonly hosts = new Map<string, FactCache>();
  forHost(host: string): FactCache {
    let c = this.hosts.get(host);
    if (!c) {
      c = new FactCache();
      this.hosts.set(host, c);
    }
    return c;
  }
}

function factKey(fact: Fact<any, any>, params: unknown): string {
  return `${fact.name}\u0000${JSON.stringify(params ?? null)}`;
}

/**
 * One fact through the run's cache (ctx.facts), or read directly when the module runs outside the engine.
 * `fresh`: read it again even if known (a module that polls, such as oms.health, waits for it to change).
 */
export async function readFact<P, V>(
  ctx: { host: string; facts?: FactReader; exec: ModuleContext['exec'] },
  fact: Fact<P, V>,
  params: P,
  opts: { fresh?: boolean } = {},
): Promise<V> {
  if (ctx.facts) {
    if (opts.fresh) ctx.facts.invalidate(fact, params);
    return ctx.facts.get(fact, params);
  }
  const c = fact.command(params);
  if ('sql' in c) throw new Error(`fact ${fact.name} is SQL: read it through lib/metadb/`);
  const r = 'argv' in c ? await ctx.exec({ argv: c.argv }, c.stdin !== undefined ? { stdin: c.stdin } : undefined) : await ctx.exec({ script: c.script });
  return fact.parse(r, params, ctx.host);
}
