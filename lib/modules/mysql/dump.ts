/**
 * mysql.dump: mysqldump (or mariadb-dump) on the task's host into a file, verified before it
 * takes its final name: exit code, size > 0, the `-- Dump completed` trailer, sha256.
 */
import { dumpCommand, dumpCompleted, mysqldumpArgs } from '../../commands/mysql.js';
import { fileSummary, makeDir, move, parseFileSummary, pathExists } from '../../commands/fs.js';
import { TaskFailedError } from '../../errors.js';
import type { ModuleDefinition } from '../types.js';
import { type ServerArgs, clientError, failureText, serverProperties, withClient } from './common.js';

export interface DumpArgs extends ServerArgs {
  databases: string | string[];
  dest: string;
  triggers?: boolean;
  single_transaction?: boolean;
  gzip?: boolean;
  overwrite?: boolean;
  extra_args?: string[];
}

function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? (i === 0 ? '/' : '.') : p.slice(0, i);
}

export const mysqlDump: ModuleDefinition<DumpArgs> = {
  name: 'mysql.dump',
  summary: 'Dump one or more databases with mysqldump on the host into a 0600 file, verified (size, completion trailer, sha256).',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['login_host', 'login_user', 'login_password', 'databases', 'dest'],
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

  async run(args, ctx) {
    const databases = typeof args.databases === 'string' ? [args.databases] : args.databases;
    const base = { path: args.dest, databases, gzip: Boolean(args.gzip) };
    ctx.masker.add(args.login_password);
    const exists = (await ctx.exec({ argv: pathExists(args.dest) })).exitCode === 0;
    if (exists && !args.overwrite) {
      throw new TaskFailedError(`${args.dest} already exists on ${ctx.host}`, base, { hint: 'choose another dest (one directory per run) or set overwrite: true' });
    }
    if (ctx.check) {
      return { changed: true, ...base, msg: `would dump ${databases.join(', ')} from ${args.login_host}:${args.login_port ?? 3306} to ${args.dest}` };
    }
    const dir = dirname(args.dest);
    const mk = await ctx.exec({ argv: makeDir(dir) });
    if (mk.exitCode !== 0) throw new TaskFailedError(`cannot create ${dir} on ${ctx.host}: ${failureText(mk)}`, base);

    const partial = `${args.dest}.partial`;
    return withClient(ctx, args, async (s) => {
      const argv = dumpCommand({
        args: mysqldumpArgs({
          optionFile: s.optionFile,
          server: s.server,
          databases,
          triggers: args.triggers,
          singleTransaction: args.single_transaction,
          resultFile: args.gzip ? undefined : partial,
          extraArgs: args.extra_args,
        }),
        partial,
        gzip: args.gzip,
        rcFile: `${s.dir.path}/rc`,
      });
      // Progress: the partial file's size, polled while mysqldump runs (one cheap stat per second).
      let polling = true;
      // The wait between stats ends as soon as mysqldump does (a small dump must not wait a second).
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
      let r: Awaited<ReturnType<typeof ctx.exec>>;
      try {
        r = await ctx.exec({ argv });
      } finally {
        polling = false;
        wake();
        await poll;
      }
      // Through the connection itself: after Ctrl-C the task's signal is aborted, and the partial file must still go.
      const cleanup = () => ctx.conn.exec({ argv: ['rm', '-f', '--', partial] }, { become: ctx.become, timeoutMs: 15_000 }).catch(() => undefined);
      if (r.exitCode !== 0) {
        await cleanup();
        if (ctx.signal.aborted) throw new TaskFailedError(`mysqldump of ${databases.join(', ')} interrupted; the partial dump was removed`, base);
        throw clientError(ctx, argv, r.exitCode, r.stderr, `mysqldump of ${databases.join(', ')}`);
      }
      const sumR = await ctx.exec({ argv: fileSummary(partial, { gzip: args.gzip }) });
      if (sumR.exitCode !== 0) {
        await cleanup();
        throw new TaskFailedError(`cannot verify the dump ${partial} on ${ctx.host}: ${failureText(sumR)}`, base);
      }
      const sum = parseFileSummary(sumR.stdout);
      const completed = dumpCompleted(sum.tail);
      if (sum.size === 0 || !completed) {
        await cleanup();
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
    });
  },
};
