/**
 * What `command` and `shell` share: the creates/removes guards (checked on the host with
 * `test -e`), chdir/env/stdin, and turning an ExecResult into the Ansible-shaped result a task registers.
 */
import { posix } from 'node:path';
import { effectiveBecome } from '../../connection/become.js';
import { quote } from '../../connection/quote.js';
import type { Command, ExecResult } from '../../connection/types.js';
import { TaskFailedError, ValidationError } from '../../errors.js';
import { pathExistsFact } from '../../facts/file.js';
import type { GatherContext, PlanEnv, PlannedCommand, PlanOutcome } from '../../plan/types.js';
import type { ModuleResult, ResultField } from '../types.js';

export interface GuardArgs {
  creates?: string;
  removes?: string;
  chdir?: string;
}

/** The arguments both take besides the command itself. */
export interface RunArgs extends GuardArgs {
  env?: Record<string, string | number | boolean>;
  stdin?: string;
  stdin_add_newline?: boolean;
}

export const guardSchema = {
  creates: { type: 'string', minLength: 1, description: 'Skip when this path exists on the host (relative paths are resolved against `chdir`). Also checked in check mode.' },
  removes: { type: 'string', minLength: 1, description: 'Skip when this path does NOT exist on the host (relative paths are resolved against `chdir`). Also checked in check mode.' },
  chdir: { type: 'string', minLength: 1, description: 'Directory to run in.' },
  env: {
    type: 'object',
    additionalProperties: { type: ['string', 'number', 'boolean'] },
    description: 'Extra environment variables for the command.',
  },
} as const;

/** The schema of RunArgs (`what`: "command" or "script", for the descriptions). */
export function runSchema(what: string) {
  return {
    ...guardSchema,
    stdin: { type: 'string', description: `Data written to the ${what}'s standard input.` },
    stdin_add_newline: { type: 'boolean', default: true, description: 'Append a newline to `stdin`.' },
  } as const;
}

export const commandResultFields: ResultField[] = [
  { name: 'cmd', description: 'The command as run (argv quoted for display, or the script).' },
  { name: 'rc', description: 'Exit code (null when ended by a signal or timeout).' },
  { name: 'stdout', description: 'Standard output, trailing newlines removed.' },
  { name: 'stderr', description: 'Standard error, trailing newlines removed.' },
  { name: 'stdout_lines', description: 'stdout split into lines.' },
  { name: 'stderr_lines', description: 'stderr split into lines.' },
  { name: 'duration_ms', description: 'How long the command ran.' },
  { name: 'skipped', description: 'true when creates/removes (or check mode) kept it from running.' },
];

/** The path a creates/removes guard tests: relative paths are resolved against `chdir`. */
export function guardPath(args: GuardArgs, key: 'creates' | 'removes'): string | undefined {
  const path = args[key];
  if (path === undefined) return undefined;
  return args.chdir && !posix.isAbsolute(path) ? posix.join(args.chdir, path) : path;
}

/** Whether the guard paths exist on the host (only those the task gives). */
export interface GuardFacts {
  creates?: boolean;
  removes?: boolean;
}

/** Reads the guard paths (fact file.exists, cached for the run). */
export async function gatherGuards(args: GuardArgs, ctx: GatherContext): Promise<GuardFacts> {
  const out: GuardFacts = {};
  for (const key of ['creates', 'removes'] as const) {
    const path = guardPath(args, key);
    if (path !== undefined) out[key] = await ctx.facts.get(pathExistsFact, { path });
  }
  return out;
}

/** The skip result when creates/removes say the command must not run, else null. */
export function guardSkip(args: GuardArgs, facts: GuardFacts): Record<string, unknown> | null {
  for (const [key, wantExists] of [
    ['creates', true],
    ['removes', false],
  ] as const) {
    const exists = facts[key];
    if (exists === undefined) continue;
    if (exists === wantExists) {
      return { skipped: true, rc: 0, stdout: '', stderr: '', msg: `skipped, since ${guardPath(args, key)} ${exists ? 'exists' : 'does not exist'}` };
    }
  }
  return null;
}

export function stringEnv(env: Record<string, unknown> | undefined): Record<string, string> | undefined {
  if (!env) return undefined;
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
}

export function trimEnd(s: string): string {
  return s.replace(/[\r\n]+$/, '');
}

export function lines(s: string): string[] {
  return s === '' ? [] : s.split(/\r?\n/);
}

/** The planned command: run in `chdir` with `env`, the task's `stdin` (with its newline unless told otherwise) on standard input. */
export function plannedRun(command: Command, args: RunArgs, env: PlanEnv): PlannedCommand {
  const stdin = args.stdin === undefined ? undefined : args.stdin_add_newline === false ? args.stdin : `${args.stdin}\n`;
  return withEnv(command, { cwd: args.chdir, env: stringEnv(args.env), stdin }, env);
}

/** finish(): the exit code, output and failure are the command's own. */
export function finishRun({ plan, outputs }: Pick<PlanOutcome<unknown>, 'plan' | 'outputs'>): ModuleResult {
  return commandResult(plan.result.cmd as string, outputs[0]!);
}

/** The registered result of a command that ran; failed on non-zero exit, signal or timeout. */
export function commandResult(cmd: string, r: ExecResult): ModuleResult {
  const stdout = trimEnd(r.stdout);
  const stderr = trimEnd(r.stderr);
  const result: ModuleResult = {
    changed: true,
    cmd,
    rc: r.exitCode,
    stdout,
    stderr,
    stdout_lines: lines(stdout),
    stderr_lines: lines(stderr),
    duration_ms: Math.round(r.durationMs),
  };
  if (r.timedOut) return { ...result, failed: true, msg: `timed out after ${Math.round(r.durationMs / 1000)}s` };
  if (r.exitCode === null) return { ...result, failed: true, msg: `ended by signal ${r.signal ?? 'unknown'}` };
  if (r.exitCode !== 0) {
    const why = r.exitCode === 127 ? ' (command not found)' : r.exitCode === 126 ? ' (not executable)' : '';
    return { ...result, failed: true, msg: `non-zero return code ${r.exitCode}${why}` };
  }
  return result;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A command with `env`. Plain values go on the command line (`env K=V`); a value holding a secret the
 * run knows (a password variable, a !secret, a become password...) never does, since every user of the host
 * reads command lines in `ps`. Such values travel on the command's stdin, ahead of the task's own stdin: a
 * small sh wrapper reads exactly that many bytes (dd bs=1, so nothing of the rest is consumed), evaluates the
 * quoted assignments and execs the command with the remaining stdin. No file, so any become user works.
 */
export function withEnv(command: Command, opts: { cwd?: string; env?: Record<string, string>; stdin?: string }, env: PlanEnv): PlannedCommand {
  const base = { okExitCodes: 'any' as const, ...(opts.cwd ? { cwd: opts.cwd } : {}), ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}) };
  const entries = Object.entries(opts.env ?? {});
  const secret = entries.filter(([, v]) => env.isSecret(v));
  if (secret.length === 0) return { ...command, ...base, ...(entries.length ? { env: opts.env } : {}) };
  for (const [k] of secret) {
    if (!ENV_NAME.test(k)) throw new ValidationError(`invalid environment variable name ${JSON.stringify(k)}`, { hint: 'names are letters, digits and _, not starting with a digit' });
  }
  // The wrapper runs as the login user under sudo_direct (it is a shell): the command it execs would then miss
  // sudo, and sudo itself could only take the value on its command line.
  if (effectiveBecome(env.become, command)?.method === 'sudo_direct') {
    throw new TaskFailedError(`a secret env value (${secret.map(([k]) => k).join(', ')}) cannot reach ${'argv' in command ? command.argv[0] : 'the command'} through sudo with become_method sudo_direct`, {}, {
      hint: 'pass it to the container with docker.container / docker.exec `env` (written to a 0600 env file), or use become_method sudo',
    });
  }
  const plain = Object.fromEntries(entries.filter(([, v]) => !env.isSecret(v)));
  const block = secret.map(([k, v]) => `export ${k}=${quote(v)}\n`).join('');
  const inner = 'argv' in command ? command.argv : ['sh', '-c', command.script];
  const argv = ['sh', '-c', 'eval "$(dd bs=1 count="$1" 2>/dev/null)" && shift && exec "$@"', 'sh', String(Buffer.byteLength(block)), ...inner];
  return { argv, ...base, ...(Object.keys(plain).length > 0 ? { env: plain } : {}), stdin: block + (opts.stdin ?? '') };
}
