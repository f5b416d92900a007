/**
 * mysql.restore: load a single-database dump into a database, dropping and recreating it first
 * (with its original character set and collation) — but only after the dump was verified: the
 * file exists, is not empty, has the sha256 the dump recorded and ends with the completion
 * trailer. Nothing is dropped for a missing, altered or truncated dump.
 *
 * With `staged`, the dump was loaded earlier into a staging database (mysql.restore into it, while OMS still ran):
 * its tables are put in place by one atomic RENAME TABLE — seconds, whatever the size — instead of loading again
 * inside the outage. When that cannot be exactly what a load gives (the staged database missing or not holding the
 * tables its load made; a view, routine, trigger, event or foreign key in either database), the dump is loaded as
 * without `staged`, and the result says why.
 */
import { clientFailure } from '../../commands/mysql-errors.js';
import { dumpCompleted, dumpSelectsDatabase, mysqlBatchArgs, sqlIdent, mysqlClientCommand, optionFileContent, parseBatch, restoreCommand } from '../../commands/mysql.js';
import type { FileSummary } from '../../commands/fs.js';
import { recreateDatabase, createDatabase, schemaCharsets, swapObjects, swapStaged, tableCounts } from '../../commands/sql/schema.js';
import { type CommandFailedError, TaskFailedError } from '../../errors.js';
import { fileSummaryFact } from '../../facts/file.js';
import { privateFile, showCommand } from '../../plan/command.js';
import { definePlanModule } from '../../plan/define.js';
import { execPlanned } from '../../plan/execute.js';
import type { Plan, PlanOutcome, PlannedCommand } from '../../plan/types.js';
import { type ServerArgs, metaDbRequirement, serverArgs, serverOf, serverProperties } from '../support/mysql-server.js';

export interface RestoreArgs extends ServerArgs {
  src: string;
  database: string;
  sha256?: string;
  verify_sha256?: boolean;
  gzip?: boolean;
  charset?: string;
  collation?: string;
  /** The registered result of the mysql.restore that loaded this dump into a staging database. */
  staged?: StagedLoad;
}

export interface StagedLoad {
  database?: string;
  /** Set only by a load that completed. */
  tables?: number;
  /** Set only by a --check run (lib/plan/execute.ts checkResult): the load was planned, not run. */
  planned?: unknown;
  [field: string]: unknown;
}

export const mysqlRestore = definePlanModule<RestoreArgs, RestoreFacts>({
  name: 'mysql.restore',
  summary: 'Verify a dump (sha256, completion trailer), then drop, recreate (same charset/collation) and load the database from it.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['src', 'database'],
    ...metaDbRequirement,
    properties: {
      ...serverProperties,
      src: { type: 'string', description: 'Dump file on the host (made by mysql.dump from ONE database).' },
      database: { type: 'string', minLength: 1, description: 'Database to drop, recreate and load.' },
      sha256: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'Expected sha256 of the file (the `sha256` mysql.dump recorded). Required unless verify_sha256 is false.' },
      verify_sha256: { type: 'boolean', default: true, description: 'Set false to restore a file whose checksum is unknown (the completion trailer is still checked).' },
      gzip: { type: 'boolean', description: 'The file is gzip-compressed. Default: true when src ends with .gz.' },
      charset: { type: 'string', pattern: '^[A-Za-z0-9_]+$', description: 'Character set for the recreated database. Default: the one it has now (or the server default when it does not exist).' },
      collation: { type: 'string', pattern: '^[A-Za-z0-9_]+$', description: 'Collation for the recreated database. Default: the one it has now.' },
      staged: {
        type: 'object',
        properties: { database: { type: 'string' }, tables: { type: 'integer', minimum: 0 } },
        description:
          'The registered result of the mysql.restore that loaded this dump into a staging database earlier. When that load completed and the staging database still holds its `tables`, they replace the database\'s in one atomic RENAME TABLE and the staging database is dropped; otherwise (or when a swap would not give exactly what a load gives) the dump is loaded and the staging database dropped. Empty or without `database`: load the dump. Under --check that load was only planned: the result says a real run swaps it in if it completes, else loads the dump.',
      },
    },
    if: { properties: { verify_sha256: { const: false } }, required: ['verify_sha256'] },
    else: { required: ['sha256'] },
  },
  checkMode: 'full',
  // `metadb: {host, port, user, password, via}` or the login_* arguments: gather and plan read login_*.
  normalize: serverArgs,
  changedMeans: 'the database was dropped, recreated and loaded (always, after a successful verification; not idempotent).',
  result: [
    { name: 'database', description: 'The database restored.' },
    { name: 'src / size / sha256', description: 'The dump file, its size and verified sha256.' },
    { name: 'charset / collation', description: 'Character set and collation the database was recreated with.' },
    { name: 'tables', description: 'Number of tables after the restore (information_schema).' },
    { name: 'rows', description: 'Sum of TABLE_ROWS after the restore (exact for MyISAM/Aria, an estimate for InnoDB).' },
    { name: 'existed_before', description: 'Whether the database existed before.' },
    { name: 'swapped', description: 'With `staged`: the staged tables were swapped in (true), or the dump was loaded (false; `swap_skipped` says why).' },
  ],
  example: `- name: Restore the rm database from the upgrade's backup
  mysql.restore:
    login_host: "{{ metadb.host }}"
    login_port: "{{ metadb.port }}"
    login_user: "{{ metadb.user }}"
    login_password: "{{ metadb.password }}"
    database: oms_rm
    src: "{{ from_run.dump_rm.path }}"
    sha256: "{{ from_run.dump_rm.sha256 }}"
  delegate_to: "{{ backup_host }}"`,

  async gather(args, ctx) {
    ctx.masker.add(args.login_password);
    let swap: SwapFacts | undefined;
    if (completedStaging(args)) {
      swap = await readSwapFacts(args, ctx);
      // A possible swap needs neither the dump (its load into the staged database verified it) nor the charset.
      if (swapBlocker(args, swap) === null) return { schema: null, swap };
    }
    // The dump as it is now, right before the drop: not as an earlier task of the run read it (the staging load of
    // the same file before the stop reads it with the same parameters).
    const summary = { path: args.src, gzip: gzipOf(args), headBytes: 16384 };
    ctx.facts.invalidate(fileSummaryFact, summary);
    const dump = await ctx.facts.get(fileSummaryFact, summary).catch((e: CommandFailedError) => ({ error: e.details?.stderr?.trim() || e.message }));
    // The database is asked about only for a sound dump: a bad dump fails for what is wrong with it, connecting to nothing.
    if (dump === null || 'error' in dump || dumpProblem(args, dump, ctx.host)) return { dump, schema: null, swap };
    // With the database, in the same read, the staging database a load that did not complete may have left: it is
    // dropped with the load only when it exists (a user whose grants name the OMS databases only could not create it,
    // and may not even DROP ... IF EXISTS it).
    const stagedDb = !swap ? args.staged?.database || undefined : undefined;
    const query = schemaQuery(args, stagedDb ? [args.database, stagedDb] : [args.database]);
    const r = await execPlanned(ctx, query);
    if (r.exitCode !== 0) throw clientFailure(r, `mysql on ${ctx.host}`, showCommand(query));
    const rows = parseBatch(r.stdout);
    const row = rows.find((x) => x[0] === args.database);
    const schema = row ? { charset: row[1] ?? null, collation: row[2] ?? null } : null;
    return { dump, schema, swap, ...(stagedDb ? { staged_exists: rows.some((x) => x[0] === stagedDb) } : {}) };
  },
  plan: (args, facts, env) => planRestore(args, facts, env.host),
  finish: (outcome) => finishRestore(outcome),
});

const gzipOf = (args: RestoreArgs) => args.gzip ?? args.src.endsWith('.gz');

/** The option file holding the password, in a private directory the executor makes and removes. */
const optionFiles = (args: RestoreArgs) => ({ 'my.cnf': optionFileContent(args.login_password) });

/** The databases' character sets and collations now (no row for one that does not exist). */
function schemaQuery(args: RestoreArgs, databases: string[]): PlannedCommand {
  return {
    argv: mysqlClientCommand(mysqlBatchArgs(privateFile('my.cnf'), serverOf(args), schemaCharsets(databases))),
    privateFiles: optionFiles(args),
    okExitCodes: 'any',
  };
}

/** The two databases' objects, as swapObjects lists them. */
async function readSwapFacts(args: RestoreArgs, ctx: Parameters<typeof execPlanned>[0]): Promise<SwapFacts> {
  const cmd = swapQuery(args);
  const r = await execPlanned(ctx, cmd);
  if (r.exitCode !== 0) throw clientFailure(r, `mysql on ${ctx.host}`, showCommand(cmd));
  return { objects: parseBatch(r.stdout).map(([schema, name, type]) => ({ schema: schema ?? '', name: name ?? '', type: type ?? '' })) };
}

function swapQuery(args: RestoreArgs): PlannedCommand {
  return { argv: mysqlClientCommand(mysqlBatchArgs(privateFile('my.cnf'), serverOf(args), swapObjects(args.database, args.staged!.database!))), privateFiles: optionFiles(args) };
}

/** A staging load that completed: it names its database and reported its tables. */
const completedStaging = (args: RestoreArgs) => Boolean(args.staged?.database) && typeof args.staged?.tables === 'number';

/**
 * What mysql.restore decides from: the dump file's summary (null: no such file; error: it could not be read; not
 * read when a swap is possible), the database's character set and collation now (null: it does not exist, or the
 * dump was refused before asking) and, with `staged`, the objects of both databases.
 */
export interface RestoreFacts {
  dump?: FileSummary | null | { error: string };
  schema: { charset: string | null; collation: string | null } | null;
  swap?: SwapFacts;
  /** With `staged` and no swap facts (its load did not complete): whether that staging database exists. */
  staged_exists?: boolean;
}

export interface SwapFacts {
  /** type: 'SCHEMA' (the database itself), a TABLE_TYPE ('BASE TABLE', 'VIEW'), 'PROCEDURE', 'FUNCTION', 'TRIGGER', 'EVENT', 'FOREIGN KEY'. */
  objects: Array<{ schema: string; name: string; type: string }>;
}

/** Where the database's own tables go during the swap (dropped right after). */
export const retiredName = (database: string) => `${database}_omsplay_old`;

/** Why the staged tables cannot simply replace the database's (the dump is loaded then), or null. */
export function swapBlocker(args: RestoreArgs, swap: SwapFacts): string | null {
  const staged = args.staged!.database!;
  if (retiredName(args.database).length > 64) return `the name ${retiredName(args.database)} is longer than 64 characters`;
  if (staged === args.database) return 'staged names the database itself';
  const of = (db: string) => swap.objects.filter((o) => o.schema === db);
  if (!of(staged).some((o) => o.type === 'SCHEMA')) return `the staged database ${staged} does not exist`;
  const stagedTables = of(staged).filter((o) => o.type === 'BASE TABLE').length;
  if (stagedTables !== args.staged!.tables) return `${staged} holds ${stagedTables} tables, its load made ${args.staged!.tables}`;
  const other = swap.objects.find((o) => o.type !== 'SCHEMA' && o.type !== 'BASE TABLE');
  if (other) return `${other.schema} has the ${other.type.toLowerCase()} ${other.name}, which a swap of tables would not give as a load does`;
  return null;
}

/** The staged tables replace the database's: one client call, every statement stopping the next when it fails. */
function planSwap(args: RestoreArgs, swap: SwapFacts): Plan {
  const staged = args.staged!.database!;
  const tables = (db: string) => swap.objects.filter((o) => o.schema === db && o.type === 'BASE TABLE').map((o) => o.name);
  const existed = swap.objects.some((o) => o.schema === args.database && o.type === 'SCHEMA');
  const stagedTables = tables(staged);
  const retired = retiredName(args.database);
  const sql = swapStaged({ database: args.database, staged, retired, liveTables: tables(args.database), stagedTables, createDatabase: !existed, lockWaitSeconds: 60 });
  const argv = mysqlClientCommand(mysqlBatchArgs(privateFile('my.cnf'), serverOf(args), sql));
  const result = {
    database: args.database,
    src: args.src,
    staged,
    swapped: true,
    existed_before: existed,
    tables: stagedTables.length,
    msg: `put the ${stagedTables.length} tables of ${staged} (loaded from ${args.src}) in place of ${args.database}'s by one RENAME TABLE`,
  };
  const failure = (r: Parameters<typeof clientFailure>[0]) => {
    const e = clientFailure(r, `swapping ${staged} into ${args.database}`, showCommand({ argv }));
    return new TaskFailedError(e.message, { database: args.database, staged }, {
      hint: `RENAME TABLE moves every table or none: when SHOW TABLES FROM ${args.database} lists ${staged}'s tables the restore is in place and only ${retired} and ${staged} are left to drop; otherwise ${args.database} is as it was and the restore can run again`,
      cause: e,
    });
  };
  return { commands: [{ argv, privateFiles: optionFiles(args), what: `swap ${staged} into ${args.database}`, failure }], result };
}

/** Why the dump must not be loaded (nothing is dropped then), or null for a sound dump. */
export function dumpProblem(args: RestoreArgs, dump: FileSummary | null | { error: string }, host: string): TaskFailedError | null {
  const base = { database: args.database, src: args.src };
  if (dump === null || 'error' in dump) {
    const why = dump === null ? `no such file: ${args.src}` : dump.error;
    return new TaskFailedError(`cannot read the dump ${args.src} on ${host}: ${why}; nothing was dropped`, base);
  }
  const verified = { ...base, size: dump.size, sha256: dump.sha256 };
  if (dump.size === 0) return new TaskFailedError(`the dump ${args.src} is empty; nothing was dropped`, verified);
  if (args.verify_sha256 !== false && dump.sha256 !== args.sha256) {
    return new TaskFailedError(`the dump ${args.src} has sha256 ${dump.sha256}, expected ${args.sha256}; nothing was dropped`, verified, {
      hint: 'the file changed since it was dumped (or names another dump)',
    });
  }
  if (!dumpCompleted(dump.tail)) return new TaskFailedError(`the dump ${args.src} is truncated (no "-- Dump completed" trailer); nothing was dropped`, verified);
  if (dumpSelectsDatabase(dump.head ?? '')) {
    return new TaskFailedError(`the dump ${args.src} selects its own database(s) (made with --databases); nothing was dropped`, verified, {
      hint: 'restore a dump of one database made without --databases (mysql.dump with a single database)',
    });
  }
  return null;
}

/**
 * The decision: a verified dump is loaded by one command — drop (when the database exists), create with its
 * character set and collation (the arguments', else the ones it has now), load, count the tables.
 */
export function planRestore(args: RestoreArgs, facts: RestoreFacts, host: string): Plan {
  const stagedDb = args.staged?.database || undefined;
  // Under --check the staging load only planned (no tables): a real run swaps it in when that load completes.
  const onlyPlanned = Boolean(stagedDb) && args.staged?.planned !== undefined && !completedStaging(args);
  const blocker = !stagedDb
    ? undefined
    : completedStaging(args) && facts.swap
      ? swapBlocker(args, facts.swap)
      : `the load into ${stagedDb} ${onlyPlanned ? 'was only planned (--check)' : 'did not complete'}`;
  if (blocker === null) return planSwap(args, facts.swap!);
  const problem = dumpProblem(args, facts.dump ?? null, host);
  if (problem) throw problem;
  const dump = facts.dump as FileSummary;
  const existed = facts.schema !== null;
  const dropStaged = Boolean(stagedDb) && (facts.swap ? facts.swap.objects.some((o) => o.schema === stagedDb && o.type === 'SCHEMA') : facts.staged_exists === true);
  const charset = args.charset ?? facts.schema?.charset ?? undefined;
  const collation = args.collation ?? (args.charset ? undefined : (facts.schema?.collation ?? undefined));
  const result = {
    database: args.database,
    src: args.src,
    size: dump.size,
    sha256: dump.sha256,
    charset: charset ?? null,
    collation: collation ?? null,
    existed_before: existed,
    ...(stagedDb ? { staged: stagedDb, swapped: false, swap_skipped: blocker } : {}),
    msg: `${onlyPlanned ? `swap ${stagedDb} in if its load completes, else ` : ''}${existed ? `drop ${args.database}, ` : ''}${createDatabase(args.database, charset, collation)} and load ${args.src}`,
  };
  const argv = restoreCommand({
    optionFile: privateFile('my.cnf'),
    server: serverOf(args),
    database: args.database,
    file: args.src,
    gzip: gzipOf(args),
    // A staging database not swapped in goes first (nothing of it is used).
    prelude: `${dropStaged ? `DROP DATABASE ${sqlIdent(stagedDb!)}; ` : ''}${recreateDatabase(args.database, charset, collation)}`,
    after: tableCounts(args.database),
  });
  const what = `loading ${args.src} into ${args.database} (the database was recreated and is now partly loaded)`;
  const failure = (r: Parameters<typeof clientFailure>[0]) => {
    const e = clientFailure(r, what, showCommand({ argv }));
    const { msg: _m, ...fields } = result;
    return new TaskFailedError(e.message, fields, { hint: 'fix the cause and run the restore again: it verifies the dump and recreates the database from scratch', cause: e });
  };
  return { commands: [{ argv, privateFiles: optionFiles(args), what: `restore ${args.database}`, failure }], result };
}

/** After the load: the table count and row estimate the command printed last. */
export function finishRestore({ args, plan, outputs }: PlanOutcome<RestoreFacts, RestoreArgs>): Record<string, unknown> {
  if (plan.result.swapped === true) return { ...plan.result, duration_ms: Math.round(outputs[0]?.durationMs ?? 0) };
  const counts = parseBatch(outputs[0]?.stdout ?? '').at(-1);
  const tables = Number(counts?.[0] ?? 0);
  const rows = Number(counts?.[1] ?? 0);
  return { ...plan.result, tables, rows, duration_ms: Math.round(outputs[0]?.durationMs ?? 0), msg: `restored ${args.database} from ${args.src}: ${tables} tables, about ${rows} rows` };
}
