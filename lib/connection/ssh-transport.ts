/**
 * The ssh transport for the registry (transports.ts): per run, one SshConnection per host, ~/.ssh/config applied
 * where the inventory left defaults, and bastions named in `jump` pooled too (ten hosts behind one bastion share
 * one connection to it). Loaded on first use, with ssh.ts; ssh2 itself loads at the first handshake.
 */
import { UnreachableError } from '../errors.js';
import { KnownHostsStore } from './known-hosts.js';
import { SshConnection } from './ssh.js';
import { applySshConfig, expandTokens, lookupSshConfig } from './ssh-config.js';
import type { Transport, TransportContext, TransportRun } from './transport.js';
import type { Connection, ConnectionSettings } from './types.js';

const JUMP_SPEC = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/;

export const transport: Transport = {
  start: (ctx) => new SshRun(ctx),
};

class SshRun implements TransportRun {
  private ssh = new Map<string, SshConnection>();
  private order: string[] = [];
  private knownHosts = new KnownHostsStore();

  constructor(private readonly ctx: TransportContext) {}

  async connect(hostName: string, inventorySettings: ConnectionSettings): Promise<Connection> {
    const settings = this.withSshConfig(hostName, inventorySettings);
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
    const opts = this.ctx.options;
    conn = new SshConnection({
      host: name,
      settings,
      knownHosts: this.knownHosts,
      knownHostsFiles: opts.knownHostsFiles ? [...opts.knownHostsFiles, ...(settings.knownHostsFile ? [settings.knownHostsFile] : [])] : undefined,
      acceptNewHostKeys: opts.acceptNewHostKeys,
      via,
      limit: (fn) => this.ctx.limit(fn),
      prompt: this.ctx.prompt,
      askPass: opts.askPass,
      masker: opts.masker,
      env: opts.env,
      keepaliveIntervalMs: opts.keepaliveIntervalMs,
      keepaliveCountMax: opts.keepaliveCountMax,
      onOpen: (c) => this.ctx.opened(key, c.connectMs),
    });
    this.ssh.set(key, conn);
    this.order.push(key);
    return conn;
  }

  /** Settings of a bastion: an inventory host's own, or `user@addr:port` with the target's credentials. */
  private hopSettings(hop: string, target: ConnectionSettings): ConnectionSettings {
    const known = this.ctx.resolve(hop);
    const own = known && this.withSshConfig(hop, known);
    if (own) return { ...own, connection: 'ssh', jump: undefined };
    const sshConfig = this.ctx.options.sshConfig;
    if (sshConfig && /^[^@:[\]]+$/.test(hop)) {
      // A bare ssh_config alias (ProxyJump bastion): its own HostName/User/Port/IdentityFile.
      const c = lookupSshConfig(sshConfig, hop);
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

  private withSshConfig(name: string, s: ConnectionSettings): ConnectionSettings {
    const sshConfig = this.ctx.options.sshConfig;
    return sshConfig && s.connection === 'ssh' ? applySshConfig(name, s, sshConfig) : s;
  }

  /** Closes targets first, then bastions (outermost last). */
  async closeAll(): Promise<void> {
    const keys = [...this.order].reverse();
    for (const k of keys) await this.ssh.get(k)?.close();
    this.ssh.clear();
    this.order = [];
  }
}
