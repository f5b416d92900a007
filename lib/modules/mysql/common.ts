/**
 * What mysql.dump and mysql.restore share: the server arguments of the schema, the option file
 * in a private directory, and the mysql client for small statements on the target.
 */
import { type MysqlServer, mysqlBatchArgs, mysqlClientCommand, optionFileContent, parseBatch } from '../../commands/mysql.js';
import { quoteArgv } from '../../connection/quote.js';
import { CommandFailedError } from '../../errors.js';
import type { ModuleContext } from '../types.js';
import { type PrivateDir, withPrivateDir } from '../../plan/private-dir.js';

export interface ServerArgs {
  login_host: string;
  login_port?: number;
  login_user: string;
  login_password: string;
}

export const serverProperties = {
  login_host: { type: 'string', description: 'MetaDB host as seen from the host that runs the client.' },
  login_port: { type: 'integer', minimum: 1, maximum: 65535, default: 3306, description: 'MetaDB port.' },
  login_user: { type: 'string', description: 'MetaDB user.' },
  login_password: {
    type: 'string',
    description: 'MetaDB password (mark it !secret in the inventory). Passed in a 0600 option file that is removed afterwards; never on a command line.',
  },
} as const;

export function serverOf(a: ServerArgs): MysqlServer {
  return { host: a.login_host, port: a.login_port ?? 3306, user: a.login_user };
}

export interface ClientSession {
  dir: PrivateDir;
  optionFile: string;
  server: MysqlServer;
  /** Runs SQL with the mysql client on the target; rows as strings. Throws on failure. */
  query(sql: string, database?: string): Promise<Array<Array<string | null>>>;
}

/** Registers the password as a secret, writes the option file, runs `fn`, removes everything. */
export async function withClient<T>(ctx: ModuleContext, a: ServerArgs, fn: (s: ClientSession) => Promise<T>): Promise<T> {
  ctx.masker.add(a.login_password);
  const server = serverOf(a);
  return withPrivateDir(
    ctx,
    async (dir) => {
    const optionFile = `${dir.path}/my.cnf`;
    const session: ClientSession = {
      dir,
      optionFile,
      server,
      async query(sql, database) {
        const argv = mysqlClientCommand(mysqlBatchArgs(optionFile, server, sql, database));
        const r = await ctx.exec({ argv });
        if (r.exitCode !== 0) throw clientError(ctx, argv, r.exitCode, r.stderr, `mysql on ${ctx.host}`);
        return parseBatch(r.stdout);
      },
    };
    return fn(session);
    },
    { name: 'my.cnf', content: optionFileContent(a.login_password) },
  );
}

/** What a failed command said: its stderr, else its exit code or signal. */
export function failureText(r: { exitCode: number | null; signal: string | null; stderr: string; timedOut?: boolean }): string {
  const err = r.stderr.trim();
  const how = r.timedOut ? 'timed out' : r.signal ? `signal ${r.signal}` : `exit ${r.exitCode}`;
  return err ? `${err} (${how})` : how;
}

export function clientError(ctx: ModuleContext, argv: readonly string[], exitCode: number | null, stderr: string, what: string): CommandFailedError {
  const msg = ctx.masker.mask(stderr.trim().split('\n').slice(-3).join('\n'));
  const hint =
    exitCode === 127
      ? 'install the MySQL or MariaDB client on that host (mysqldump/mysql or mariadb-dump/mariadb)'
      : /Access denied/i.test(stderr)
        ? 'check login_user and login_password'
        : /Can't connect|Unknown MySQL server host|Lost connection/i.test(stderr)
          ? 'check login_host/login_port as seen from that host'
          : /errno:? 28\b|Errcode: 28\b|No space left on device/i.test(stderr)
            ? 'the filesystem the file is written to is full (errno 28: no space left on device): free space there or choose another directory'
            : undefined;
  return new CommandFailedError(`${what} failed (exit ${exitCode}): ${msg}`, { command: ctx.masker.mask(quoteArgv(argv)), exitCode, stderr: ctx.masker.mask(stderr) }, { hint });
}
