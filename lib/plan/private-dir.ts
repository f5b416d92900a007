/**
 * A private directory on the target for files that hold secrets (MySQL option files, docker env
 * files): created 0700 by mktemp, files written 0600 through the connection (never a command
 * line), and removed in `finally`, also when the work fails.
 */
import { makePrivateTempDir, makePrivateTempDirWithFile, removeTree } from '../commands/fs.js';
import { CommandFailedError } from '../errors.js';
import { quoteArgv } from '../connection/quote.js';
import type { ModuleContext } from '../modules/types.js';

export interface PrivateDir {
  path: string;
  /** Writes `content` to `dir/name` with mode 0600; returns the full path. */
  write(name: string, content: string): Promise<string>;
}

/**
 * `first`, when given, is written in the same command that creates the directory (its content on stdin):
 * one round trip less for the usual case of one secret file.
 */
export async function withPrivateDir<T>(ctx: ModuleContext, fn: (dir: PrivateDir) => Promise<T>, first?: { name: string; content: string }): Promise<T> {
  const argv = first ? makePrivateTempDirWithFile(first.name) : makePrivateTempDir();
  const r = await ctx.exec({ argv }, first ? { stdin: first.content } : undefined);
  if (r.exitCode !== 0 || !r.stdout.trim()) {
    throw new CommandFailedError(`cannot create a private temporary directory on ${ctx.host}: ${r.stderr.trim()}`, {
      command: quoteArgv(argv),
      exitCode: r.exitCode,
      stderr: r.stderr,
    });
  }
  const path = r.stdout.trim();
  try {
    return await fn({
      path,
      async write(name, content) {
        const file = `${path}/${name}`;
        await ctx.conn.put({ content }, file, { mode: '0600', become: ctx.become });
        return file;
      },
    });
  } finally {
    // Straight through the connection, not ctx.exec: after Ctrl-C or a task timeout the task's signal
    // is aborted, and the secret must still be removed. A failed cleanup never hides the real outcome.
    await ctx.conn.exec({ argv: removeTree(path) }, { become: ctx.become, timeoutMs: 15_000 }).catch(() => undefined);
  }
}
