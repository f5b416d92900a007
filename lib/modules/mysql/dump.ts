/**
 * mysql.dump: mysqldump (or mariadb-dump) on the task's host into a file, verified before it
 * takes its final name: exit code, size > 0, the `-- Dump completed` trailer, sha256 (computed
 * while the dump streams, in the same command: one round trip, one pass over the data).
 */
import { randomBytes } from 'node:crypto';
import { move, parseFileSummary } from '../../commands/fs.js';
import { clientFailure, failureText } from '../../commands/mysql-errors.js';
import { connArgs, dumpCommand, dumpCompleted, dumpProgressCommand, mysqldumpArgs, optionFileContent } from '../../commands/mysql.js';
import { databasesSize } from '../../commands/sql/schema.js';
import type { ExecResult } from '../../connection/types.js';
import { TaskFailedError } from '../../errors.js';
import { pathExistsFact } from '../../facts/file.js';
import { showCommand } from '../../plan/command.js';
import { definePlanModule } from '../../plan/define.js';
import { execPlanned } from '../../plan/execute.js';
import type { Plan, PlanOutcome, PlannedCommand } from '../../plan/types.js';
import type { ModuleContext } from '../types.js';
import { type ServerArgs, metaDbRequirement, serverArgs, serverOf, serverProperties } from '../support/mysql-server.js';

export interface DumpArgs extends ServerArgs {
  databases: string | string[];
  dest: string;
  triggers?: boolean;
  single_transaction?: boolean;
  gzip?: boolean;
  overwrite?: boolean;
  extra_args?: string[];
}

export const mysqlDump = definePlanModule<DumpArgs, DumpFacts>({
  name: 'mysql.dump',
  summary: 'Dump one or more databases with mysqldump on the host into a 0600 file, verified (size, completion trailer, sha256).',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['databases', 'dest'],
    ...metaDbRequirement,
    properties: {
      ...serverProperties,
      databases: {
        oneOf: [
          { type: 'string', pattern: '^[^-]' },
          { type: 'array', items: { type: 'string', pattern: '^[^-]' }, minItems: 1 },
        ],
        description: 'Database(s). One database is dumped without --databases (restorable into any name, as the vendor does); several with --databases.',
      },
      dest: { type: 'string', description: 'Dump file path on the host. Written as DEST.partial first and renamed after verification.' },
      triggers: { type: 'boolean', default: true, description: 'false adds --triggers=false (the OMS procedure uses false).' },
      single_transaction: { type: 'boolean', default: false, description: 'Add --single-transaction (consistent InnoDB snapshot without locking).' },
      gzip: { type: 'boolean', default: false, description: 'Compress the dump with gzip (name DEST accordingly, e.g. .sql.gz).' },
      overwrite: { type: 'boolean', default: false, description: 'Replace an existing DEST (otherwise the task fails rather than lose a backup).' },
      extra_args: { type: 'array', items: { type: 'string' }, description: 'More mysqldump options (keep comments on: the completion trailer is checked).' },
    },
  },
  checkMode: 'full',
  // `metadb: {host, port, user, password, via}` or the login_* arguments: gather and plan read login_*.
  normalize: serverArgs,
  changedMeans: 'a dump was written (always, outside check mode: dumping is not idempotent).',
  result: [
    { name: 'path', description: 'The dump file.' },
    { name: 'size', description: 'Size in bytes (> 0).' },
    { name: 'sha256', description: 'sha256 of the file as written (compressed when gzip).' },
    { name: 'databases', description: 'Databases dumped.' },
    { name: 'completed', description: 'true: the `-- Dump completed` trailer is present.' },
    { name: 'gzip', description: 'Whether the file is gzip-compressed.' },
    { name: 'duration_ms', description: 'How long mysqldump ran.' },
  ],
  example: `- name: Back up the rm database (step 2)
  mysql.dump:
    login_host: "{{ metadb.host }}"
    login_port: "{{ metadb.port }}"
    login_user: "{{ metadb.user }}"
    login_password: "{{ metadb.password }}"
    databases: oms_rm
    dest: "{{ backup_dir }}/oms_rm.sql"
    triggers: false
  delegate_to: "{{ backup_host }}"
  register: dump_rm`,

  async gather(args, ctx) {
    ctx.masker.add(args.login_password);
    // The option file's directory is named here (the dump command creates it) so that it can be removed from here too after an interrupt.
    return { exists: await ctx.facts.get(pathExistsFact, { path: args.dest }), private_dir: `/tmp/omsplay.${randomBytes(6).toString('hex')}` };
  },
  plan: (args, facts, env) => planDump(args, facts, env.host),
  finish: (outcome) => finishDump(outcome),
  exec: (cmd, ctx, args) => execDump(cmd, ctx, args),
});

/** What mysql.dump decides from: whether dest exists, and the name of the private directory for the option file. */
export interface DumpFacts {
  exists: boolean;
  private_dir: string;
}

const databasesOf = (args: DumpArgs) => (typeof args.databases === 'string' ? [args.databases] : args.databases);
const baseOf = (args: DumpArgs) => ({ path: args.dest, databases: databasesOf(args), gzip: Boolean(args.gzip) });
const DUMPING = 'mysqldump of ';

function existsError(args: DumpArgs, host: string): TaskFailedError {
  return new TaskFailedError(`${args.dest} already exists on ${host}`, baseOf(args), { hint: 'choose another dest (one directory per run) or set overwrite: true' });
}

/**
 * The decision: refuse an existing dest (a backup is never replaced unless asked), else dump into DEST.partial —
 * one command: directory, option file from stdin, mysqldump hashed while it streams — and rename it to DEST
 * once verified (size > 0, completion trailer).
 */
export function planDump(args: DumpArgs, facts: DumpFacts, host: string): Plan {
  if (facts.exists && !args.overwrite) throw existsError(args, host);
  const databases = databasesOf(args);
  const partial = `${args.dest}.partial`;
  const optionFile = `${facts.private_dir}/my.cnf`;
  const argv = dumpCommand({
    args: mysqldumpArgs({
      optionFile,
      server: serverOf(args),
      databases,
      triggers: args.triggers,
      singleTransaction: args.single_transaction,
      extraArgs: args.extra_args,
    }),
    dest: args.dest,
    privDir: facts.private_dir,
    overwrite: args.overwrite,
    gzip: args.gzip,
    estimate: args.gzip ? undefined : { sql: databasesSize(databases), connArgs: connArgs(optionFile, serverOf(args)).length },
  });
  const dump: PlannedCommand = {
    argv,
    stdin: optionFileContent(args.login_password),
    what: `${DUMPING}${databases.join(', ')}`,
    failure: (r, h) => dumpFailure(args, r, h, showCommand({ argv })),
    verify: (r) => dumpIncomplete(args, r),
  };
  const rename: PlannedCommand = {
    argv: move(partial, args.dest),
    what: `rename ${partial}`,
    failure: (r, h) => new TaskFailedError(`cannot rename ${partial} to ${args.dest} on ${h}: ${failureText(r)}`, baseOf(args)),
  };
  return { commands: [dump, rename], result: { ...baseOf(args), msg: `dump ${databases.join(', ')} from ${args.login_host}:${args.login_port ?? 3306} to ${args.dest}` } };
}

/** A dump command that failed: a refusal of the script (dest exists, no directory), else the client's failure and its hint. */
export function dumpFailure(args: DumpArgs, r: ExecResult, host: string, command: string): Error {
  const refused = /^@@refused (.*)$/m.exec(r.stdout);
  if (r.exitCode === 2 && refused) {
    if (refused[1] === 'exists') return existsError(args, host);
    const what = refused[1] === 'mkdir' ? `cannot create the directory of ${args.dest}` : 'cannot create a private temporary directory';
    return new TaskFailedError(`${what} on ${host}: ${failureText(r)}`, baseOf(args));
  }
  return clientFailure(r, `${DUMPING}${databasesOf(args).join(', ')}`, command);
}

/** A dump that exited 0 but is empty or lacks the completion trailer: it must not take DEST's name. */
export function dumpIncomplete(args: DumpArgs, r: ExecResult): TaskFailedError | undefined {
  const sum = parseFileSummary(r.stdout);
  const completed = dumpCompleted(sum.tail);
  if (sum.size > 0 && completed) return undefined;
  return new TaskFailedError(`the dump of ${databasesOf(args).join(', ')} is ${sum.size === 0 ? 'empty' : 'incomplete (no "-- Dump completed" trailer)'}`, {
    ...baseOf(args),
    size: sum.size,
    completed,
  });
}

/** The verified dump: size, sha256 (computed while it streamed), how long mysqldump ran. */
export function finishDump({ args, outputs }: PlanOutcome<DumpFacts, DumpArgs>): Record<string, unknown> {
  const r = outputs[0]!;
  const sum = parseFileSummary(r.stdout);
  return {
    ...baseOf(args),
    size: sum.size,
    sha256: sum.sha256,
    completed: true,
    duration_ms: Math.round(r.durationMs),
    stderr: r.stderr,
    msg: `dumped ${databasesOf(args).join(', ')} to ${args.dest} (${sum.size} bytes, sha256 ${sum.sha256.slice(0, 12)}…)`,
  };
}

/**
 * Runs the dump command watching it: progress from the partial file's size, and after a failure (or Ctrl-C) the
 * option file's directory and the partial dump removed — through the connection, since the task's signal may be
 * aborted. Other commands run as the executor runs them.
 */
async function execDump(cmd: PlannedCommand, ctx: ModuleContext, args: DumpArgs): Promise<ExecResult> {
  if (!cmd.what?.startsWith(DUMPING) || !('argv' in cmd)) return execPlanned(ctx, cmd);
  const partial = `${args.dest}.partial`;
  const privDir = cmd.argv[5]!;
  const stopProgress = pollProgress(ctx, partial, `${privDir}/estimate`, databasesOf(args));
  let r: ExecResult | undefined;
  try {
    r = await execPlanned(ctx, cmd);
  } finally {
    await stopProgress();
    if (r?.exitCode !== 0 || cmd.verify?.(r, ctx.host)) {
      await ctx.conn.exec({ argv: ['rm', '-rf', '--', privDir, partial] }, { become: ctx.become, timeoutMs: 15_000 }).catch(() => undefined);
    }
  }
  if (r.exitCode !== 0 && ctx.signal.aborted) throw new TaskFailedError(`${cmd.what} interrupted; the partial dump was removed`, baseOf(args));
  if (r.exitCode === 0 && !cmd.verify?.(r, ctx.host)) {
    const size = parseFileSummary(r.stdout).size;
    ctx.progress({ done: size, total: size, unit: 'bytes', message: `dumped ${databasesOf(args).join(', ')}` });
  }
  return r;
}

/** The size estimate as the dump command wrote it: a positive byte count, else none (empty databases, no file, garbage). */
export function parseEstimate(text: string | undefined): number | undefined {
  const t = (text ?? '').trim();
  const n = Number(t);
  return /^\d+$/.test(t) && n > 0 && Number.isSafeInteger(n) ? n : undefined;
}

/**
 * The total shown beside `done` bytes: the databases' size (data + index; a dump's text is of the same order,
 * so the view says "~"), while the dump has not outgrown it — past it the estimate says nothing more and only
 * bytes and rate are shown. No estimate (gzip, unreadable): no total.
 */
export function progressTotal(estimate: number | undefined, done: number): number | undefined {
  return estimate !== undefined && done <= estimate ? estimate : undefined;
}

/**
 * Progress while mysqldump runs: the partial file's size, one cheap stat a second, and until it is known the
 * size estimate the dump command writes beside it (same command, no extra round trip). Returns the function
 * that stops it (at once: a small dump must not wait a second).
 */
function pollProgress(ctx: ModuleContext, partial: string, estimateFile: string, databases: string[]): () => Promise<void> {
  let polling = true;
  let estimate: number | undefined;
  let wake: () => void = () => undefined;
  const poll = (async () => {
    while (polling) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, 1000);
        wake = () => {
          clearTimeout(t);
          r();
        };
      });
      if (!polling) break;
      const r = await ctx.exec({ argv: dumpProgressCommand(partial, estimate === undefined ? estimateFile : undefined) }).catch(() => null);
      const [size, est] = r && r.exitCode === 0 ? r.stdout.split('\n') : [];
      estimate ??= parseEstimate(est);
      const n = size ? Number(size.trim()) : Number.NaN;
      if (polling && Number.isFinite(n)) {
        const total = progressTotal(estimate, n);
        ctx.progress({ done: n, ...(total !== undefined ? { total } : {}), unit: 'bytes', message: `dumping ${databases.join(', ')}` });
      }
    }
  })();
  return async () => {
    polling = false;
    wake();
    await poll;
  };
}
