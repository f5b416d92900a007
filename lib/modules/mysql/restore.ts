/**
 * mysql.restore: load a single-database dump into a database, dropping and recreating it first
 * (with its original character set and collation) — but only after the dump was verified: the
 * file exists, is not empty, has the sha256 the dump recorded and ends with the completion
 * trailer. Nothing is dropped for a missing, altered or truncated dump.
 */
import { dumpCompleted, dumpSelectsDatabase, restoreCommand, sqlIdent, sqlString } from '../../commands/mysql.js';
import { fileSummary, parseFileSummary } from '../../commands/fs.js';
import { TaskFailedError } from '../../errors.js';
import type { ModuleDefinition } from '../types.js';
import { type ServerArgs, clientError, metaDbRequirement, serverArgs, serverProperties, withClient } from './common.js';

export interface RestoreArgs extends ServerArgs {
  src: string;
  database: string;
  sha256?: string;
  verify_sha256?: boolean;
  gzip?: boolean;
  charset?: string;
  collation?: string;
}

export const mysqlRestore: ModuleDefinition<RestoreArgs> = {
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

  async run(given, ctx) {
    // `metadb: {host, port, user, password}` or the login_* arguments: the code below reads login_*.
    const args = serverArgs(given);
    ctx.masker.add(args.login_password);
    const gzip = args.gzip ?? args.src.endsWith('.gz');
    const base = { database: args.database, src: args.src };
    // 1. Verify the dump before anything else.
    const sumR = await ctx.exec({ argv: fileSummary(args.src, { gzip, headBytes: 16384 }) });
    if (sumR.exitCode !== 0) {
      throw new TaskFailedError(`cannot read the dump ${args.src} on ${ctx.host}: ${sumR.stderr.trim() || `exit ${sumR.exitCode}`}; nothing was dropped`, base);
    }
    const sum = parseFileSummary(sumR.stdout);
    const verified = { ...base, size: sum.size, sha256: sum.sha256 };
    if (sum.size === 0) throw new TaskFailedError(`the dump ${args.src} is empty; nothing was dropped`, verified);
    if (args.verify_sha256 !== false && sum.sha256 !== args.sha256) {
      throw new TaskFailedError(`the dump ${args.src} has sha256 ${sum.sha256}, expected ${args.sha256}; nothing was dropped`, verified, {
        hint: 'the file changed since it was dumped (or names another dump)',
      });
    }
    if (!dumpCompleted(sum.tail)) {
      throw new TaskFailedError(`the dump ${args.src} is truncated (no "-- Dump completed" trailer); nothing was dropped`, verified);
    }
    if (dumpSelectsDatabase(sum.head ?? '')) {
      throw new TaskFailedError(`the dump ${args.src} selects its own database(s) (made with --databases); nothing was dropped`, verified, {
        hint: 'restore a dump of one database made without --databases (mysql.dump with a single database)',
      });
    }

    return withClient(ctx, args, async (s) => {
      // 2. The database's character set and collation, before it is dropped.
      const rows = await s.query(
        `SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${sqlString(args.database)}`,
      );
      const existed = rows.length > 0;
      const charset = args.charset ?? rows[0]?.[0] ?? undefined;
      const collation = args.collation ?? (args.charset ? undefined : (rows[0]?.[1] ?? undefined));
      const create = `CREATE DATABASE ${sqlIdent(args.database)}${charset ? ` CHARACTER SET ${charset}` : ''}${collation ? ` COLLATE ${collation}` : ''}`;
      if (ctx.check) {
        return {
          changed: true,
          ...verified,
          charset: charset ?? null,
          collation: collation ?? null,
          existed_before: existed,
          msg: `dump verified; would ${existed ? `drop ${args.database}, ` : ''}${create} and load ${args.src}`,
        };
      }
      // 3. Drop and recreate, then load (one command).
      const prelude = `DROP DATABASE IF EXISTS ${sqlIdent(args.database)}; ${create}`;
      const argv = restoreCommand({ optionFile: s.optionFile, server: s.server, database: args.database, file: args.src, gzip, prelude });
      const r = await ctx.exec({ argv });
      if (r.exitCode !== 0) {
        const e = clientError(ctx, argv, r.exitCode, r.stderr, `loading ${args.src} into ${args.database} (the database was recreated and is now partly loaded)`);
        throw new TaskFailedError(e.message, { ...verified, charset: charset ?? null, collation: collation ?? null, existed_before: existed }, {
          hint: 'fix the cause and run the restore again: it verifies the dump and recreates the database from scratch',
          cause: e,
        });
      }
      const counts = await s.query(
        `SELECT COUNT(*), COALESCE(SUM(TABLE_ROWS), 0) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${sqlString(args.database)} AND TABLE_TYPE = 'BASE TABLE'`,
      );
      const tables = Number(counts[0]?.[0] ?? 0);
      const nrows = Number(counts[0]?.[1] ?? 0);
      return {
        changed: true,
        ...verified,
        charset: charset ?? null,
        collation: collation ?? null,
        existed_before: existed,
        tables,
        rows: nrows,
        duration_ms: Math.round(r.durationMs),
        msg: `restored ${args.database} from ${args.src}: ${tables} tables, about ${nrows} rows`,
      };
    });
  },
};
