/**
 * Facts about files on the host: whether a path exists, and a file's summary (size, sha256, last
 * bytes). Lifetime 'run': files change when a task changes them (and such a task forgets them).
 */
import { type FileSummary, fileSummary, isFile, isReadable, parseFileSummary, pathExists } from '../commands/fs.js';
import { CommandFailedError } from '../errors.js';
import { showCommand } from '../plan/command.js';
import type { Fact } from '../plan/types.js';

/** `test -e`: true, false, or an error when the test itself could not run (exit > 1: sudo refused, no shell...). */
export const pathExistsFact: Fact<{ path: string }, boolean> = {
  name: 'file.exists',
  lifetime: 'run',
  command: (p) => ({ argv: pathExists(p.path), okExitCodes: 'any' }),
  parse(r, p, host) {
    if (r.exitCode === 0) return true;
    if (r.exitCode === 1) return false;
    const why = r.stderr.replace(/[\r\n]+$/, '') || (r.exitCode === null ? `signal ${r.signal}` : `exit ${r.exitCode}`);
    throw new CommandFailedError(`could not check whether ${p.path} exists on ${host}: ${why}`, {
      command: showCommand({ argv: pathExists(p.path) }),
      exitCode: r.exitCode,
      stderr: r.stderr,
    });
  },
};

export interface FileSummaryParams {
  path: string;
  gzip?: boolean;
  tailBytes?: number;
  headBytes?: number;
}

/** Size, sha256 and the last (and first) bytes of a file in one round trip; null when there is no such file. */
export const fileSummaryFact: Fact<FileSummaryParams, FileSummary | null> = {
  name: 'file.summary',
  lifetime: 'run',
  command: (p) => ({ argv: fileSummary(p.path, p), okExitCodes: 'any' }),
  parse(r, p, host) {
    // fileSummary exits 3 with "no such file" when the path is not a regular file.
    if (r.exitCode === 3 && /no such file/.test(r.stderr)) return null;
    if (r.exitCode !== 0) {
      throw new CommandFailedError(`cannot read ${p.path} on ${host}: ${r.stderr.trim() || `exit ${r.exitCode}`}`, {
        command: showCommand({ argv: fileSummary(p.path, p) }),
        exitCode: r.exitCode,
        stderr: r.stderr,
      });
    }
    return parseFileSummary(r.stdout);
  },
};

/** `test -f`: whether the path is a regular file (an image tar staged on the host). */
export const isFileFact: Fact<{ path: string }, boolean> = {
  name: 'file.is_file',
  lifetime: 'run',
  command: (p) => ({ argv: isFile(p.path), okExitCodes: 'any' }),
  parse: (r) => r.exitCode === 0,
};

/** Whether the login (or become) user may read a path. */
export const isReadableFact: Fact<{ path: string }, boolean> = {
  name: 'file.is_readable',
  lifetime: 'run',
  command: (p) => ({ argv: isReadable(p.path), okExitCodes: 'any' }),
  parse: (r) => r.exitCode === 0,
};
