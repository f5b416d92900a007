/**
 * The Connection seam: every transport (the registry in transports.ts) implements this, and nothing above it
 * knows which one it talks to. A command is an argv array (quoted by `quote()` when a shell is involved)
 * or a script (run by `sh -c`, for the `shell` module only).
 */
import type { Readable } from 'node:stream';
import type { TransportName } from './transports.js';

export type Command = { argv: readonly string[] } | { script: string };

export interface BecomeOptions {
  /** The user to become; default root. */
  user?: string;
  /** Sudo password; sent on stdin, never on the command line. */
  password?: string;
  /** 'sudo' (default: through an `sh -c` wrapper) or 'sudo_direct' (sudo runs the argv itself; see become.ts). */
  method?: 'sudo' | 'sudo_direct';
  /** sudo_direct: the programs run through sudo (default ['docker']); every other command runs as the login user. */
  commands?: string[];
}

export interface ExecOptions {
  env?: Record<string, string>;
  /** Data written to the command's standard input, then closed. */
  stdin?: string | Buffer | Readable;
  /** Milliseconds; the command is ended (and its process group killed) when exceeded. */
  timeoutMs?: number;
  /** Run as another user through sudo; `true` means root without a password. */
  become?: boolean | BecomeOptions;
  /** Working directory. */
  cwd?: string;
  /** Called with chunks of stdout as they arrive (for long commands). */
  onStdout?: (chunk: Buffer) => void;
  /** Aborts the command (Ctrl-C). */
  signal?: AbortSignal;
}

export interface ExecResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}

export interface TransferProgress {
  transferred: number;
  total: number;
}

export interface PutOptions {
  /** Octal mode string ('0644') or number; default 0644. */
  mode?: string | number;
  owner?: string;
  group?: string;
  become?: boolean | BecomeOptions;
  onProgress?: (p: TransferProgress) => void;
  signal?: AbortSignal;
}

export interface GetOptions {
  onProgress?: (p: TransferProgress) => void;
  signal?: AbortSignal;
}

export interface Connection {
  /** Inventory name of the host this connection reaches. */
  readonly host: string;
  /** Opens the connection (idempotent). Throws UnreachableError. */
  connect(): Promise<void>;
  exec(command: Command, opts?: ExecOptions): Promise<ExecResult>;
  /** Copies a local file (streamed) or in-memory content to `remotePath`. Writes to a temp name and renames, so a partial file never takes the place of a good one. */
  put(source: { path: string } | { content: string | Buffer }, remotePath: string, opts?: PutOptions): Promise<void>;
  /** Copies a remote file to a local path (streamed; temp name then rename). */
  get(remotePath: string, localPath: string, opts?: GetOptions): Promise<void>;
  /** Opens a TCP stream to host:port as seen from the far end (for mysql2 through SSH). */
  forward?(host: string, port: number): Promise<import('node:stream').Duplex>;
  close(): Promise<void>;
}

/** Connection settings of one host, merged from the inventory (all > region > group > host). */
export interface ConnectionSettings {
  /** The transport (transports.ts): 'ssh' (default), 'local'. */
  connection: TransportName;
  address: string;
  port: number;
  user: string;
  keyFile?: string;
  /** Name of the environment variable holding the key passphrase. */
  keyPassphraseEnv?: string;
  /** Name of the environment variable holding the login password. */
  passwordEnv?: string;
  /** Use ssh-agent at SSH_AUTH_SOCK. */
  agent?: boolean;
  /** Extra known_hosts file named by the inventory. */
  knownHostsFile?: string;
  /** Accept and record unknown host keys (never changed ones). */
  acceptNewHostKeys?: boolean;
  /** Inventory names (or user@host:port) of bastions, outermost first. */
  jump?: string[];
  become?: boolean;
  becomeUser?: string;
  /** Name of the environment variable holding the sudo password. */
  becomePasswordEnv?: string;
  /** 'sudo' (default) or 'sudo_direct' (become.ts). */
  becomeMethod?: 'sudo' | 'sudo_direct';
  /** sudo_direct: programs run through sudo (default docker). */
  becomeCommands?: string[];
  connectTimeoutMs?: number;
}
