/**
 * mysql.restore: load a single-database dump into a database, dropping and recreating it first
 * (with its original character set and collation) — but only after the dump was verified: the
 * file exists, is not empty, has the sha256 the dump recorded and ends with the completion
 * trailer. Nothing is dropped for a missing, altered or truncated dump.
 */
import { clientFailure } from '../../commands/mysql-errors.js';
import { dumpCompleted, dumpSelectsDatabase, mysqlBatchArgs, mysqlClientCommand, optionFileContent, parseBatch, restoreCommand } from '../../commands/mysql.js';
import type { FileSummary } from '../../commands/fs.js';
import { recreateDatabase, createDatabase, schemaCharset, tableCounts } from '../../commands/sql/schema.js';
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
    const dump = await ctx.facts.get(fileSummaryFact, { path: args.src, gzip: gzipOf(args), headBytes: 16384 }).catch((e: CommandFailedError) => ({ error: e.details?.stderr?.trim() || e.message }));
    // The database is asked about only for a sound dump: a bad dump fails for what is wrong with it, connecting to nothing.
    if (dump === null || 'error' in dump || dumpProblem(args, dump, ctx.host)) return { dump, schema: null };
    const r = await execPlanned(ctx, schemaQuery(args));
    if (r.exitCode !== 0) throw clientFailure(r, `mysql on ${ctx.host}`, showCommand(schemaQuery(args)));
    const row = parseBatch(r.stdout)[0];
    return { dump, schema: row ? { charset: row[0] ?? null, collation: row[1] ?? null } : null };
  },
  plan: (args, facts, env) => planRestore(args, facts, env.host),
  finish: (outcome) => finishRestore(outcome),
});

const gzipOf = (args: RestoreArgs) => args.gzip ?? args.src.endsWith('.gz');

/** The option file holding the password, in a private directory the executor makes and removes. */
const optionFiles = (args: RestoreArgs) => ({ 'my.cnf': optionFileContent(args.login_password) });

/** The database's character set and collation now (no row: it does not exist). */
function schemaQuery(args: RestoreArgs): PlannedCommand {
  return {
    argv: mysqlClientCommand(mysqlBatchArgs(privateFile('my.cnf'), serverOf(args), schemaCharset(args.database))),
    privateFiles: optionFiles(args),
    okExitCodes: 'any',
  };
}

/**
 * What mysql.restore decides from: the dump file's summary (null: no such file; error: it could not be read) and
 * the database's character set and collation now (null: it does not exist, or the dump was refused before asking).
 */
export interface RestoreFacts {
  dump: FileSummary | null | { error: string };
  schema: { charset: string | null; collation: string | null } | null;
}

/** Why the dump must not be loaded (nothing is dropped then), or null for a sound dump. */
export function dumpProblem(args: RestoreArgs, dump: RestoreFacts['dump'], host: string): TaskFailedError | null {
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
  const problem = dumpProblem(args, facts.dump, host);
  if (problem) throw problem;
  const dump = facts.dump as FileSummary;
  const existed = facts.schema !== null;
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
    msg: `${existed ? `drop ${args.database}, ` : ''}${createDatabase(args.database, charset, collation)} and load ${args.src}`,
  };
  const argv = restoreCommand({
    optionFile: privateFile('my.cnf'),
    server: serverOf(args),
    database: args.database,
    file: args.src,
    gzip: gzipOf(args),
    prelude: recreateDatabase(args.database, charset, collation),
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
  const counts = parseBatch(outputs[0]?.stdout ?? '').at(-1);
  const tables = Number(counts?.[0] ?? 0);
  const rows = Number(counts?.[1] ?? 0);
  return { ...plan.result, tables, rows, duration_ms: Math.round(outputs[0]?.durationMs ?? 0), msg: `restored ${args.database} from ${args.src}: ${tables} tables, about ${rows} rows` };
}
