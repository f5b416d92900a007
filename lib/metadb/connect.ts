/**
 * MetaDB connections from the control node with mysql2: directly (login_host/login_port) or
 * through an SSH tunnel over an inventory host (`via`), for the networks where only the OMS hosts
 * reach the MetaDB. Shared by mysql.query, oms.param and oms.servers.
 */
import type mysql from 'mysql2/promise';
import { TaskFailedError, UnreachableError } from '../errors.js';
import type { ModuleContext } from '../modules/types.js';
import { flattenMetaDb, type MetaDbConnection, metaDbObjectSchema } from './connection-object.js';

export { metaDbRequirement } from './connection-object.js';

export interface MetaDbArgs {
  /** The connection as one object (connection-object.ts); spread into the login_* fields before use. */
  metadb?: MetaDbConnection;
  login_host: string;
  login_port?: number;
  login_user: string;
  login_password: string;
  /** Database to select (optional). */
  database?: string;
  /** Inventory host to tunnel through (its SSH connection forwards to login_host:login_port). */
  via?: string;
  connect_timeout?: number;
}

export const metaDbProperties = {
  metadb: metaDbObjectSchema,
  login_host: { type: 'string', description: 'MetaDB host (as seen from the control node, or from `via` when given).' },
  login_port: { type: 'integer', minimum: 1, maximum: 65535, default: 3306, description: 'MetaDB port.' },
  login_user: { type: 'string', description: 'MetaDB user.' },
  login_password: { type: 'string', description: 'MetaDB password (mark it !secret); sent only inside the MySQL protocol.' },
  via: { type: 'string', description: 'Inventory host whose SSH connection tunnels to the MetaDB (when the control node cannot reach it directly).' },
  connect_timeout: { type: 'integer', minimum: 1, default: 10, description: 'Seconds to wait for the connection.' },
} as const;

export async function connectMetaDb(ctx: ModuleContext, args: MetaDbArgs): Promise<mysql.Connection> {
  const a = flattenMetaDb(args);
  ctx.masker.add(a.login_password);
  const port = a.login_port ?? 3306;
  const where = a.via ? `${a.login_host}:${port} via ${a.via}` : `${a.login_host}:${port}`;
  let stream: unknown;
  if (a.via) {
    const conn = await ctx.connectionFor(a.via);
    if (!conn.forward) throw new TaskFailedError(`host ${a.via} cannot tunnel (its connection has no port forwarding)`, {});
    try {
      stream = await conn.forward(a.login_host, port);
    } catch (e) {
      // The tunnel host answered but could not reach the MetaDB: a task failure, not an unreachable host.
      if (e instanceof UnreachableError) throw e;
      throw new TaskFailedError(`cannot open a tunnel to ${where}: ${ctx.masker.mask((e as Error).message)}`, {}, {
        hint: `check that ${a.via} reaches ${a.login_host}:${port}`,
        cause: e,
      });
    }
  }
  // mysql2 is loaded on first use: importing the module registry must stay cheap.
  const { createConnection } = (await import('mysql2/promise')).default;
  try {
    return await createConnection({
      host: a.login_host,
      port,
      user: a.login_user,
      password: a.login_password,
      database: a.database,
      connectTimeout: (a.connect_timeout ?? 10) * 1000,
      stream,
      // Dates as the server writes them: no time-zone conversion on the control node.
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: false,
      multipleStatements: false,
    });
  } catch (e) {
    const err = e as { code?: string; message?: string };
    const hint =
      err.code === 'ER_ACCESS_DENIED_ERROR'
        ? 'check login_user and login_password'
        : err.code === 'ECONNREFUSED' || err.code === 'ETIMEDOUT' || err.code === 'EHOSTUNREACH'
          ? a.via
            ? `check that ${a.via} reaches ${a.login_host}:${port}`
            : 'check login_host/login_port, or tunnel with `via: <host>`'
          : undefined;
    throw new TaskFailedError(`cannot connect to the MetaDB at ${where}: ${ctx.masker.mask(err.message ?? String(e))}`, {}, { hint, cause: e });
  }
}

/** Runs `fn` with a connection that is always closed afterwards. */
export async function withMetaDb<T>(ctx: ModuleContext, a: MetaDbArgs, fn: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const c = await connectMetaDb(ctx, a);
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => c.destroy());
  }
}

/** An SQL error as a task failure (MySQL code and number kept), password masked. */
export function sqlError(ctx: ModuleContext, e: unknown, sql: string): TaskFailedError {
  const err = e as { code?: string; errno?: number; sqlMessage?: string; message?: string };
  const hint = err.errno === 1093 ? 'read the value first (SELECT ... INTO @v, or a registered SELECT), then use it in the DELETE/UPDATE' : undefined;
  return new TaskFailedError(
    `SQL failed: ${ctx.masker.mask(err.sqlMessage ?? err.message ?? String(e))}${err.errno ? ` (${err.code} ${err.errno})` : ''} in: ${ctx.masker.mask(sql.slice(0, 200))}`,
    { errno: err.errno ?? null, code: err.code ?? null },
    { hint, cause: e },
  );
}
