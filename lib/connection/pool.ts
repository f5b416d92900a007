/**
 * One connection per host for the whole run. `get(host)` creates it from the host's ConnectionSettings
 * (through a resolver, so this file does not depend on the inventory module), memoises the promise so
 * concurrent callers share one connection, and bounds parallel handshakes (--forks). Bastions named in
 * `jump` are pooled too: ten hosts behind one bastion share one connection to it.
 */
import { UnreachableError } from '../errors.js';
import type { Masker } from '../secrets.js';
import { KnownHostsStore } from './known-hosts.js';
import { LocalConnection } from './local.js';
import { Limiter, SshConnection } from './ssh.js';
import type { Prompt } from './ssh-auth.js';
import { applySshConfig, expandTokens, lookupSshConfig, type SshConfigBlock } from './ssh-config.js';
import type { Connection, ConnectionSettings } from './types.js';

/** Connection settings of an inventory host, or undefined when there is no such host. */
export type SettingsResolver = (hostName: string) => ConnectionSettings | undefined;

export interface PoolOptions {
  /** --accept-new-host-keys: record unknown host keys (never changed ones). Overrides the inventory when set. */
  acceptNewHostKeys?: boolean;
  /** --forks: handshakes in flight at once (default 10). */
  forks?: number;
  /** Asks the user (passphrases, --ask-pass). Absent when the run is not interactive. */
  prompt?: Prompt;
  /** --ask-pass: prompt for the login password when no password env var is set. */
  askPass?: boolean;
  masker?: Masker;
  /** Environment the *_env settings are read from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** known_hosts files to read instead of ~/.ssh/known_hosts (+ each host's known_hosts setting). For tests. */
  knownHostsFiles?: string[];
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** Parsed ~/.ssh/config (loadSshConfig()): HostName/User/Port/IdentityFile/ProxyJump fill what the inventory left default. */
  sshConfig?: SshConfigBlock[];
}

export interface PoolStats {
  /** ssh connections authenticated (targets and bastions). */
  opened: number;
  /** Per pool key (host name, or `host via bastion` for a hop). */
  perHost: Record<string, number>;
  /** Handshake + authentication time of each connection, ms. */
  connectMs: Record<string, number>;
}

const JUMP_SPEC = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/;

export class ConnectionPool {
  private conns = new Map<string, Promise<Connection>>();
  private ssh = new Map<string, SshConnection>();
  private order: string[] = [];
  private limiter: Limiter;
  private knownHosts = new KnownHostsStore();
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

  private async create(hostName: string): Promise<Connection> {
    const settings = this.withSshConfig(hostName, this.resolve(hostName));
    if (!settings) throw new UnreachableError(hostName, `no connection settings for host ${hostName}`, { hint: 'is the host in the inventory?' });
    if (settings.connection === 'local') return new LocalConnection(hostName);
    // A bastion inherits `jump` from the "all" level too: it must not jump through itself.
    const jump = settings.jump ?? [];
    const self = jump.indexOf(hostName);
    const chain = self >= 0 ? jump.slice(0, self) : jump;
    const conn = this.sshFor(hostName, settings, chain);
    await conn.connect();
    return conn;
  }

  /** The pooled ssh connection to `name` reached through `chain` (outermost first). */
  private sshFor(name: string, settings: ConnectionSettings, chain: readonly string[]): SshConnection {
    const key = chain.length ? `${name} via ${chain.join(' > ')}` : name;
    let conn = this.ssh.get(key);
    if (conn) return conn;
    let via: SshConnection | undefined;
    if (chain.length) {
      const hop = chain[chain.length - 1]!;
      via = this.sshFor(hop, this.hopSettings(hop, settings), chain.slice(0, -1));
    }
    conn = new SshConnection({
      host: name,
      settings,
      knownHosts: this.knownHosts,
      knownHostsFiles: this.opts.knownHostsFiles ? [...this.opts.knownHostsFiles, ...(settings.knownHostsFile ? [settings.knownHostsFile] : [])] : undefined,
      acceptNewHostKeys: this.opts.acceptNewHostKeys,
      via,
      limit: (fn) => this.limiter.run(fn),
      prompt: this.opts.prompt ? (q, o) => this.ask(q, o) : undefined,
      askPass: this.opts.askPass,
      masker: this.opts.masker,
      env: this.opts.env,
      keepaliveIntervalMs: this.opts.keepaliveIntervalMs,
      keepaliveCountMax: this.opts.keepaliveCountMax,
      onOpen: (c) => {
        this.counts[key] = (this.counts[key] ?? 0) + 1;
        this.times[key] = c.connectMs;
      },
    });
    this.ssh.set(key, conn);
    this.order.push(key);
    return conn;
  }

  /** Settings of a bastion: an inventory host's own, or `user@addr:port` with the target's credentials. */
  private hopSettings(hop: string, target: ConnectionSettings): ConnectionSettings {
    const own = this.withSshConfig(hop, this.resolve(hop));
    if (own) return { ...own, connection: 'ssh', jump: undefined };
    if (this.opts.sshConfig && /^[^@:[\]]+$/.test(hop)) {
      // A bare ssh_config alias (ProxyJump bastion): its own HostName/User/Port/IdentityFile.
      const c = lookupSshConfig(this.opts.sshConfig, hop);
      const user = c.user ?? target.user;
      const address = c.hostName ? expandTokens(c.hostName, { host: hop, user }) : hop;
      const keyFile = c.identityFiles[0] ? expandTokens(c.identityFiles[0], { host: address, user }) : target.keyFile;
      return { ...target, connection: 'ssh', jump: undefined, user, address, port: c.port ?? 22, keyFile };
    }
    const m = JUMP_SPEC.exec(hop);
    if (!m) throw new UnreachableError(hop, `bad jump host ${JSON.stringify(hop)}`, { hint: 'write an inventory host name or user@address:port' });
    return {
      ...target,
      connection: 'ssh',
      jump: undefined,
      user: m[1] ?? target.user,
      address: m[2]!.replace(/^\[|\]$/g, ''),
      port: m[3] ? Number(m[3]) : 22,
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

  private withSshConfig(name: string, s: ConnectionSettings | undefined): ConnectionSettings | undefined {
    return s && this.opts.sshConfig && s.connection !== 'local' ? applySshConfig(name, s, this.opts.sshConfig) : s;
  }

  stats(): PoolStats {
    const perHost = { ...this.counts };
    return { opened: Object.values(perHost).reduce((a, b) => a + b, 0), perHost, connectMs: { ...this.times } };
  }

  /** Closes targets first, then bastions (outermost last). */
  async closeAll(): Promise<void> {
    const keys = [...this.order].reverse();
    this.conns.clear();
    for (const k of keys) await this.ssh.get(k)?.close();
    this.ssh.clear();
    this.order = [];
  }
}
