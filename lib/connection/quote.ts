/**
 * The one quoting function: the only way a value reaches a shell. POSIX single quotes,
 * with embedded single quotes closed, escaped and reopened. Safe words are left bare so
 * commands stay readable in logs.
 */
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function quote(value: string): string {
  if (value === '') return "''";
  if (SAFE.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** An argv array as one shell command line. */
export function quoteArgv(argv: readonly string[]): string {
  return argv.map(quote).join(' ');
}
