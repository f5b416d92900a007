/**
 * Runs one `Statement` (lib/commands/sql/) on a mysql2 connection of the MetaDB: rows of a read, or the
 * affected rows of a write; an SQL error becomes a task failure naming the statement (password masked).
 */
import type mysql from 'mysql2/promise';
import type { Statement } from '../../commands/sql/statement.js';
import type { ModuleContext } from '../types.js';
import { sqlError } from './connect.js';

export async function queryRows<T>(ctx: Pick<ModuleContext, 'masker'>, c: mysql.Connection, st: Statement): Promise<T[]> {
  try {
    return (await c.query(st.sql, st.params))[0] as T[];
  } catch (e) {
    throw sqlError(ctx as ModuleContext, e, st.sql);
  }
}

export async function runSql(ctx: Pick<ModuleContext, 'masker'>, c: mysql.Connection, st: Statement): Promise<number> {
  try {
    const [res] = await c.query(st.sql, st.params);
    return Array.isArray(res) ? 0 : (res as mysql.ResultSetHeader).affectedRows;
  } catch (e) {
    throw sqlError(ctx as ModuleContext, e, st.sql);
  }
}
