/**
 * The one command line an ssh exec sends, built from a Command and its options (pure, unit-tested).
 * Layers, innermost first: the argv (or `sh -c SCRIPT`), `env K=V` (inside sudo, so sudo's env_reset
 * cannot drop it), `cd` (as the become user, so a root-only directory works), then sudo.
 *
 * Env values are on the remote command line, which every user of the target can read in `ps`:
 * modules must never pass secrets through `env` (use stdin or a 0600 file).
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
  /** Written to stdin before the caller's input (the sudo password line). */
  stdinPrefix: string;
}

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
  let stdinPrefix = '';
  const become = becomeArgv(opts.become);
  if (become) {
    argv = [...become.argv, ...argv];
    stdinPrefix = become.stdinPrefix;
  }
  // The login shell (a session leader, so its pid is the process group of everything the command starts)
  // reports its pid on stderr first; a timeout or Ctrl-C kills that group from a second channel.
  return { argv, line: `echo ${PGID_MARK}$$ >&2; exec ${quoteArgv(argv)}`, stdinPrefix };
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
