/**
 * Pure builders of MySQL client commands (mysqldump / mariadb-dump, mysql / mariadb) and of the
 * option file that carries the password. The password is never an argument: it is written to a
 * 0600 file passed with --defaults-extra-file (which must be the first option).
 */

/** Where the server is, as seen from the host that runs the client. */
export interface MysqlServer {
  host: string;
  port?: number;
  user: string;
}

/**
 * A `[client]` option file holding the password. Values are double-quoted; backslash, double
 * quote and control characters are escaped the way the MySQL/MariaDB option parser reads them
 * (so `'"$;|&`, `#`, spaces and trailing blanks survive).
 */
export function optionFileContent(password: string): string {
  const v = password
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return `[client]\npassword="${v}"\n`;
}

/** A quoted identifier: backticks, embedded backticks doubled. */
export function sqlIdent(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/** A quoted string literal (backslash and quote escaped; safe with and without NO_BACKSLASH_ESCAPES for these two). */
export function sqlString(v: string): string {
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** The connection options (option file first); mysqldumpArgs begins with them. */
export function connArgs(optionFile: string, s: MysqlServer): string[] {
  const a = [`--defaults-extra-file=${optionFile}`, `--host=${s.host}`];
  if (s.port !== undefined) a.push(`--port=${s.port}`);
  a.push(`--user=${s.user}`);
  return a;
}

export interface DumpOptions {
  optionFile: string;
  server: MysqlServer;
  databases: string[];
  /** false adds --triggers=false (the OMS procedure's choice); default: mysqldump's default (true). */
  triggers?: boolean;
  singleTransaction?: boolean;
  /** Written by mysqldump itself; absent when piping into gzip. */
  resultFile?: string;
  extraArgs?: string[];
}

/**
 * mysqldump arguments without the program name (the script picks mysqldump or mariadb-dump).
 * One database is dumped without `--databases`, as the vendor does, so it restores into any
 * name; several go with `--databases` (the file then creates and selects each).
 */
export function mysqldumpArgs(o: DumpOptions): string[] {
  const a = connArgs(o.optionFile, o.server);
  if (o.triggers === false) a.push('--triggers=false');
  if (o.singleTransaction) a.push('--single-transaction');
  if (o.resultFile) a.push(`--result-file=${o.resultFile}`);
  a.push(...(o.extraArgs ?? []));
  if (o.databases.length > 1) a.push('--databases');
  a.push(...o.databases);
  return a;
}

/** Shell function that picks the first installed program of a list (mysqldump, then mariadb-dump). */
const PICK = 'pick() { for c in "$@"; do command -v "$c" >/dev/null 2>&1 && { echo "$c"; return 0; }; done; return 1; }';

/**
 * The whole dump in one command, so a dump costs one round trip (plus the rename after verification):
 * refuse an existing `dest` (unless overwrite), `mkdir -p` its directory (0700), create the private
 * directory `privDir` (0700, refused if it exists) and write the option file there from stdin (the
 * password never reaches a command line), run mysqldump, and hash the stream while it is written
 * (`tee` into `dest.partial` and `sha256sum`: one pass, no re-read). With gzip the uncompressed
 * stream's last bytes are kept through a FIFO so the completion trailer is checked without
 * decompressing the file again. Prints the `fileSummary` sections (@@size, @@sha256, @@tail) on
 * success; a refusal prints `@@refused <why>` and exits 2. The private directory is removed on exit.
 * `args` are mysqldump's arguments with `--defaults-extra-file=privDir/my.cnf` first.
 */
export function dumpCommand(o: {
  args: string[];
  dest: string;
  privDir: string;
  overwrite?: boolean;
  gzip?: boolean;
  tailBytes?: number;
  /** The size estimate's SQL (one number) and how many of `args` are the connection options it runs with. */
  estimate?: { sql: string; connArgs: number };
}): string[] {
  const tail = o.tailBytes ?? 512;
  const run = '{ "$bin" "$@"; echo $? > "$d/rc"; }';
  const keep = '{ tee -- "$part" || echo "$?" > "$d/teerc"; }';
  const lines = [
    'umask 077',
    PICK,
    'dest=$1; d=$2; ow=$3; est=$4; k=$5; shift 5; part=$dest.partial',
    'if [ "$ow" != 1 ] && [ -e "$dest" ]; then echo "@@refused exists"; exit 2; fi',
    'mkdir -p -m 0700 -- "$(dirname -- "$dest")" || { echo "@@refused mkdir"; exit 2; }',
    'mkdir -m 0700 -- "$d" || { echo "@@refused private directory"; exit 2; }',
    // ep: the size estimate's client, ended with the dump (a short dump must not leave it running on the host).
    'ep=',
    `trap 'if [ -n "$ep" ]; then kill "$ep" 2>/dev/null; fi; rm -rf -- "$d"' EXIT`,
    "trap 'exit 130' INT TERM HUP",
    'cat > "$d/my.cnf" || exit 1',
    // The size estimate runs beside the dump (never delaying it) with the first k arguments (the connection
    // options); the client replaces its subshell, so $ep is the client itself. Its one short line is written at
    // once at the end; a failure writes nothing: no estimate.
    'if [ -n "$est" ] && cli=$(pick mysql mariadb); then',
    '  ( c=$#; for a in "$@"; do [ "$k" -gt 0 ] && set -- "$@" "$a"; k=$((k-1)); done; shift "$c"',
    '    exec "$cli" "$@" --batch --skip-column-names -e "$est" > "$d/estimate" ) </dev/null 2>/dev/null & ep=$!',
    'fi',
    'bin=$(pick mysqldump mariadb-dump) || { echo "neither mysqldump nor mariadb-dump is installed" >&2; exit 127; }',
  ];
  if (o.gzip) {
    lines.push(
      'mkfifo "$d/t" || exit 1',
      `tail -c ${tail} < "$d/t" > "$d/tail" & tp=$!`,
      `${run} | tee -- "$d/t" | gzip -c | ${keep} | sha256sum > "$d/sum"`,
      'wait "$tp"',
    );
  } else {
    lines.push(`${run} | ${keep} | sha256sum > "$d/sum"`, `tail -c ${tail} -- "$part" > "$d/tail"`);
  }
  lines.push(
    'rc=$(cat "$d/rc" 2>/dev/null || echo 1)',
    '[ "$rc" = 0 ] && [ -e "$d/teerc" ] && rc=$(cat "$d/teerc")',
    'if [ "$rc" != 0 ]; then rm -f -- "$part"; exit "$rc"; fi',
    'echo "@@size"; stat -c %s -- "$part"',
    'echo "@@sha256"; cut -d" " -f1 < "$d/sum"',
    'echo "@@tail"; cat -- "$d/tail"',
  );
  const est = o.estimate ? [o.estimate.sql, String(o.estimate.connArgs)] : ['', '0'];
  return ['sh', '-c', lines.join('\n'), 'sh', o.dest, o.privDir, o.overwrite ? '1' : '0', ...est, ...o.args];
}

/**
 * What the dump's progress polls: the partial file's size (fails while it does not exist) and, when `estimateFile`
 * is given, on the next line that file's content (the dump command's size estimate; nothing until it is written).
 */
export function dumpProgressCommand(partial: string, estimateFile?: string): string[] {
  if (estimateFile === undefined) return ['stat', '-c', '%s', '--', partial];
  return ['sh', '-c', 'stat -c %s -- "$1" || exit; cat -- "$2" 2>/dev/null; exit 0', 'sh', partial, estimateFile];
}

/** mysql client arguments (no program name) for batch statements: tab-separated, no headers. */
export function mysqlBatchArgs(optionFile: string, s: MysqlServer, sql: string, database?: string): string[] {
  const a = [...connArgs(optionFile, s), '--batch', '--skip-column-names', '--raw', '-e', sql];
  if (database) a.push(database);
  return a;
}

/** Runs the mysql (or mariadb) client with the given arguments. */
export function mysqlClientCommand(args: string[]): string[] {
  return ['sh', '-c', `${PICK}\nbin=$(pick mysql mariadb) || { echo "neither mysql nor mariadb client is installed" >&2; exit 127; }\nexec "$bin" "$@"`, 'sh', ...args];
}

/**
 * Loads a dump file into `database` through stdin (decompressing when gzip). `prelude`, when given, runs
 * first in the same command (the restore's DROP and CREATE DATABASE), and `after` once the load succeeded,
 * its rows printed as `--batch --skip-column-names` (the restore's table counts): one round trip for all three.
 */
export function restoreCommand(o: { optionFile: string; server: MysqlServer; database: string; file: string; gzip?: boolean; prelude?: string; after?: string }): string[] {
  const args = connArgs(o.optionFile, o.server);
  const load = o.gzip ? 'gzip -dc -- "$f" | "$bin" "$@" --database "$db"' : '"$bin" "$@" --database "$db" < "$f"';
  const script = [
    PICK,
    'f=$1; db=$2; pre=$3; post=$4; shift 4',
    'bin=$(pick mysql mariadb) || { echo "neither mysql nor mariadb client is installed" >&2; exit 127; }',
    'if [ -n "$pre" ]; then "$bin" "$@" --batch -e "$pre" || exit; fi',
    `${load} || exit`,
    'if [ -n "$post" ]; then exec "$bin" "$@" --batch --skip-column-names -e "$post" "$db"; fi',
  ].join('\n');
  return ['sh', '-c', script, 'sh', o.file, o.database, o.prelude ?? '', o.after ?? '', ...args];
}

/** The line mysqldump writes last when the dump finished (with comments on, the default). */
export const DUMP_TRAILER = /-- Dump completed( on [0-9: -]+)?\s*$/;

export function dumpCompleted(tail: string): boolean {
  return DUMP_TRAILER.test(tail);
}

/** A dump made with --databases/--all-databases creates and selects its own databases: it cannot be loaded into another one. */
export function dumpSelectsDatabase(head: string): boolean {
  return /^(USE `|CREATE DATABASE )/m.test(head);
}

/** Parses `--batch --skip-column-names` output into rows of strings (NULL -> null). */
export function parseBatch(out: string): Array<Array<string | null>> {
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t').map((v) => (v === 'NULL' ? null : v)));
}
