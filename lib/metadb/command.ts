/**
 * SQL commands of a MetaDB plan and what their failure means. The executor (execute.ts) hands a failed statement
 * back as an output — exit 1, stderr `{"code", "errno", "message"}` (password masked) — so that the failure is
 * judged here, by a pure function a case file can feed.
 */
import type { Statement } from '../commands/sql/statement.js';
import type { ExecResult } from '../connection/types.js';
import { TaskFailedError } from '../errors.js';
import type { PlannedCommand } from '../plan/types.js';

export interface SqlErrorInfo {
  code: string | null;
  errno: number | null;
  message: string;
}

/** One statement as a planned command; `what` names it in messages (default: its first line). */
export function sqlCommand(st: Statement, what?: string): PlannedCommand {
  return { sql: st.sql, params: st.params, what: what ?? st.sql.trim().split('\n')[0]!, failure: (r) => sqlFailure(r, st.sql) };
}

/** The output of a statement the server refused (what execute.ts returns instead of throwing). */
export function sqlErrorOutput(e: unknown, mask: (s: string) => string): ExecResult {
  const err = e as { code?: string; errno?: number; sqlMessage?: string; message?: string };
  const info: SqlErrorInfo = { code: err.code ?? null, errno: err.errno ?? null, message: mask(err.sqlMessage ?? err.message ?? String(e)) };
  return { exitCode: 1, signal: null, stdout: '', stderr: JSON.stringify(info), durationMs: 0, timedOut: false };
}

/** A refused statement as a task failure: the server's message, its code and number, the statement; a hint for error 1093. */
export function sqlFailure(r: ExecResult, sql: string): TaskFailedError {
  let info: SqlErrorInfo;
  try {
    info = JSON.parse(r.stderr) as SqlErrorInfo;
  } catch {
    info = { code: null, errno: null, message: r.stderr.trim() || `exit ${r.exitCode}` };
  }
  const hint = info.errno === 1093 ? 'read the value first (SELECT ... INTO @v, or a registered SELECT), then use it in the DELETE/UPDATE' : undefined;
  return new TaskFailedError(
    `SQL failed: ${info.message}${info.errno ? ` (${info.code} ${info.errno})` : ''} in: ${sql.slice(0, 200)}`,
    { errno: info.errno, code: info.code },
    hint ? { hint } : {},
  );
}
