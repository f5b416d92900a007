/**
 * become = sudo, non-interactive. With a password, `sudo -S` reads it from stdin (never argv); the prompt is
 * emptied here (ssh-command.ts marks it) so it cannot pollute stderr.
 *
 * Two methods (inventory `become_method`):
 * - `sudo` (default): sudo runs a small `sh -c` wrapper that announces the start of the command and then
 *   execs it, so env, cwd and shell scripts all run as the become user. Needs `ALL` (or `/bin/sh`) in sudoers.
 * - `sudo_direct`: sudo runs the command's own argv (`sudo -n -- docker …`), never a shell, so sudoers rules
 *   that name commands (`opsuser ALL=(root) NOPASSWD: /usr/bin/docker`) match. Only programs listed in
 *   `become_commands` (default `docker`) go through sudo; everything else (file reads, checksums, mkdir, mv,
 *   shell scripts, the mysql client) runs as the login user with its own rights.
 */
import { posix } from 'node:path';
import { OmsplayError, ExitCode, type OmsplayErrorOptions } from '../errors.js';
import { quoteArgv } from './quote.js';
import type { BecomeOptions, Command, ExecOptions, ExecResult } from './types.js';

export type BecomeMethod = 'sudo' | 'sudo_direct';
export const BECOME_METHODS: readonly BecomeMethod[] = ['sudo', 'sudo_direct'];
/** Programs sudo_direct runs through sudo when the inventory names none. */
export const DEFAULT_BECOME_COMMANDS: readonly string[] = ['docker'];

export function becomeOptions(become: ExecOptions['become']): BecomeOptions | null {
  if (!become) return null;
  return become === true ? {} : become;
}

export function isDirect(become: ExecOptions['become']): boolean {
  return becomeOptions(become)?.method === 'sudo_direct';
}

/** Whether `program` is one of the become commands (compared by name, so `docker` matches `/usr/bin/docker`). */
export function isBecomeCommand(program: string, commands: readonly string[] = DEFAULT_BECOME_COMMANDS): boolean {
  const name = posix.basename(program);
  return commands.some((c) => c === program || posix.basename(c) === name);
}

/**
 * The become that actually applies to `command`: in sudo_direct mode a script, or an argv whose program is not
 * a become command, runs as the login user (null). With the `sudo` method every command is wrapped.
 */
export function effectiveBecome(become: ExecOptions['become'], command: Command): BecomeOptions | null {
  const b = becomeOptions(become);
  if (!b) return null;
  if (b.method !== 'sudo_direct') return b;
  if (!('argv' in command) || command.argv.length === 0) return null;
  return isBecomeCommand(command.argv[0]!, b.commands) ? b : null;
}

/** The sudo options in front of the command (the password, when given, goes on stdin only). */
export function becomeArgv(become: ExecOptions['become']): { argv: string[]; stdinPrefix: string } | null {
  const opts = becomeOptions(become);
  if (!opts) return null;
  const user = opts.user ?? 'root';
  if (opts.password !== undefined) {
    return { argv: ['sudo', '-S', '-p', '', '-H', '-u', user, '--'], stdinPrefix: `${opts.password}\n` };
  }
  return { argv: ['sudo', '-n', '-H', '-u', user, '--'], stdinPrefix: '' };
}

/** sudo would not run the command: not allowed by sudoers, a password it needs and was not given, or a wrong one. */
export class BecomeRefusedError extends OmsplayError {
  readonly kind = 'sudo refused';
  readonly exitCode = ExitCode.hostFailed;
  constructor(
    message: string,
    readonly details: { host: string; user: string; command: string; sudoSays: string },
    opts: OmsplayErrorOptions = {},
  ) {
    super(message, opts);
  }
}

const REFUSAL = /^(?:sudo: |Sorry, user \S+ (?:is not allowed|may not run sudo))|^\S+ is not in the sudoers file/m;

/**
 * Turns a result into a BecomeRefusedError when sudo itself refused (its own messages on stderr, exit 1,
 * and the command never started). `ran` is the argv sudo was asked to run; `user` the login user.
 */
export function becomeRefusal(
  result: Pick<ExecResult, 'exitCode' | 'stderr'>,
  ctx: { host: string; user: string; become: BecomeOptions; ran: readonly string[]; started?: boolean },
): BecomeRefusedError | null {
  if (ctx.started || result.exitCode !== 1 || !REFUSAL.test(result.stderr)) return null;
  const says = result.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => REFUSAL.test(l) || /incorrect password|try again/i.test(l))
    .join(' ');
  const target = ctx.become.user ?? 'root';
  const direct = ctx.become.method === 'sudo_direct';
  const program = ctx.ran[0] ?? '';
  // sudo names the full path it resolved when it says "not allowed to execute '/usr/bin/cat …'".
  const resolved = /not allowed to execute '(\/[^' ]+)/.exec(says)?.[1];
  const path = resolved ?? (program.startsWith('/') ? program : `/usr/bin/${program}`);
  const tag = ctx.become.password === undefined ? 'NOPASSWD: ' : '';
  const command = quoteArgv(ctx.ran);
  const wrongPassword = /incorrect password|try again/i.test(says);
  const needsPassword = /a password is required/.test(says);
  let hint: string;
  if (wrongPassword) hint = `the sudo password (become_password_env) is wrong for ${ctx.user} on ${ctx.host}`;
  else if (direct) {
    hint =
      `sudo must allow ${ctx.user} to run ${program} as ${target}: the sudoers rule \`${ctx.user} ALL=(${target}) ${tag}${path}\`` +
      ` (the full path is what \`command -v ${program}\` prints on the host)` +
      (needsPassword && ctx.become.password === undefined ? `; or, if sudo asks ${ctx.user}'s password, set become_password_env` : '');
  } else {
    hint =
      `the become method \`sudo\` runs every command through \`sh -c\` under sudo, which needs the rule \`${ctx.user} ALL=(${target}) ${tag}ALL\`` +
      `; where sudo allows only some commands (say ${ctx.user} ALL=(root) NOPASSWD: /usr/bin/docker), set \`become_method: sudo_direct\` in the inventory` +
      (needsPassword && ctx.become.password === undefined ? `; if sudo asks ${ctx.user}'s password, set become_password_env` : '');
  }
  const what = wrongPassword ? 'did not accept the password' : 'refused';
  return new BecomeRefusedError(`sudo on ${ctx.host} ${what} for ${ctx.user} to run \`${command}\` as ${target}: ${says || result.stderr.trim()}`, { host: ctx.host, user: ctx.user, command, sudoSays: says }, { hint });
}
