/**
 * The one command line an ssh exec sends, built from a Command and its options (pure, unit-tested).
 * Layers, innermost first: the argv (or `sh -c SCRIPT`), `env K=V` (inside sudo, so sudo's env_reset
 * cannot drop it), `cd` (as the become user, so a root-only directory works), then sudo.
 *
 * Env values are on the remote command line, which every user of the target can read in `ps`:
 * modules must never pass secrets through `env` (use stdin or a 0600 file).
 *
 * Sudo with a password is prompt-driven: sudo prints a marked prompt on stderr and the password is sent
 * only then; once authenticated, a marker line says the command starts and the caller's stdin follows.
 * So a host where sudo needs no password (NOPASSWD, cached) never gets the password on its command's stdin,
 * and a wrong password ends the command instead of feeding it the next stdin line.
 */
import { ValidationError } from '../errors.js';
import { becomeArgv, effectiveBecome, isDirect } from './become.js';
import { quoteArgv } from './quote.js';
import type { BecomeOptions, Command, ExecOptions } from './types.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface RemoteCommand {
  argv: string[];
  /** The quoted line sent in the exec request. */
  line: string;
  /** Sudo password, sent when sudo's marked prompt appears on stderr (never on the command line). */
  sudoPassword?: string;
  /** How stderr tells the command started: 'marked' (the become wrapper prints BECOME_OK), 'direct' (sudo runs the argv itself: no marker), or none. */
  sudoAuth?: 'marked' | 'direct';
  /** The become that applies (null: the command runs as the login user), and the argv sudo is asked to run. */
  become: BecomeOptions | null;
  sudoRuns: string[];
}

/** The prompt sudo is told to print (no % escapes: sudo expands those). */
export const SUDO_PROMPT = '[omsplay-sudo-password]';
/** Printed on stderr by the become user's shell right before the command starts. */
export const BECOME_OK = 'OMSPLAY-BECOME-OK';

export function remoteCommand(command: Command, opts: Pick<ExecOptions, 'env' | 'cwd' | 'become'> = {}): RemoteCommand {
  let argv = 'argv' in command ? [...command.argv] : ['sh', '-c', command.script];
  if (argv.length === 0) throw new ValidationError('empty command: an argv needs at least the program name');
  const env = Object.entries(opts.env ?? {});
  for (const [k] of env) {
    if (!ENV_NAME.test(k)) throw new ValidationError(`invalid environment variable name ${JSON.stringify(k)}`, { hint: 'names are letters, digits and _, not starting with a digit' });
  }
  const become = effectiveBecome(opts.become, command);
  if (become?.method === 'sudo_direct') return directCommand(argv, env, opts.cwd, become);
  if (env.length > 0) argv = ['env', ...env.map(([k, v]) => `${k}=${v}`), ...argv];
  if (opts.cwd) argv = ['sh', '-c', 'cd "$1" && shift && exec "$@"', 'sh', opts.cwd, ...argv];
  let sudoPassword: string | undefined;
  const sudoArgs = becomeArgv(become ?? false);
  if (sudoArgs) {
    let sudo = sudoArgs.argv;
    if (sudoArgs.stdinPrefix) {
      sudoPassword = sudoArgs.stdinPrefix.replace(/\n$/, '');
      sudo = markedPrompt(sudo);
      // The command is wrapped to announce its start.
      argv = ['sh', '-c', `echo ${BECOME_OK} >&2; exec "$@"`, 'sh', ...argv];
    }
    argv = [...sudo, ...argv];
  }
  return { argv, line: withPgid(argv), sudoPassword, sudoAuth: sudoPassword !== undefined ? 'marked' : undefined, become, sudoRuns: sudoArgs ? argv.slice(sudoArgs.argv.length) : argv };
}

/**
 * sudo_direct: sudo runs the argv itself (`sudo -n -H -u root -- docker ps`), so a sudoers rule naming the
 * program matches. Env goes to sudo as VAR=value (sudoers must allow it: SETENV); the directory change happens
 * before sudo, as the login user, in the login shell.
 */
function directCommand(argv: string[], env: [string, string][], cwd: string | undefined, become: BecomeOptions): RemoteCommand {
  const sudoArgs = becomeArgv(become)!;
  const password = sudoArgs.stdinPrefix ? sudoArgs.stdinPrefix.replace(/\n$/, '') : undefined;
  const sudo = password !== undefined ? markedPrompt(sudoArgs.argv) : sudoArgs.argv;
  const full = [...sudo, ...env.map(([k, v]) => `${k}=${v}`), ...argv];
  const cd = cwd ? `cd ${quoteArgv([cwd])} && ` : '';
  return {
    argv: full,
    line: `echo ${PGID_MARK}$$ >&2; ${cd}exec ${quoteArgv(full)}`,
    sudoPassword: password,
    sudoAuth: password !== undefined ? 'direct' : undefined,
    become,
    sudoRuns: argv,
  };
}

/** become.ts's `-p ''` becomes the marked prompt. */
function markedPrompt(sudo: string[]): string[] {
  const p = sudo.indexOf('-p');
  return p >= 0 ? [...sudo.slice(0, p + 1), SUDO_PROMPT, ...sudo.slice(p + 2)] : [...sudo.slice(0, -1), '-p', SUDO_PROMPT, '--'];
}

/**
 * The login shell (a session leader, so its pid is the process group of everything the command starts)
 * reports its pid on stderr first; a timeout or Ctrl-C kills that group from a second channel.
 */
function withPgid(argv: string[]): string {
  return `echo ${PGID_MARK}$$ >&2; exec ${quoteArgv(argv)}`;
}

export type StderrEvent = 'prompt' | 'authenticated';

/**
 * Takes omsplay's marker lines out of a command's stderr: the process-group line first, then (with a sudo
 * password) sudo's prompts and the become marker, reported as events. Everything else passes through.
 * In 'direct' mode (sudo_direct: no start marker) sudo's prompts are taken out wherever they appear.
 */
export class StderrFilter {
  pgid: number | null = null;
  private state: 'pgid' | 'auth' | 'direct' | 'pass' = 'pgid';
  private buf: Buffer = Buffer.alloc(0);
  private readonly sudoAuth: 'marked' | 'direct' | undefined;

  constructor(sudoAuth: boolean | 'marked' | 'direct' | undefined) {
    this.sudoAuth = sudoAuth === true ? 'marked' : sudoAuth || undefined;
  }

  push(chunk: Buffer): { out: Buffer; events: StderrEvent[] } {
    if (this.state === 'pass') return { out: chunk, events: [] };
    this.buf = Buffer.concat([this.buf, chunk]);
    const out: Buffer[] = [];
    const events: StderrEvent[] = [];
    if (this.state === 'pgid') {
      const split = splitPgidLine(this.buf);
      if (split.rest === null) return { out: Buffer.alloc(0), events };
      this.pgid = split.pgid;
      this.buf = split.rest;
      this.state = this.sudoAuth === 'marked' ? 'auth' : this.sudoAuth === 'direct' ? 'direct' : 'pass';
    }
    if (this.state === 'direct') return this.pushDirect(out, events);
    while (this.state === 'auth') {
      const text = this.buf.toString('latin1');
      const p = text.indexOf(SUDO_PROMPT);
      const okMark = `${BECOME_OK}\n`;
      const k = text.indexOf(okMark);
      if (p < 0 && k < 0) break;
      if (p >= 0 && (k < 0 || p < k)) {
        out.push(this.buf.subarray(0, p));
        this.buf = this.buf.subarray(p + SUDO_PROMPT.length);
        events.push('prompt');
      } else {
        out.push(this.buf.subarray(0, k));
        this.buf = this.buf.subarray(k + okMark.length);
        events.push('authenticated');
        this.state = 'pass';
      }
    }
    if (this.state === 'pass') {
      out.push(this.buf);
      this.buf = Buffer.alloc(0);
    }
    return { out: Buffer.concat(out), events };
  }

  private pushDirect(out: Buffer[], events: StderrEvent[]): { out: Buffer; events: StderrEvent[] } {
    for (;;) {
      const p = this.buf.indexOf(SUDO_PROMPT, 0, 'latin1');
      if (p < 0) break;
      out.push(this.buf.subarray(0, p));
      this.buf = this.buf.subarray(p + SUDO_PROMPT.length);
      events.push('prompt');
    }
    // Keep back only a tail that may be the start of a prompt split across chunks.
    let keep = 0;
    for (let n = Math.min(this.buf.length, SUDO_PROMPT.length - 1); n > 0; n--) {
      if (this.buf.subarray(this.buf.length - n).toString('latin1') === SUDO_PROMPT.slice(0, n)) {
        keep = n;
        break;
      }
    }
    out.push(this.buf.subarray(0, this.buf.length - keep));
    this.buf = this.buf.subarray(this.buf.length - keep);
    return { out: Buffer.concat(out), events };
  }

  /** Whatever is still held back (the command ended before a marker completed). */
  flush(): Buffer {
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    this.state = 'pass';
    return rest;
  }
}

/** Prefix of the first stderr line: the remote process group id. Stripped before stderr reaches anyone. */
export const PGID_MARK = 'OMSPLAY-PGID=';

/** Splits the process-group line off the start of stderr. `rest` is null while the line is incomplete. */
export function splitPgidLine(buf: Buffer): { pgid: number | null; rest: Buffer | null } {
  const mark = Buffer.from(PGID_MARK);
  const n = Math.min(buf.length, mark.length);
  if (!buf.subarray(0, n).equals(mark.subarray(0, n))) return { pgid: null, rest: buf };
  const nl = buf.indexOf(10);
  if (nl < 0) return { pgid: null, rest: null };
  const pgid = Number.parseInt(buf.subarray(mark.length, nl).toString('latin1'), 10);
  return { pgid: Number.isFinite(pgid) ? pgid : null, rest: buf.subarray(nl + 1) };
}

/** sudo_direct with a password: how long to wait for sudo's prompt before the caller's stdin starts anyway (sudo asked none). */
export const DIRECT_NO_PROMPT_MS = 2000;

/**
 * Kills a remote process group (timeout, Ctrl-C). With sudo_direct the kill runs as the login user (sudo may
 * not allow `kill`): TERM first, which sudo passes on to the command it runs as root, then KILL.
 */
export function killGroupArgv(pgid: number, become: ExecOptions['become']): string[] {
  if (!isDirect(become)) return ['kill', '-KILL', '--', `-${pgid}`];
  // /bin/kill, not the shell's builtin: dash's kill does not take `--` before a negative pid.
  return ['sh', '-c', '/bin/kill -TERM -- "-$1" 2>/dev/null; sleep 1; /bin/kill -KILL -- "-$1" 2>/dev/null; exit 0', 'sh', String(pgid)];
}
