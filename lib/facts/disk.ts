/**
 * Fact `disk.free_bytes`: the free bytes where a directory will be (its nearest existing directory, measured
 * with df). Lifetime 'task': free space changes by itself.
 */
import { freeBytesAt, parseFreeBytes } from '../commands/disk.js';
import { TaskFailedError } from '../errors.js';
import type { Fact } from '../plan/types.js';

export interface FreeBytes {
  /** The nearest existing directory of the path asked about (where df was asked). */
  dir: string;
  free: number;
}

export const freeBytesFact: Fact<{ dir: string }, FreeBytes> = {
  name: 'disk.free_bytes',
  lifetime: 'task',
  command: (p) => ({ argv: freeBytesAt(p.dir), okExitCodes: 'any' }),
  parse(r, p, host) {
    if (r.exitCode !== 0) throw new TaskFailedError(`cannot read the free space for ${p.dir} on ${host}: ${r.stderr.trim() || `exit ${r.exitCode}`}`, { rc: r.exitCode });
    return parseFreeBytes(r.stdout);
  },
};
