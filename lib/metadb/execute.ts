/**
 * The executor of plans on the MetaDB (the mysql2 path of lib/commands/sql/statement.ts). One session serves the
 * whole task: gather() reads through it, the plan's SQL commands run in it in order (session variables such as
 * `SELECT ... INTO @v` and an open transaction carry from one command to the next), a regather reads in it again,
 * and it is closed afterwards. When a command fails, whatever an open transaction did is rolled back. Under --check
 * only gather() runs, as for every planning module (lib/plan/execute.ts runPlan does the rest).
 */
import type mysql from 'mysql2/promise';
import type { Statement } from '../commands/sql/statement.js';
import type { ExecResult } from '../connection/types.js';
import type { ModuleContext, ModuleDefinition, ModuleResult } from '../modules/types.js';
import { type MetaDbArgs, sqlError, withMetaDb } from './connect.js';
import { planEnv, runPlan } from '../plan/execute.js';
import { sqlErrorOutput } from './command.js';
import { FactCache } from '../plan/facts.js';
import type { GatherContext, PlanModuleDefinition, PlanParts, PlannedCommand } from '../plan/types.js';

/** Reads and writes of one MetaDB session. */
export interface MetaDbSession {
  /** Rows of a read (column -> value; binary columns as UTF-8 text, BIGINT beyond 2^53 as text). */
  rows<T = Record<string, unknown>>(st: Statement): Promise<T[]>;
  /** Any statement: its rows, or its affected rows and insert id. */
  output(st: Statement): Promise<SqlOutput>;
}

export type MetaDbGatherContext = GatherContext & { db: MetaDbSession };

export interface MetaDbPlanParts<A, F> extends Omit<PlanParts<A, F>, 'gather'> {
  gather(args: A, ctx: MetaDbGatherContext): Promise<F>;
}

/**
 * What an SQL command printed, as the executor hands it to finish(): stdout is JSON, `{"rows": [...]}` for a
 * statement that returned rows, else `{"affected_rows": n, "insert_id": n}`.
 */
export interface SqlOutput {
  rows?: Record<string, unknown>[];
  affected_rows?: number;
  insert_id?: number;
}

export function sqlOutput(r: ExecResult): SqlOutput {
  return r.stdout ? (JSON.parse(r.stdout) as SqlOutput) : {};
}

/** A planning module whose facts and commands are SQL on the MetaDB; its arguments name the MetaDB (MetaDbArgs). */
export function defineMetaDbPlanModule<A extends MetaDbArgs, F>(def: Omit<ModuleDefinition<A>, 'run'> & MetaDbPlanParts<A, F>): PlanModuleDefinition<A, F> {
  const m = { ...def, run: (args: A, ctx: ModuleContext) => executeMetaDbPlan(m, def.normalize ? def.normalize(args) : args, ctx) } as PlanModuleDefinition<A, F>;
  return m;
}

async function executeMetaDbPlan<A extends MetaDbArgs, F>(m: MetaDbPlanParts<A, F>, args: A, ctx: ModuleContext): Promise<ModuleResult> {
  return withMetaDb(ctx, args, async (c) => {
    const db: MetaDbSession = {
      rows: async <T>(st: Statement) => {
        const res = await query(ctx, c, st);
        return (Array.isArray(res) ? res : []) as T[];
      },
      output: async (st) => outputOf(await query(ctx, c, st)),
    };
    const facts = ctx.facts ?? new FactCache().reader(ctx.host, () => Promise.reject(new Error('no host facts in a MetaDB module')));
    try {
      return await runPlan(
        m as PlanParts<A, F>,
        args,
        {
          gather: () => m.gather(args, { ...ctx, facts, db }),
          run: (cmd) => runSql(ctx, c, cmd),
          invalidate: () => undefined,
        },
        { check: ctx.check, diff: ctx.diff, env: planEnv(ctx) },
      );
    } catch (e) {
      // ROLLBACK without an open transaction does nothing; with one, it undoes the commands that ran.
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  });
}

async function query(ctx: ModuleContext, c: mysql.Connection, st: Statement): Promise<Record<string, unknown>[] | mysql.ResultSetHeader> {
  try {
    return await rawQuery(c, st);
  } catch (e) {
    throw sqlError(ctx, e, st.sql);
  }
}

async function rawQuery(c: mysql.Connection, st: Statement): Promise<Record<string, unknown>[] | mysql.ResultSetHeader> {
  // query (client-side escaping of `?`) rather than execute: it accepts every statement type,
  // including those the server cannot prepare (e.g. some SHOW and DDL).
  const [res] = await c.query(st.sql, [...st.params]);
  return Array.isArray(res) ? (res as Record<string, unknown>[]).map(plainRow) : (res as mysql.ResultSetHeader);
}

async function runSql(ctx: ModuleContext, c: mysql.Connection, cmd: PlannedCommand): Promise<ExecResult> {
  if (!('sql' in cmd)) throw new Error('a MetaDB plan holds SQL commands only');
  const started = performance.now();
  let res: Awaited<ReturnType<typeof query>>;
  try {
    res = await rawQuery(c, cmd);
  } catch (e) {
    if (!(e as { sqlMessage?: string }).sqlMessage) throw e; // not the server's answer (connection lost...)
    return { ...sqlErrorOutput(e, (s) => ctx.masker.mask(s)), durationMs: performance.now() - started };
  }
  const out = outputOf(res);
  return { exitCode: 0, signal: null, stdout: JSON.stringify(out), stderr: '', durationMs: performance.now() - started, timedOut: false };
}

function outputOf(res: Record<string, unknown>[] | mysql.ResultSetHeader): SqlOutput {
  return Array.isArray(res) ? { rows: res } : { affected_rows: res.affectedRows, insert_id: res.insertId };
}

/** Rows as plain JSON values (binary columns as UTF-8 text), so `register` and the journal can keep them. */
function plainRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'bigint' ? v.toString() : v;
  return out;
}
