/**
 * Planned commands as a person (and a case file) reads them, and the names of private files in an
 * argv. A private file's path is known only when the executor has made the directory, so the argv
 * holds a token that cannot occur in a real argument (a NUL byte) until then.
 */
import { quoteArgv } from '../connection/quote.js';
import type { PlannedCommand } from './types.js';

const TOKEN = '\u0000private:';

/** The argv word for private file `name` of the command (see PlannedCommand.privateFiles). */
export function privateFile(name: string): string {
  return `${TOKEN}${name}`;
}

/** The argv with private-file tokens replaced: by the real directory when running, by `<private>` when shown. */
export function resolvePrivate(argv: readonly string[], dir: string): string[] {
  // The token may end a word (`--defaults-extra-file=<token>`): what follows it is the file's name.
  return argv.map((a) => {
    const i = a.indexOf(TOKEN);
    return i < 0 ? a : `${a.slice(0, i)}${dir}/${a.slice(i + TOKEN.length)}`;
  });
}

/** One line: the quoted argv (private files as `<private>/NAME`) or the script. */
export function showCommand(c: PlannedCommand): string {
  if ('sql' in c) return c.params.length ? `${c.sql} -- params ${JSON.stringify(c.params)}` : c.sql;
  return 'argv' in c ? quoteArgv(resolvePrivate(c.argv, '<private>')) : c.script;
}

/** What a failing command is called in its error: its `what`, else the command line. */
export function commandName(c: PlannedCommand): string {
  return c.what ?? showCommand(c);
}

/**
 * The data form of a planned command, as test/modules/<module>/<case>.json writes it: the argv as a
 * list when that is all there is, else an object with argv (or script), stdin, env and private files.
 */
export function caseForm(c: PlannedCommand): unknown {
  if ('sql' in c) return { sql: c.sql, params: c.params };
  const argv = 'argv' in c ? resolvePrivate(c.argv, '<private>') : undefined;
  const extra = {
    ...(c.stdin !== undefined ? { stdin: c.stdin } : {}),
    ...(c.env ? { env: c.env } : {}),
    ...(c.cwd ? { cwd: c.cwd } : {}),
    ...(c.privateFiles ? { privateFiles: c.privateFiles } : {}),
  };
  if (argv && Object.keys(extra).length === 0) return argv;
  return { ...(argv ? { argv } : { script: (c as { script: string }).script }), ...extra };
}
