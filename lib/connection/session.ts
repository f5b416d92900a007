/**
 * One command's session, the same for every transport: what a transport does once it has started a process
 * (local: a child of /bin/sh; ssh: an exec channel). It takes omsplay's marker lines out of stderr, answers
 * sudo's marked prompt with the password, starts the caller's stdin only once sudo has authenticated, ends
 * the command at its timeout or on Ctrl-C, and builds the result. A transport supplies the pipes and how to
 * kill (see SessionPipes); it never handles sudo or stdin itself, so the two cannot drift apart.
 *
 * Why stdin waits: a sudo that needs no password (NOPASSWD, cached) must never pass the password on to the
 * command, and a wrong password must end the command rather than feed it the caller's next stdin line.
 */
import type { Readable } from 'node:stream';
import { CommandFailedError } from '../errors.js';
import { becomeRefusal } from './become.js';
import { armKillSwitch } from './kill-switch.js';
import { DIRECT_NO_PROMPT_MS, type RemoteCommand, StderrFilter } from './ssh-command.js';
import { quoteArgv } from './quote.js';
import type { Connection, ExecOptions, ExecResult } from './types.js';

/** What the transport gives the session: the command's standard input and a way to end the command. */
export interface SessionPipes {
  write(data: string): void;
  /** Writes `data` (when given), then closes standard input. */
  end(data?: string | Buffer): void;
  pipe(stream: Readable): void;
  /** Ends the command and everything it started; `pgid` is the process group the command reported (null before it did). */
  kill(pgid: number | null): void;
}

export type SessionResult = ExecResult & {
  /** With a sudo password ('marked'): whether sudo authenticated and the command started. */
  becomeStarted?: boolean;
};

/** The result of a command that was aborted before it started. */
export function abortedBeforeStart(): SessionResult {
  return { exitCode: null, signal: 'SIGKILL', stdout: '', stderr: 'aborted before start', durationMs: 0, timedOut: false };
}

export class CommandSession {
  private readonly out: Buffer[] = [];
  private readonly err: Buffer[] = [];
  private readonly filter: StderrFilter;
  private readonly started = performance.now();
  private readonly killSwitch;
  private readonly noPrompt?: NodeJS.Timeout;
  private stdinStarted = false;
  private prompts = 0;
  private killed = false;
  private done = false;

  constructor(
    private readonly rc: RemoteCommand,
    private readonly opts: ExecOptions,
    private readonly pipes: SessionPipes,
  ) {
    this.filter = new StderrFilter(rc.sudoAuth);
    this.killSwitch = armKillSwitch(opts, () => this.kill());
    // sudo_direct with a password has no start marker: the caller's stdin follows the password at once,
    // or, when sudo asks none (NOPASSWD, cached), starts after DIRECT_NO_PROMPT_MS without a prompt.
    if (rc.sudoAuth === 'direct') this.noPrompt = setTimeout(() => this.startStdin(), DIRECT_NO_PROMPT_MS);
  }

  /** Call once the pipes are wired: without a sudo password the caller's stdin starts at once. */
  begin(): void {
    if (this.rc.sudoPassword === undefined) this.startStdin();
  }

  /** The process group the command reported (for a transport's kill). */
  get pgid(): number | null {
    return this.filter.pgid;
  }

  /** True once the command was killed (timeout, Ctrl-C, a broken stdin stream). */
  get wasKilled(): boolean {
    return this.killed;
  }

  stdout(chunk: Buffer): void {
    this.out.push(chunk);
    this.opts.onStdout?.(chunk);
  }

  stderr(chunk: Buffer): void {
    const { out: text, events } = this.filter.push(chunk);
    if (text.length) this.err.push(text);
    for (const ev of events) {
      if (ev === 'authenticated') this.startStdin();
      else if (this.prompts++ === 0 && !this.stdinStarted) {
        clearTimeout(this.noPrompt);
        this.pipes.write(`${this.rc.sudoPassword}\n`);
        if (this.rc.sudoAuth === 'direct') this.startStdin();
      }
      // A second prompt means the password was wrong: end stdin so sudo gives up (and says so) instead of retrying.
      else this.pipes.end();
    }
  }

  kill(): void {
    if (this.killed || this.done) return;
    this.killed = true;
    this.pipes.kill(this.filter.pgid);
  }

  /** The command ended: its result (once; later calls return null). */
  finish(exitCode: number | null, signal: string | null): SessionResult | null {
    if (this.done) return null;
    this.done = true;
    this.err.push(this.filter.flush());
    this.killSwitch.disarm();
    clearTimeout(this.noPrompt);
    return {
      becomeStarted: this.rc.sudoAuth === 'marked' ? this.stdinStarted : undefined,
      exitCode,
      signal: signal ?? (this.killed && exitCode === null ? 'SIGKILL' : null),
      stdout: Buffer.concat(this.out).toString('utf8'),
      stderr: Buffer.concat(this.err).toString('utf8'),
      durationMs: performance.now() - this.started,
      timedOut: this.killSwitch.timedOut,
    };
  }

  private startStdin(): void {
    if (this.stdinStarted) return;
    this.stdinStarted = true;
    const stdin = this.opts.stdin;
    if (stdin === undefined) this.pipes.end();
    else if (typeof stdin === 'string' || Buffer.isBuffer(stdin)) this.pipes.end(stdin);
    else {
      stdin.on('error', () => this.kill());
      this.pipes.pipe(stdin);
    }
  }
}

/** Throws BecomeRefusedError when sudo itself refused to run the command (both transports, after the command ended). */
export function throwIfBecomeRefused(rc: RemoteCommand, r: SessionResult, ctx: { host: string; user: string }): void {
  if (!rc.become) return;
  const refused = becomeRefusal(r, { host: ctx.host, user: ctx.user, become: rc.become, ran: rc.sudoRuns, started: r.becomeStarted });
  if (refused) throw refused;
}

/** exec that throws CommandFailedError on a non-zero exit: a transport's own helper commands (install a staged file, chown). */
export async function execChecked(conn: Connection, argv: string[], become?: ExecOptions['become']): Promise<ExecResult> {
  const r = await conn.exec({ argv }, { become });
  if (r.exitCode !== 0) {
    throw new CommandFailedError(`${argv[0]} failed on ${conn.host} (exit ${r.exitCode}): ${r.stderr.trim()}`, {
      command: quoteArgv(argv),
      exitCode: r.exitCode,
      signal: r.signal,
      stderr: r.stderr,
      stdout: r.stdout,
    });
  }
  return r;
}
