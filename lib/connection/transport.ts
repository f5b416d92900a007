/**
 * What a transport is to the connection pool (pool.ts). A transport module (local.ts, ssh-transport.ts) exports
 * `transport`; the registry (transports.ts) names it under the inventory's `connection:` value and loads it on
 * first use, so a run that reaches no host over SSH never loads the ssh code (nor ssh2).
 */
import type { Masker } from '../secrets.js';
import type { Prompt } from './ssh-auth.js';
import type { SshConfigBlock } from './ssh-config.js';
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

/** What the pool shares with every transport of one run. */
export interface TransportContext {
  options: PoolOptions;
  /** Settings of other inventory hosts (an ssh bastion named in `jump`). */
  resolve: SettingsResolver;
  /** Bounds handshakes in flight across all hosts (--forks). */
  limit<T>(fn: () => Promise<T>): Promise<T>;
  /** Asks the user, each question once per run and one at a time; absent when the run is not interactive. */
  prompt?: Prompt;
  /** Counts a connection that opened (pool stats): `key` names it (host, or `host via bastion`). */
  opened(key: string, connectMs: number): void;
}

/** One run's use of a transport: what several hosts share (ssh: bastion connections, known_hosts) lives here. */
export interface TransportRun {
  /** The host's connection, connected. Rejects with UnreachableError. */
  connect(host: string, settings: ConnectionSettings): Promise<Connection>;
  /** Closes every connection this run opened. */
  closeAll(): Promise<void>;
}

export interface Transport {
  start(ctx: TransportContext): TransportRun;
}
