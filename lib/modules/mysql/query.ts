/**
 * mysql.query: SQL statements with mysql2 from the control node (directly or tunnelled over an
 * inventory host), parameters bound by the driver, optionally in one transaction.
 */
import type mysql from 'mysql2/promise';
import type { ModuleDefinition, ModuleResult } from '../types.js';
import { type MetaDbArgs, metaDbProperties, metaDbRequirement, sqlError, withMetaDb } from './connect.js';
import { type StatementKind, runsInCheckMode, statementKind } from './statements.js';

type Param = string | number | boolean | null;

export interface QueryArgs extends MetaDbArgs {
  statements: Array<string | { sql: string; params?: Param[] }>;
  transaction?: boolean;
}

export interface StatementResult {
  sql: string;
  kind: StatementKind;
  skipped?: boolean;
  rows?: Record<string, unknown>[];
  affected_rows?: number;
  insert_id?: number;
}

/** `changed` of one statement: DDL always; DML and unknown statements when they touched rows. */
export function statementChanged(r: StatementResult): boolean {
  if (r.skipped) return false;
  if (r.kind === 'ddl') return true;
  if (r.kind === 'dml' || r.kind === 'other') return (r.affected_rows ?? 0) > 0;
  return false;
}

export async function runStatement(c: mysql.Connection, sql: string, params: Param[] | undefined): Promise<Omit<StatementResult, 'sql' | 'kind'>> {
  // query (client-side escaping of `?`) rather than execute: it accepts every statement type,
  // including those the server cannot prepare (e.g. some SHOW and DDL).
  const [res] = await c.query(sql, params ?? []);
  if (Array.isArray(res)) return { rows: (res as Record<string, unknown>[]).map(plainRow) };
  const h = res as mysql.ResultSetHeader;
  return { affected_rows: h.affectedRows, insert_id: h.insertId };
}

/** Rows as plain JSON values (binary columns as UTF-8 text), so `register` and the journal can keep them. */
function plainRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'bigint' ? v.toString() : v;
  return out;
}

const paramSchema = { type: ['string', 'number', 'boolean', 'null'] };

export const mysqlQuery: ModuleDefinition<QueryArgs> = {
  name: 'mysql.query',
  summary: 'Run SQL statements on the MetaDB with mysql2 from the control node (direct or through an SSH tunnel), with bound parameters.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['statements'],
    ...metaDbRequirement,
    properties: {
      ...metaDbProperties,
      database: { type: 'string', description: 'Default database of the session.' },
      statements: {
        type: 'array',
        minItems: 1,
        description: 'Statements in order. A string, or {sql, params} with `?` placeholders bound by the driver (never pasted into the SQL).',
        items: {
          oneOf: [
            { type: 'string' },
            {
              type: 'object',
              additionalProperties: false,
              required: ['sql'],
              properties: { sql: { type: 'string' }, params: { type: 'array', items: paramSchema } },
            },
          ],
        },
      },
      transaction: { type: 'boolean', default: false, description: 'Run all statements in one transaction (rolled back when one fails).' },
    },
  },
  checkMode: 'full',
  changedMeans: 'a DDL statement ran, or a DML statement affected at least one row. Reads never change.',
  result: [
    { name: 'rows', description: 'Rows of the last statement that returned rows (list of column->value maps).' },
    { name: 'affected_rows', description: 'Sum of affected rows of all statements.' },
    { name: 'results', description: 'Per statement: {sql, kind (read|dml|ddl|session|transaction|other), rows | affected_rows, insert_id, skipped}.' },
  ],
  example: `# The vendor's "delete ... where id < (select max(id) ...)" is refused by MySQL (error 1093).
# Read the highest id first, in the same session, then delete below it:
- name: Clean up the heartbeat table (step 2.2)
  mysql.query:
    login_host: "{{ metadb.host }}"
    login_port: "{{ metadb.port }}"
    login_user: "{{ metadb.user }}"
    login_password: "{{ metadb.password }}"
    database: "{{ hb_db }}"
    transaction: true
    statements:
      - "SELECT MAX(id) INTO @hb_max FROM heatbeat_sequence"
      - "DELETE FROM heatbeat_sequence WHERE id < @hb_max"
  register: cleanup

- name: Read with bound parameters, tunnelled over an OMS host
  mysql.query:
    login_host: 10.0.0.5
    login_user: oms
    login_password: "{{ metadb.password }}"
    via: oms-hz-1
    statements:
      - {sql: "SELECT ip FROM oms_cm.host WHERE ip = ?", params: ["{{ address }}"]}
  register: q`,

  async run(args, ctx) {
    const list = args.statements.map((s) => (typeof s === 'string' ? { sql: s, params: undefined } : s));
    return withMetaDb(ctx, args, async (c) => {
      const results: StatementResult[] = [];
      const skipped: string[] = [];
      if (args.transaction && !ctx.check) await c.beginTransaction();
      try {
        for (const s of list) {
          const kind = statementKind(s.sql);
          if (ctx.check && !runsInCheckMode(kind)) {
            results.push({ sql: s.sql, kind, skipped: true });
            skipped.push(s.sql);
            continue;
          }
          try {
            const out = await runStatement(c, s.sql, s.params);
            // SELECT ... INTO @v answers with an OK packet counting 1 "affected" row: not a change.
            if (runsInCheckMode(kind)) delete out.affected_rows;
            results.push({ sql: s.sql, kind, ...out });
          } catch (e) {
            throw sqlError(ctx, e, s.sql);
          }
        }
        if (args.transaction && !ctx.check) await c.commit();
      } catch (e) {
        if (args.transaction && !ctx.check) await c.rollback().catch(() => undefined);
        throw e;
      }
      const withRows = results.filter((r) => r.rows);
      const affected = results.reduce((n, r) => n + (r.affected_rows ?? 0), 0);
      const changed = results.some(statementChanged);
      const res: ModuleResult = {
        changed: ctx.check ? skipped.length > 0 : changed,
        rows: withRows.length ? withRows[withRows.length - 1]!.rows : [],
        affected_rows: affected,
        results,
        msg: ctx.check
          ? skipped.length
            ? `would run ${skipped.length} statement(s): ${skipped.map((s) => s.split('\n')[0]).join('; ')}`
            : 'only reads'
          : `${results.length} statement(s), ${affected} row(s) affected`,
      };
      return res;
    });
  },
};
