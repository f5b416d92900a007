/**
 * One connection per host for the whole run. `get(host)` creates it from the host's ConnectionSettings
 * (through a resolver, so this file does not depend on the inventory module) with the transport the
 * registry (transports.ts) names for its `connection:`, memoises the promise so concurrent callers share
 * one connection, bounds parallel handshakes (--forks) and asks each prompt once per run.
 *
 * The control node (`localhost`, `127.0.0.1`) is always reached with the local transport, declared or not:
 * that is where `delegate_to: localhost` and the run's lock on the control node go.
 */
import { UnreachableError } from '../errors.js';
import { Limiter } from './limiter.js';
import { localUserName } from './login-user.js';
import type { PoolOptions, SettingsResolver, TransportContext, TransportRun } from './transport.js';
import { type TransportName, transportEntry } from './transports.js';
import type { Connection, ConnectionSettings } from './types.js';

export type { PoolOptions, SettingsResolver } from './transport.js';

/** Names that always mean the control node. */
export const CONTROL_NODE_NAMES: ReadonlySet<string> = new Set(['localhost', '127.0.0.1']);

export interface PoolStats {
  /** ssh connections authenticated (targets and bastions). */
  opened: number;
  /** Per pool key (host name, or `host via bastion` for a hop). */
  perHost: Record<string, number>;
  /** Handshake + authentication time of each connection, ms. */
  connectMs: Record<string, number>;
}

export class ConnectionPool {
  private conns = new Map<string, Promise<Connection>>();
  private runs = new Map<TransportName, Promise<TransportRun>>();
  private limiter: Limiter;
  private counts: Record<string, number> = {};
  private times: Record<string, number> = {};
  private answers = new Map<string, Promise<string>>();
  private promptQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly resolve: SettingsResolver,
    private readonly opts: PoolOptions = {},
  ) {
    this.limiter = new Limiter(Math.max(1, opts.forks ?? 10));
  }

  /** The host's connection, connected. Rejects with UnreachableError. */
  get(hostName: string): Promise<Connection> {
    let p = this.conns.get(hostName);
    if (!p) {
      p = this.create(hostName);
      this.conns.set(hostName, p);
    }
    return p;
  }

  /** The settings the pool reaches `hostName` with (the control node's are local whatever the inventory says). */
  settings(hostName: string): ConnectionSettings | undefined {
    if (CONTROL_NODE_NAMES.has(hostName)) return { connection: 'local', address: '127.0.0.1', port: 22, user: localUserName() };
    return this.resolve(hostName);
  }

  private async create(hostName: string): Promise<Connection> {
    const settings = this.settings(hostName);
    if (!settings) throw new UnreachableError(hostName, `no connection settings for host ${hostName}`, { hint: 'is the host in the inventory?' });
    const run = await this.transport(settings.connection);
    return run.connect(hostName, settings);
  }

  /** The run of a transport, started (and its module loaded) the first time a host uses it. */
  private transport(name: string): Promise<TransportRun> {
    const entry = transportEntry(name);
    const key = name as TransportName;
    let run = this.runs.get(key);
    if (!run) {
      run = entry.load().then((m) => m.transport.start(this.context()));
      this.runs.set(key, run);
    }
    return run;
  }

  private context(): TransportContext {
    return {
      options: this.opts,
      resolve: this.resolve,
      limit: (fn) => this.limiter.run(fn),
      prompt: this.opts.prompt ? (q, o) => this.ask(q, o) : undefined,
      opened: (key, connectMs) => {
        this.counts[key] = (this.counts[key] ?? 0) + 1;
        this.times[key] = connectMs;
      },
    };
  }

  /**
   * Prompts one at a time (hosts connect in parallel), each question once per run: a key's passphrase
   * or the --ask-pass password is typed once, not once per host.
   */
  private ask(question: string, o: { secret: boolean }): Promise<string> {
    let answer = this.answers.get(question);
    if (!answer) {
      const prompt = this.opts.prompt!;
      answer = this.promptQueue.then(() => prompt(question, o));
      this.promptQueue = answer.catch(() => undefined);
      this.answers.set(question, answer);
    }
    return answer;
  }

  stats(): PoolStats {
    const perHost = { ...this.counts };
    return { opened: Object.values(perHost).reduce((a, b) => a + b, 0), perHost, connectMs: { ...this.times } };
  }

  /** Closes every transport's connections. */
  async closeAll(): Promise<void> {
    const runs = [...this.runs.values()];
    this.conns.clear();
    this.runs.clear();
    for (const run of runs) await (await run.catch(() => undefined))?.closeAll();
  }
}
