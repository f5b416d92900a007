/**
 * The ssh transport (ssh2): one connection per host, opened once and kept for the run; a channel per
 * command. Host keys are checked against known_hosts before any credential is sent; a lost connection
 * turns every in-flight and later call into UnreachableError (never a hang).
 *
 * Killing a remote command (timeout, Ctrl-C): closing a channel does not stop what it runs (no pty), and
 * sshd refuses "signal" requests for root logins. So the login shell, a session leader, first reports its
 * pid (= the process group of everything the command starts) on stderr; a kill sends `kill -KILL -- -PGID`
 * on a second channel, as the same become user, then closes the channel. test/integration/connection proves
 * the timed-out `sleep` is gone from the target, for root and for sudo.
 *
 * Needs a POSIX login shell on the target (sh, bash, dash, ksh, zsh) and sudo for become.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, posix } from 'node:path';
import type { Duplex } from 'node:stream';
import type { Client, ClientChannel, ConnectConfig, SFTPWrapper } from 'ssh2';
import { UnreachableError } from '../errors.js';
import type { Masker } from '../secrets.js';
import { type KnownHostsStore, fingerprint, hostKeyName, keyTypeOf, knownKeyTypes, verifyHostKey } from './known-hosts.js';
import { authHandler, type Credentials, expandHome, gatherCredentials, type Prompt } from './ssh-auth.js';
import { isDirect } from './become.js';
import { Limiter } from './limiter.js';
import { abortedBeforeStart, CommandSession, execChecked, type SessionResult, throwIfBecomeRefused } from './session.js';
import { killGroupArgv, type RemoteCommand, remoteCommand } from './ssh-command.js';
import { installStagedArgv, putBecome, putMode, stagePath } from './staged-put.js';
import { loadSsh2 } from './ssh2-module.js';
import type { Command, Connection, ConnectionSettings, ExecOptions, ExecResult, GetOptions, PutOptions } from './types.js';

export interface SshConnectionOptions {
  /** Inventory name (for messages and UnreachableError.host). */
  host: string;
  settings: ConnectionSettings;
  knownHosts: KnownHostsStore;
  /** known_hosts files read for host keys; default ~/.ssh/known_hosts plus settings.knownHostsFile. */
  knownHostsFiles?: string[];
  /** Overrides settings.acceptNewHostKeys when set (the --accept-new-host-keys option). */
  acceptNewHostKeys?: boolean;
  /** The previous hop (a bastion): this host is reached by a forwarded stream through it. */
  via?: SshConnection;
  /** Bounds parallel handshakes across hosts (--forks); wraps the handshake only, not the wait for bastions. */
  limit?: <T>(fn: () => Promise<T>) => Promise<T>;
  prompt?: Prompt;
  askPass?: boolean;
  masker?: Masker;
  env?: NodeJS.ProcessEnv;
  /** Keep-alive probe interval (default 5000 ms) and unanswered probes before the host counts as lost (default 3). */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** Most exec channels open at once on this connection (sshd's MaxSessions defaults to 10). Default 6. */
  maxChannels?: number;
  /** Most SFTP transfers at once on this connection (each holds a session channel). Default 2. */
  maxTransfers?: number;
  /** Called once the connection is authenticated (the pool counts connections with it). */
  onOpen?: (conn: SshConnection) => void;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const HOST_KEY_ALGORITHMS: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};
const ALL_HOST_KEY_ALGORITHMS = Object.values(HOST_KEY_ALGORITHMS).flat();

export class SshConnection implements Connection {
  readonly host: string;
  readonly settings: ConnectionSettings;
  /** Milliseconds the last successful handshake + authentication took (0 until connected). */
  connectMs = 0;
  private client?: Client;
  private connecting?: Promise<void>;
  private lost?: UnreachableError;
  private lastError?: Error;
  private inflight = new Set<(e: UnreachableError) => void>();
  private channels: Limiter;
  private transfers: Limiter;
  private pending?: Client;
  private closing = false;

  constructor(private readonly opts: SshConnectionOptions) {
    this.host = opts.host;
    this.settings = opts.settings;
    // Kill requests bypass the limit; 6 + 2 + kills stay under sshd's default MaxSessions of 10.
    this.channels = new Limiter(opts.maxChannels ?? 6);
    this.transfers = new Limiter(opts.maxTransfers ?? 2);
  }

  /** user@address:port, for messages. */
  get target(): string {
    return `${this.settings.user}@${this.settings.address}:${this.settings.port}`;
  }

  connect(): Promise<void> {
    if (!this.connecting) this.connecting = this.open();
    return this.connecting;
  }

  private async open(): Promise<void> {
    const s = this.settings;
    const env = this.opts.env ?? process.env;
    const creds = await gatherCredentials(s, { host: this.host, env, masker: this.opts.masker, prompt: this.opts.prompt, askPass: this.opts.askPass });
    if (this.opts.via) {
      try {
        await this.opts.via.connect();
      } catch (e) {
        throw new UnreachableError(this.host, `bastion ${this.opts.via.host} is unreachable: ${(e as Error).message}`, { hint: (e as UnreachableError).hint, cause: e });
      }
    }
    const limit = this.opts.limit ?? ((fn) => fn());
    await limit(() => this.handshake(creds));
  }

  private knownHostsFiles(): string[] {
    if (this.opts.knownHostsFiles) return this.opts.knownHostsFiles;
    const files = [join(homedir(), '.ssh', 'known_hosts')];
    if (this.settings.knownHostsFile) files.push(expandHome(this.settings.knownHostsFile));
    return files;
  }

  private async handshake(creds: Credentials): Promise<void> {
    const s = this.settings;
    const started = performance.now();
    const files = this.knownHostsFiles();
    const entries = await this.opts.knownHosts.entries(files);
    // Ask for the recorded key types first, as OpenSSH does, so a host with several keys is not "changed".
    const recordedTypes = knownKeyTypes(entries, s.address, s.port);
    const types = recordedTypes.length || this.host === s.address ? recordedTypes : knownKeyTypes(entries, this.host, s.port);
    const preferred = types.flatMap((t) => HOST_KEY_ALGORITHMS[t] ?? []);
    const serverHostKey = [...new Set([...preferred, ...ALL_HOST_KEY_ALGORITHMS])];
    let sock: Duplex | undefined;
    if (this.opts.via) {
      try {
        sock = await this.opts.via.forward(s.address, s.port);
      } catch (e) {
        throw new UnreachableError(this.host, `bastion ${this.opts.via.host} could not open a connection to ${s.address}:${s.port}: ${(e as Error).message}`, {
          hint: `check that ${s.address}:${s.port} is reachable from ${this.opts.via.host} and that its sshd allows TCP forwarding (AllowTcpForwarding)`,
          cause: e,
        });
      }
    }
    let hostKeyError: UnreachableError | undefined;
    if (this.closing) throw new UnreachableError(this.host, 'connection closed by omsplay before it was opened');
    const client = new (await loadSsh2()).Client();
    this.pending = client;
    const timeoutMs = s.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const config: ConnectConfig = {
      host: s.address,
      port: s.port,
      username: s.user,
      sock,
      readyTimeout: timeoutMs,
      keepaliveInterval: this.opts.keepaliveIntervalMs ?? 5000,
      keepaliveCountMax: this.opts.keepaliveCountMax ?? 3,
      algorithms: { serverHostKey: serverHostKey as never },
      authHandler: authHandler(s.user, creds),
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        this.checkHostKey(key, files).then(
          () => verify(true),
          (e: UnreachableError) => {
            hostKeyError = e;
            verify(false);
          },
        );
      },
    };
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (e: Error) => {
        if (settled) return;
        settled = true;
        client.end();
        if (this.closing) reject(new UnreachableError(this.host, 'connection closed by omsplay while it was being opened'));
        else reject(hostKeyError ?? this.connectError(e, creds, timeoutMs));
      };
      client.once('ready', () => {
        if (settled) return;
        settled = true;
        resolve();
      });
      client.on('error', (e) => {
        this.lastError = e;
        fail(e);
      });
      client.once('close', () => fail(new Error('connection closed during the handshake')));
      client.once('end', () => fail(new Error('connection closed during the handshake')));
      client.on('connect', () => client.setNoDelay(true));
      try {
        client.connect(config);
        // Nagle + delayed ACK cost ~40 ms per round trip: off as soon as the socket exists.
        client.setNoDelay(true);
      } catch (e) {
        fail(e as Error);
      }
    });
    this.pending = undefined;
    if (this.closing) {
      client.end();
      throw new UnreachableError(this.host, 'connection closed by omsplay while it was being opened');
    }
    this.client = client;
    this.connectMs = performance.now() - started;
    client.removeAllListeners('close');
    client.removeAllListeners('end');
    client.removeAllListeners('error');
    client.on('error', (e) => {
      this.lastError = e;
    });
    const lost = () => this.markLost();
    client.on('close', lost);
    // Through a bastion the socket is a forwarded channel: when the far host dies it ends, but ssh2 only
    // stops its keep-alives and never emits 'close'. The end of the stream is the end of the connection.
    client.on('end', () => {
      lost();
      sock?.destroy();
    });
    this.opts.onOpen?.(this);
  }

  private async checkHostKey(key: Buffer, files: string[]): Promise<void> {
    const s = this.settings;
    const entries = await this.opts.knownHosts.entries(files);
    let verdict = verifyHostKey(entries, s.address, s.port, key);
    let name = hostKeyName(s.address, s.port);
    // Nothing recorded for the address: entries under the inventory name count (known_hosts written by
    // `ssh NAME`), like OpenSSH's HostKeyAlias. A key recorded there that differs is a changed key too.
    if (verdict.status === 'unknown' && this.host !== s.address) {
      const byName = verifyHostKey(entries, this.host, s.port, key);
      if (byName.status !== 'unknown') {
        verdict = byName;
        name = hostKeyName(this.host, s.port);
      }
    }
    const fp = `${keyTypeOf(key)} ${fingerprint(key)}`;
    const where = name === hostKeyName(s.address, s.port) ? name : `${name}, address ${s.address}`;
    if (verdict.status === 'known') return;
    if (verdict.status === 'revoked') {
      throw new UnreachableError(this.host, `host key of ${this.host} (${where}) is REVOKED: ${fp} is marked @revoked at ${verdict.entry.file}:${verdict.entry.line}`, {
        hint: 'this key must not be trusted; ask the host administrator for the host key now in use',
      });
    }
    if (verdict.status === 'changed') {
      const recorded = verdict.entries.map((e) => `${e.file}:${e.line} (${e.keyType} ${fingerprint(e.key)})`).join(', ');
      throw new UnreachableError(
        this.host,
        `HOST KEY CHANGED for ${this.host} (${where}): the server presented ${fp}, but known_hosts records another key at ${recorded}. Someone may be intercepting the connection (man-in-the-middle), or the host was reinstalled or its address reused.`,
        {
          hint: `confirm the new key with the host's administrator (on the host: ssh-keygen -lf /etc/ssh/ssh_host_${keyTypeOf(key).replace(/^ssh-|-.*$/g, '')}_key.pub); only if it is right, remove the old line (ssh-keygen -R '${name}' -f ${verdict.entries[0]!.file}) and connect again. A changed key is never accepted automatically.`,
        },
      );
    }
    const accept = this.opts.acceptNewHostKeys ?? s.acceptNewHostKeys ?? false;
    const target = s.knownHostsFile ? expandHome(s.knownHostsFile) : join(homedir(), '.ssh', 'known_hosts');
    if (!accept) {
      throw new UnreachableError(this.host, `host key of ${this.host} (${name}) is not known: the server presented ${fp}, which is in none of ${files.join(', ')}`, {
        hint: `check the fingerprint with the host's administrator, then add it to ${target} (ssh-keyscan${s.port === 22 ? '' : ` -p ${s.port}`} ${s.address} >> ${target}), or allow recording new keys (accept_new_host_keys: true / --accept-new-host-keys)`,
      });
    }
    await this.opts.knownHosts.append(target, s.address, s.port, key);
  }

  private connectError(e: Error & { level?: string; code?: string }, creds: Credentials, timeoutMs: number): UnreachableError {
    const s = this.settings;
    const where = `${s.address}:${s.port}`;
    const via = this.opts.via ? ` through bastion ${this.opts.via.host}` : '';
    if (e.level === 'client-authentication') {
      return new UnreachableError(this.host, `authentication failed for ${this.target}${via} (tried: ${creds.tried.join(', ') || 'nothing: no key, agent or password was given'})`, {
        hint: `check the user (${s.user}), that the key's public half is in ~${s.user}/.ssh/authorized_keys on the host, and the passphrase/password environment variables (key_file, key_passphrase_env, password_env, agent)`,
        cause: e,
      });
    }
    if (e.code === 'ECONNREFUSED') {
      return new UnreachableError(this.host, `connection refused by ${where}${via}`, { hint: `check that sshd runs on ${s.address} and listens on port ${s.port} (port in the inventory)`, cause: e });
    }
    if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') {
      return new UnreachableError(this.host, `cannot resolve ${s.address}`, { hint: 'check the address in the inventory (or DNS / /etc/hosts)', cause: e });
    }
    if (e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH') {
      return new UnreachableError(this.host, `no route to ${where}${via} (${e.code})`, { hint: 'check the address, the network, and whether the host is only reachable through a bastion (jump)', cause: e });
    }
    if (e.level === 'client-timeout' || e.code === 'ETIMEDOUT') {
      return new UnreachableError(this.host, `timed out after ${Math.round(timeoutMs / 1000)} s connecting to ${where}${via}`, {
        hint: 'check the address and port, firewalls, whether the host is up, and whether it needs a bastion (jump); connect_timeout raises the limit',
        cause: e,
      });
    }
    return new UnreachableError(this.host, `cannot connect to ${where}${via}: ${e.message}`, { hint: 'check the address, port and that sshd is running', cause: e });
  }

  private markLost(): void {
    if (this.lost) return;
    const why = this.lastError ? `: ${this.lastError.message}` : '';
    const via = this.opts.via;
    const reason = via?.isLost || via?.socketGone
      ? ` (its bastion ${via.host} was lost)`
      : this.lastError?.message === 'Keepalive timeout'
        ? ' (no answer to keep-alives)'
        : why || ' (closed by the host: its sshd stopped or the host went down)';
    this.lost = new UnreachableError(this.host, `connection to ${this.target} lost${reason}`, { hint: 'the host went down, rebooted, or the network (or a bastion) failed' });
    for (const reject of this.inflight) reject(this.lost);
    this.inflight.clear();
  }

  /** The ready client, or throws the reason it is not. */
  private async ready(): Promise<Client> {
    await this.connect();
    if (this.lost) throw this.lost;
    return this.client!;
  }

  /** Runs `fn` with a rejection hook that fires when the connection is lost meanwhile. */
  private guarded<T>(fn: (onLost: (cb: () => void) => void) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.lost) return reject(this.lost);
      const cleanups: (() => void)[] = [];
      const onLost = (e: UnreachableError) => {
        for (const c of cleanups) c();
        reject(e);
      };
      this.inflight.add(onLost);
      // A failure (or a channel that closed without an exit status) may be the first sign of a lost
      // connection, reported by ssh2 before its 'end'/'close': look again one tick later.
      const settle = (fnOk: () => void, suspicious: boolean) => {
        const done = () => {
          this.inflight.delete(onLost);
          if (this.lost) reject(this.lost);
          else fnOk();
        };
        if (suspicious && !this.lost) setImmediate(done);
        else done();
      };
      fn((cb) => cleanups.push(cb)).then(
        (v) => {
          const r = v as Partial<ExecResult> | undefined;
          settle(() => resolve(v), r?.exitCode === null && r?.signal === null);
        },
        (e) => settle(() => reject(e), true),
      );
    });
  }

  /**
   * Opens an exec channel. `attach` runs inside ssh2's callback: packets that arrived with the open
   * confirmation (output, exit status, close) are emitted right after it, before any await resumes.
   */
  private openChannel(client: Client, line: string, attach: (ch: ClientChannel) => void): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      try {
        client.exec(line, (err, ch) => {
          if (err) return reject(this.lost ?? err);
          attach(ch);
          resolve(ch);
        });
      } catch (e) {
        reject(this.lost ?? e);
      }
    });
  }

  async exec(command: Command, opts: ExecOptions = {}): Promise<ExecResult> {
    const client = await this.ready();
    const rc = remoteCommand(command, opts);
    const r = await this.channels.run(() => this.guarded(() => this.runChannel(client, rc, opts)));
    throwIfBecomeRefused(rc, r, { host: this.host, user: this.settings.user });
    return r;
  }

  /** Kills a remote process group from a fresh channel, as the same user the command ran as. */
  private async killGroup(pgid: number, become: ExecOptions['become']): Promise<void> {
    if (this.lost || !this.client) return;
    const rc = remoteCommand({ argv: killGroupArgv(pgid, become) }, { become: isDirect(become) ? false : become });
    await this.runChannel(this.client, rc, { timeoutMs: 10_000 }).catch(() => undefined);
  }

  private async runChannel(client: Client, rc: RemoteCommand, opts: ExecOptions): Promise<SessionResult> {
    if (opts.signal?.aborted) return abortedBeforeStart();
    let resolve!: (r: SessionResult) => void;
    const result = new Promise<SessionResult>((r) => {
      resolve = r;
    });
    await this.openChannel(client, rc.line, (ch) => {
      let exitCode: number | null = null;
      let signal: string | null = null;
      let grace: NodeJS.Timeout | undefined;
      const finish = () => {
        clearTimeout(grace);
        const r = session.finish(exitCode, signal);
        if (r) resolve(r);
      };
      const session = new CommandSession(rc, opts, {
        write: (data) => ch.write(data),
        end: (data) => (data === undefined ? ch.end() : ch.end(data)),
        pipe: (stream) => stream.pipe(ch),
        kill: (pgid) => {
          try {
            ch.signal('KILL');
          } catch {
            /* channel already closing */
          }
          const closeChannel = () => {
            ch.close();
            // If sshd never confirms the close (host gone), the lost-connection path or this timer ends it.
            grace = setTimeout(finish, 5000);
          };
          if (pgid !== null) this.killGroup(pgid, opts.become).finally(closeChannel);
          else closeChannel();
        },
      });
      ch.on('data', (c: Buffer) => session.stdout(c));
      ch.stderr.on('data', (c: Buffer) => session.stderr(c));
      ch.on('exit', (code: number | null, sig?: string) => {
        exitCode = code ?? null;
        if (sig) signal = sig.startsWith('SIG') ? sig : `SIG${sig}`;
      });
      ch.on('close', finish);
      ch.on('error', () => {});
      session.begin();
    });
    return result;
  }

  /** A TCP stream to host:port opened by the far end (mysql2 through SSH; the next hop of a jump chain). */
  async forward(host: string, port: number): Promise<Duplex> {
    const client = await this.ready();
    return this.guarded(
      () =>
        new Promise<Duplex>((resolve, reject) => {
          try {
            client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => (err ? reject(err) : resolve(stream)));
          } catch (e) {
            reject(e);
          }
        }),
    );
  }

  /** A fresh SFTP session (one per transfer, so aborting one transfer does not disturb another). */
  private async sftp(client: Client): Promise<SFTPWrapper> {
    return new Promise((resolve, reject) => {
      try {
        client.sftp((err, sftp) => {
          if (err) return reject(this.lost ?? err);
          sftp.on('error', () => {}); // failures reach the transfer's callback; an unheard 'error' would crash the run
          resolve(sftp);
        });
      } catch (e) {
        reject(this.lost ?? e);
      }
    });
  }

  async put(source: { path: string } | { content: string | Buffer }, remotePath: string, opts: PutOptions = {}): Promise<void> {
    const client = await this.ready();
    return this.transfers.run(() => this.putVia(client, source, remotePath, opts));
  }

  private async putVia(client: Client, source: { path: string } | { content: string | Buffer }, remotePath: string, opts: PutOptions): Promise<void> {
    const rand = randomBytes(6).toString('hex');
    const become = putBecome(opts.become);
    // With become the login user may not write the destination directory: stage in /tmp, then sudo moves it.
    const stage = become ? stagePath(rand) : posix.join(posix.dirname(remotePath), `.${posix.basename(remotePath)}.omsplay-${rand}`);
    const sftp = await this.sftp(client);
    try {
      await this.guarded(async (onLost) => {
        onLost(() => sftp.end());
        await upload(sftp, source, stage, opts);
      });
      if (become) {
        await execChecked(this, installStagedArgv(stage, remotePath, rand, opts, become), become);
        return;
      }
      await sftpCall<void>((cb) => sftp.chmod(stage, putMode(opts.mode), cb));
      if (opts.owner || opts.group) await execChecked(this, ['chown', opts.owner ? `${opts.owner}${opts.group ? `:${opts.group}` : ''}` : `:${opts.group}`, stage]);
      try {
        await sftpCall<void>((cb) => sftp.ext_openssh_rename(stage, remotePath, cb));
      } catch {
        await execChecked(this, ['mv', '-f', stage, remotePath]);
      }
    } catch (e) {
      await this.removeQuietly(stage, become);
      throw this.lost ?? e;
    } finally {
      sftp.end();
    }
  }

  /** Removes a staged file (its SFTP session may be gone after an abort, so through exec). */
  private async removeQuietly(path: string, become: PutOptions['become']): Promise<void> {
    if (this.lost) return;
    await this.exec({ argv: ['rm', '-f', path] }, { become, timeoutMs: 30_000 }).catch(() => {});
  }

  async get(remotePath: string, localPath: string, opts: GetOptions = {}): Promise<void> {
    const client = await this.ready();
    return this.transfers.run(() => this.getVia(client, remotePath, localPath, opts));
  }

  private async getVia(client: Client, remotePath: string, localPath: string, opts: GetOptions): Promise<void> {
    const tmp = join(dirname(localPath), `.${basename(localPath)}.omsplay-tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    const sftp = await this.sftp(client);
    try {
      await this.guarded(async (onLost) => {
        onLost(() => sftp.end());
        await abortable(sftp, opts.signal, (cb) =>
          sftp.fastGet(remotePath, tmp, { step: opts.onProgress ? (transferred, _c, total) => opts.onProgress!({ transferred, total }) : undefined }, cb),
        );
      });
      await rename(tmp, localPath);
    } catch (e) {
      await rm(tmp, { force: true });
      throw this.lost ?? e;
    } finally {
      sftp.end();
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    // A handshake still under way is cut short (Ctrl-C while connecting must not leave a connection open).
    this.pending?.destroy();
    const client = this.client;
    if (!client) return;
    if (!this.lost) {
      this.lastError = new Error('closed by omsplay');
      await new Promise<void>((resolve) => {
        client.once('close', () => resolve());
        client.end();
        setTimeout(resolve, 2000).unref();
      });
    }
    this.markLost();
  }

  /** True once the connection was lost or closed. */
  get isLost(): boolean {
    return this.lost !== undefined;
  }

  /** The transport socket is already destroyed (its 'close' handlers may not have run yet). */
  get socketGone(): boolean {
    const sock = (this.client as unknown as { _sock?: { destroyed?: boolean } } | undefined)?._sock;
    return sock?.destroyed === true;
  }
}

function sftpCall<T>(fn: (cb: (err: Error | null | undefined, v?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v as T))));
}

async function upload(sftp: SFTPWrapper, source: { path: string } | { content: string | Buffer }, stage: string, opts: PutOptions): Promise<void> {
  if ('content' in source) {
    await sftpCall<void>((cb) => sftp.writeFile(stage, source.content, { mode: 0o600 }, cb));
    const total = Buffer.byteLength(source.content);
    opts.onProgress?.({ transferred: total, total });
    return;
  }
  const size = (await stat(source.path)).size;
  // fastPut keeps at most 64 x 32 KiB in flight: memory stays flat whatever the file size.
  await abortable(sftp, opts.signal, (cb) =>
    sftp.fastPut(
      source.path,
      stage,
      { mode: 0o600, fileSize: size, step: opts.onProgress ? (transferred, _c, total) => opts.onProgress!({ transferred, total }) : undefined },
      cb,
    ),
  );
}

/** An SFTP transfer that rejects at once on abort (and ends its session, which stops the transfer). */
function abortable(sftp: SFTPWrapper, signal: AbortSignal | undefined, fn: (cb: (err: Error | null | undefined) => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const aborted = () => new Error('transfer aborted');
    if (signal?.aborted) return reject(aborted());
    const onAbort = () => {
      sftp.end();
      reject(aborted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    fn((err) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) reject(aborted());
      else if (err) reject(err);
      else resolve();
    });
  });
}
