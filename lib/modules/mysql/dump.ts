/**
 * mysql.dump: mysqldump (or mariadb-dump) on the task's host into a file, verified before it
 * takes its final name: exit code, size > 0, the `-- Dump completed` trailer, sha256 (computed
 * while the dump streams, in the same command: one round trip, one pass over the data).
 */
import { randomBytes } from 'node:crypto';
import { dumpCommand, dumpCompleted, mysqldumpArgs, optionFileContent } from '../../commands/mysql.js';
import { move, parseFileSummary, pathExists } from '../../commands/fs.js';
import { TaskFailedError } from '../../errors.js';
import type { ModuleDefinition } from '../types.js';
import { type ServerArgs, clientError, failureText, metaDbRequirement, serverArgs, serverOf, serverProperties } from './common.js';

export interface DumpArgs extends ServerArgs {
  databases: string | string[];
  dest: string;
  triggers?: boolean;
  single_transaction?: boolean;
  gzip?: boolean;
  overwrite?: boolean;
  extra_args?: string[];
}

export const mysqlDump: ModuleDefinition<DumpArgs> = {
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

  async run(given, ctx) {
    // `metadb: {host, port, user, password}` or the login_* arguments: the code below reads login_*.
    const args = serverArgs(given);
    const databases = typeof args.databases === 'string' ? [args.databases] : args.databases;
    const base = { path: args.dest, databases, gzip: Boolean(args.gzip) };
    ctx.masker.add(args.login_password);
    if (ctx.check) {
      const exists = (await ctx.exec({ argv: pathExists(args.dest) })).exitCode === 0;
      if (exists && !args.overwrite) throw existsError(args.dest, ctx.host, base);
      return { changed: true, ...base, msg: `would dump ${databases.join(', ')} from ${args.login_host}:${args.login_port ?? 3306} to ${args.dest}` };
    }
    // The option file's directory is named here so that it can be removed from here too after an interrupt.
    const privDir = `/tmp/omsplay.${randomBytes(6).toString('hex')}`;
    const partial = `${args.dest}.partial`;
    const argv = dumpCommand({
      args: mysqldumpArgs({
        optionFile: `${privDir}/my.cnf`,
        server: serverOf(args),
        databases,
        triggers: args.triggers,
        singleTransaction: args.single_transaction,
        extraArgs: args.extra_args,
      }),
      dest: args.dest,
      privDir,
      overwrite: args.overwrite,
      gzip: args.gzip,
    });
    const stopProgress = pollProgress(ctx, partial, databases);
    let r: Awaited<ReturnType<typeof ctx.exec>> | undefined;
    try {
      r = await ctx.exec({ argv }, { stdin: optionFileContent(args.login_password) });
    } finally {
      await stopProgress();
      // Normally the command removed both itself. Through the connection, not ctx.exec: after Ctrl-C the
      // task's signal is aborted, and the option file and the partial dump must still go.
      if (r?.exitCode !== 0) {
        await ctx.conn.exec({ argv: ['rm', '-rf', '--', privDir, partial] }, { become: ctx.become, timeoutMs: 15_000 }).catch(() => undefined);
      }
    }
    const refused = /^@@refused (.*)$/m.exec(r.stdout);
    if (r.exitCode === 2 && refused) {
      if (refused[1] === 'exists') throw existsError(args.dest, ctx.host, base);
      const what = refused[1] === 'mkdir' ? `cannot create the directory of ${args.dest}` : 'cannot create a private temporary directory';
      throw new TaskFailedError(`${what} on ${ctx.host}: ${failureText(r)}`, base);
    }
    if (r.exitCode !== 0) {
      if (ctx.signal.aborted) throw new TaskFailedError(`mysqldump of ${databases.join(', ')} interrupted; the partial dump was removed`, base);
      throw clientError(ctx, argv, r.exitCode, r.stderr, `mysqldump of ${databases.join(', ')}`);
    }
    const sum = parseFileSummary(r.stdout);
    const completed = dumpCompleted(sum.tail);
    if (sum.size === 0 || !completed) {
      await ctx.conn.exec({ argv: ['rm', '-f', '--', partial] }, { become: ctx.become, timeoutMs: 15_000 }).catch(() => undefined);
      throw new TaskFailedError(`the dump of ${databases.join(', ')} is ${sum.size === 0 ? 'empty' : 'incomplete (no "-- Dump completed" trailer)'}`, {
        ...base,
        size: sum.size,
        completed,
      });
    }
    const mv = await ctx.exec({ argv: move(partial, args.dest) });
    if (mv.exitCode !== 0) throw new TaskFailedError(`cannot rename ${partial} to ${args.dest} on ${ctx.host}: ${failureText(mv)}`, base);
    ctx.progress({ done: sum.size, total: sum.size, unit: 'bytes', message: `dumped ${databases.join(', ')}` });
    return {
      changed: true,
      ...base,
      size: sum.size,
      sha256: sum.sha256,
      completed,
      duration_ms: Math.round(r.durationMs),
      stderr: ctx.masker.mask(r.stderr),
      msg: `dumped ${databases.join(', ')} to ${args.dest} (${sum.size} bytes, sha256 ${sum.sha256.slice(0, 12)}…)`,
    };
  },
};

function existsError(dest: string, host: string, base: Record<string, unknown>): TaskFailedError {
  return new TaskFailedError(`${dest} already exists on ${host}`, base, { hint: 'choose another dest (one directory per run) or set overwrite: true' });
}

/**
 * Progress while mysqldump runs: the partial file's size, one cheap stat a second. Returns the function that
 * stops it (at once: a small dump must not wait a second).
 */
function pollProgress(ctx: Parameters<typeof mysqlDump.run>[1], partial: string, databases: string[]): () => Promise<void> {
  let polling = true;
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
      const r = await ctx.exec({ argv: ['stat', '-c', '%s', '--', partial] }).catch(() => null);
      const n = r && r.exitCode === 0 ? Number(r.stdout.trim()) : Number.NaN;
      if (polling && Number.isFinite(n)) ctx.progress({ done: n, unit: 'bytes', message: `dumping ${databases.join(', ')}` });
    }
  })();
  return async () => {
    polling = false;
    wake();
    await poll;
  };
}
