/** What a SQL statement is, from its first keyword: check mode runs only reads; `changed` depends on the kind. */

export type StatementKind = 'read' | 'dml' | 'ddl' | 'session' | 'transaction' | 'other';

const READ = new Set(['SELECT', 'SHOW', 'DESCRIBE', 'DESC', 'EXPLAIN', 'HELP', 'USE', 'VALUES', 'TABLE', 'CHECKSUM']);
const DML = new Set(['INSERT', 'UPDATE', 'DELETE', 'REPLACE', 'LOAD', 'MERGE', 'CALL', 'DO', 'HANDLER']);
const DDL = new Set(['CREATE', 'ALTER', 'DROP', 'TRUNCATE', 'RENAME', 'GRANT', 'REVOKE', 'OPTIMIZE', 'ANALYZE', 'REPAIR', 'FLUSH']);
const TX = new Set(['BEGIN', 'START', 'COMMIT', 'ROLLBACK', 'SAVEPOINT', 'RELEASE']);

/** Strips leading comments, blanks and opening parentheses. */
function head(sql: string): string {
  let s = sql;
  for (;;) {
    const t = s.replace(/^\s+/, '').replace(/^\(+/, '');
    if (t.startsWith('--') || t.startsWith('#')) {
      const nl = t.indexOf('\n');
      s = nl < 0 ? '' : t.slice(nl + 1);
    } else if (t.startsWith('/*') && !t.startsWith('/*!')) {
      const end = t.indexOf('*/');
      s = end < 0 ? '' : t.slice(end + 2);
    } else return t;
  }
}

export function statementKind(sql: string): StatementKind {
  const h = head(sql);
  const word = (/^[A-Za-z]+/.exec(h)?.[0] ?? '').toUpperCase();
  if (word === 'SELECT' || word === 'TABLE' || word === 'VALUES') {
    // SELECT ... INTO OUTFILE/DUMPFILE writes a file; INTO @var only sets a session variable.
    return /\bINTO\s+(OUTFILE|DUMPFILE)\b/i.test(h) ? 'other' : 'read';
  }
  if (word === 'WITH') {
    // A CTE in front of UPDATE/DELETE/INSERT is DML.
    return /\b(UPDATE|DELETE|INSERT|REPLACE)\b/i.test(h) ? 'dml' : 'read';
  }
  if (word === 'SET') return /^SET\s+(GLOBAL|PERSIST|PERSIST_ONLY|PASSWORD)\b|^SET\s+@@(global|persist)/i.test(h) ? 'ddl' : 'session';
  if (READ.has(word)) return 'read';
  if (DML.has(word)) return 'dml';
  if (DDL.has(word)) return 'ddl';
  if (TX.has(word)) return 'transaction';
  return 'other';
}

/** Statements that run in check mode: they read, or only set session state later reads may need. */
export function runsInCheckMode(kind: StatementKind): boolean {
  return kind === 'read' || kind === 'session';
}
