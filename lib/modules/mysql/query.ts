/**
 * mysql.query: SQL statements with mysql2 from the control node (directly or tunnelled over an
 * inventory host), parameters bound by the driver, optionally in one transaction.
 */
import type { SqlValue } from '../../commands/sql/statement.js';
import { sqlCommand } from '../../metadb/command.js';
import { type SqlOutput, defineMetaDbPlanModule, sqlOutput } from '../../metadb/execute.js';
import type { Plan, PlanOutcome } from '../../plan/types.js';
import { type MetaDbArgs, metaDbProperties, metaDbRequirement } from '../../metadb/connect.js';
import { flattenMetaDb } from '../../metadb/connection-object.js';
import { type StatementKind, runsInCheckMode, statementKind } from '../../commands/sql/statement-kind.js';

type Param = SqlValue;

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

/**
 * What mysql.query decides from: when every statement only reads (or sets session state), they ran while the
 * facts were gathered — reads are facts, and they run under --check too (a later task may need their rows) —
 * and `reads` holds their outputs; otherwise `reads` is null and the statements are the plan's commands.
 */
export interface QueryFacts {
  reads: SqlOutput[] | null;
}

const listOf = (args: QueryArgs) => args.statements.map((s) => (typeof s === 'string' ? { sql: s, params: [] as Param[] } : { sql: s.sql, params: s.params ?? [] }));

/** True when the statements change nothing: they run as facts, in check mode as well. */
export function onlyReads(args: QueryArgs): boolean {
  return listOf(args).every((s) => runsInCheckMode(statementKind(s.sql)));
}

const firstLine = (sql: string) => sql.trim().split('\n')[0]!;

/** The result of statements that ran, one output each. */
function ranResult(args: QueryArgs, outputs: SqlOutput[]): Record<string, unknown> {
  const results: StatementResult[] = listOf(args).map((s, i) => {
    const kind = statementKind(s.sql);
    const out = { ...outputs[i] };
    // SELECT ... INTO @v answers with an OK packet counting 1 "affected" row: not a change.
    if (runsInCheckMode(kind)) delete out.affected_rows;
    return { sql: s.sql, kind, ...out };
  });
  const withRows = results.filter((r) => r.rows);
  const affected = results.reduce((n, r) => n + (r.affected_rows ?? 0), 0);
  return {
    changed: results.some(statementChanged),
    rows: withRows.length ? withRows[withRows.length - 1]!.rows : [],
    affected_rows: affected,
    results,
    msg: `${results.length} statement(s), ${affected} row(s) affected`,
  };
}

/** The statements as commands (in one transaction when asked), or nothing when they were reads that already ran. */
export function planQuery(args: QueryArgs, facts: QueryFacts): Plan {
  if (facts.reads) {
    const { changed: _c, ...result } = ranResult(args, facts.reads);
    return { commands: [], result };
  }
  const list = listOf(args);
  const statements = list.map((s) => sqlCommand(s));
  const tx = (sql: string) => sqlCommand({ sql, params: [] });
  const writes = list.filter((s) => !runsInCheckMode(statementKind(s.sql))).map((s) => firstLine(s.sql));
  return {
    commands: args.transaction ? [tx('START TRANSACTION'), ...statements, tx('COMMIT')] : statements,
    result: {
      rows: [],
      affected_rows: 0,
      results: list.map((s) => ({ sql: s.sql, kind: statementKind(s.sql), skipped: true })),
      msg: `run ${writes.length} statement(s): ${writes.join('; ')}`,
    },
  };
}

/** After the statements ran: rows, affected rows, and `changed` only when a statement changed something. */
export function finishQuery({ args, outputs }: PlanOutcome<QueryFacts, QueryArgs>): Record<string, unknown> {
  const own = args.transaction ? outputs.slice(1, -1) : outputs;
  return ranResult(args, own.map(sqlOutput));
}

const paramSchema = { type: ['string', 'number', 'boolean', 'null'] };

export const mysqlQuery = defineMetaDbPlanModule<QueryArgs, QueryFacts>({
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
  // `metadb: {host, port, user, password, via}` or the login_* arguments: gather and plan read login_*.
  normalize: flattenMetaDb,
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

  async gather(args, ctx) {
    if (!onlyReads(args)) return { reads: null };
    const reads: SqlOutput[] = [];
    for (const s of listOf(args)) reads.push(await ctx.db.output(s));
    return { reads };
  },
  plan: (args, facts) => planQuery(args, facts),
  finish: (outcome) => finishQuery(outcome),
});
