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
import { becomeArgv } from './become.js';
import { quoteArgv } from './quote.js';
import type { Command, ExecOptions } from './types.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface RemoteCommand {
  argv: string[];
  /** The quoted line sent in the exec request. */
  line: string;
  /** Sudo password, sent when sudo's marked prompt appears on stderr (never on the command line). */
  sudoPassword?: string;
}

/** The prompt sudo is told to print (no % escapes: sudo expands those). */
export const SUDO_PROMPT = '[omsplay-sudo-password]';
/** Printed on stderr by the become user's shell right before the command starts. */
export const BECOME_OK = 'OMSPLAY-BECOME-OK';

export function remoteCommand(command: Command, opts: Pick<ExecOptions, 'env' | 'cwd' | 'become'> = {}): RemoteCommand {
  let argv = 'argv' in command ? [...command.argv] : ['sh', '-c', command.script];
  if (argv.length === 0) throw new ValidationError('empty command: an argv needs at least the program name');
  const env = Object.entries(opts.env ?? {});
  if (env.length > 0) {
    for (const [k] of env) {
      if (!ENV_NAME.test(k)) throw new ValidationError(`invalid environment variable name ${JSON.stringify(k)}`, { hint: 'names are letters, digits and _, not starting with a digit' });
    }
    argv = ['env', ...env.map(([k, v]) => `${k}=${v}`), ...argv];
  }
  if (opts.cwd) argv = ['sh', '-c', 'cd "$1" && shift && exec "$@"', 'sh', opts.cwd, ...argv];
  let sudoPassword: string | undefined;
  const become = becomeArgv(opts.become);
  if (become) {
    let sudo = become.argv;
    if (become.stdinPrefix) {
      sudoPassword = become.stdinPrefix.replace(/\n$/, '');
      // become.ts's `-p ''` becomes the marked prompt; the command is wrapped to announce its start.
      const p = sudo.indexOf('-p');
      sudo = p >= 0 ? [...sudo.slice(0, p + 1), SUDO_PROMPT, ...sudo.slice(p + 2)] : [...sudo.slice(0, -1), '-p', SUDO_PROMPT, '--'];
      argv = ['sh', '-c', `echo ${BECOME_OK} >&2; exec "$@"`, 'sh', ...argv];
    }
    argv = [...sudo, ...argv];
  }
  // The login shell (a session leader, so its pid is the process group of everything the command starts)
  // reports its pid on stderr first; a timeout or Ctrl-C kills that group from a second channel.
  return { argv, line: `echo ${PGID_MARK}$$ >&2; exec ${quoteArgv(argv)}`, sudoPassword };
}

export type StderrEvent = 'prompt' | 'authenticated';

/**
 * Takes omsplay's marker lines out of a command's stderr: the process-group line first, then (with a sudo
 * password) sudo's prompts and the become marker, reported as events. Everything else passes through.
 */
export class StderrFilter {
  pgid: number | null = null;
  private state: 'pgid' | 'auth' | 'pass' = 'pgid';
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly sudoAuth: boolean) {}

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
      this.state = this.sudoAuth ? 'auth' : 'pass';
    }
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
