/**
 * mysql.dump_space: before anything changes, do the dumps of these databases fit where they will be written, with
 * a margin? Free space is read on the task's host (delegate_to the backup host) at the nearest existing directory
 * of `dir`; the databases' sizes come from information_schema (a mysql.query registered earlier). A dump is not
 * its table size (indexes are not dumped, text is larger than binary), hence the margin.
 */
import { TaskFailedError } from '../../errors.js';
import { type FreeBytes, freeBytesFact } from '../../facts/disk.js';
import { definePlanModule } from '../../plan/define.js';

interface SizeRow {
  db: string;
  bytes: number | string;
}

interface Args {
  dir: string;
  sizes: SizeRow[];
  databases: string[];
  margin?: number | string;
}

export interface SpaceVerdict {
  /** Bytes the databases take in the MetaDB. */
  bytes: number;
  /** bytes × margin: what must be free. */
  needed: number;
  fits: boolean;
  /** Databases with no size row (they do not exist: the preflight names them separately). */
  unsized: string[];
}

/** The decision: the databases' sizes (only those dumped) times the margin, against the free bytes. */
export function dumpSpace(free: number, sizes: SizeRow[], databases: string[], margin: number): SpaceVerdict {
  const byDb = new Map(sizes.map((r) => [r.db, Number(r.bytes) || 0]));
  const bytes = databases.reduce((n, db) => n + (byDb.get(db) ?? 0), 0);
  const needed = Math.ceil(bytes * margin);
  return { bytes, needed, fits: free > needed, unsized: databases.filter((db) => !byDb.has(db)) };
}

/** The margin as a number; a bad one fails before the host is asked anything. */
function marginOf(args: Args): number {
  const margin = Number(args.margin ?? 2);
  if (!(margin > 0)) throw new TaskFailedError(`margin must be a positive number, got ${JSON.stringify(args.margin)}`, {}, { hint: 'oms_backup_disk_margin: 2' });
  return margin;
}

export const mysqlDumpSpace = definePlanModule<Args, { space: FreeBytes }>({
  name: 'mysql.dump_space',
  summary: "Check that the dumps of some databases fit in a directory on the task's host, with a margin (free bytes > size × margin); fails naming both figures.",
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['dir', 'sizes', 'databases'],
    properties: {
      dir: { type: 'string', minLength: 1, description: 'Where the dumps go (need not exist yet: the nearest existing directory of its path is measured).' },
      sizes: {
        type: 'array',
        description: 'Database sizes, rows {db, bytes} (e.g. the `rows` of a mysql.query over information_schema.tables).',
        items: { type: 'object', required: ['db', 'bytes'], properties: { db: { type: 'string' }, bytes: { type: ['integer', 'string'] } } },
      },
      databases: { type: 'array', items: { type: 'string' }, description: 'The databases that will be dumped (only their sizes count).' },
      margin: { type: ['number', 'string'], default: 2, description: 'Free space must exceed the databases’ size times this (oms_backup_disk_margin).' },
    },
  },
  checkMode: 'read_only',
  changedMeans: 'never: it only reads',
  result: [
    { name: 'free', description: 'Free bytes at `measured_dir`.' },
    { name: 'measured_dir', description: 'The nearest existing directory of `dir` (where df was asked).' },
    { name: 'bytes / needed', description: 'The databases’ size, and that size times the margin.' },
    { name: 'fits', description: 'true: free > needed.' },
  ],
  example: `- name: "Preflight: the dumps fit with margin"
  run_once: true
  delegate_to: "{{ backup_host }}"
  mysql.dump_space:
    dir: "{{ backup_dir }}"
    sizes: "{{ metadb_sizes.rows }}"
    databases: [oms_rm, oms_cm, oms_cm_hb]
    margin: 2`,
  async gather(args, ctx) {
    marginOf(args);
    return { space: await ctx.facts.get(freeBytesFact, { dir: args.dir }) };
  },
  plan(args, { space: { dir, free } }) {
    const margin = marginOf(args);
    const v = dumpSpace(free, args.sizes ?? [], args.databases, margin);
    const facts = { free, measured_dir: dir, bytes: v.bytes, needed: v.needed, fits: v.fits, margin };
    const text = `${free} bytes free at ${args.dir} (${dir}); the databases take ${v.bytes} bytes and the margin is ${margin}x`;
    if (!v.fits) throw new TaskFailedError(`${text}: the dumps may not fit`, facts, { hint: 'free space there, choose another oms_backup_dir / oms_backup_host, or lower oms_backup_disk_margin' });
    return { commands: [], result: { msg: text, ...facts } };
  },
});
