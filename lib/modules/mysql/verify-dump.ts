/**
 * mysql.verify_dump: a dump is what was written — present, not empty, the sha256 recorded when it was made, and
 * ending with mysqldump's completion trailer — checked on the host that holds it, before anything is dropped
 * (the rollback verifies every dump first; mysql.restore checks its own again right before its drop).
 */
import { dumpCompleted } from '../../commands/mysql.js';
import type { FileSummary } from '../../commands/fs.js';
import { TaskFailedError } from '../../errors.js';
import { fileSummaryFact } from '../../facts/file.js';
import { definePlanModule } from '../../plan/define.js';

interface Args {
  path: string;
  sha256: string;
  gzip?: boolean;
}

/** The decision on a dump's summary: undefined when it is good, else what is wrong (file path included). */
export function dumpProblem(path: string, sum: FileSummary | undefined, sha256: string): string | undefined {
  if (!sum || sum.size === 0) return `missing or empty: ${path}`;
  if (sum.sha256 !== sha256) return `checksum mismatch: ${path} (sha256 ${sum.sha256}, recorded ${sha256})`;
  if (!dumpCompleted(sum.tail)) return `truncated (no completion trailer): ${path}`;
  return undefined;
}

interface Facts {
  /** The dump's summary; null when there is no such file. */
  summary: FileSummary | null;
}

export const mysqlVerifyDump = definePlanModule<Args, Facts>({
  name: 'mysql.verify_dump',
  summary: "Verify a dump file on the host: present, not empty, the recorded sha256, and mysqldump's completion trailer (nothing is changed).",
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['path', 'sha256'],
    properties: {
      path: { type: 'string', minLength: 1, description: 'The dump file on the host (the `path` mysql.dump recorded).' },
      sha256: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'The sha256 mysql.dump recorded.' },
      gzip: { type: 'boolean', description: 'The file is gzip-compressed (the trailer is read decompressed). Default: true when path ends with .gz.' },
    },
  },
  checkMode: 'read_only',
  changedMeans: 'never: it only reads',
  result: [
    { name: 'path / size / sha256', description: 'The file, its size and its sha256 as read now.' },
    { name: 'completed', description: 'true: the `-- Dump completed` trailer is present.' },
  ],
  example: `- name: "Rollback: verify every dump before anything is dropped"
  delegate_to: "{{ backup_host }}"
  loop: "{{ from_run.dumps.results }}"
  loop_control: {loop_var: dump, label: "{{ dump.path }}", parallel: 8}
  mysql.verify_dump:
    path: "{{ dump.path }}"
    sha256: "{{ dump.sha256 }}"`,
  async gather(args, ctx) {
    const params = { path: args.path, gzip: args.gzip ?? args.path.endsWith('.gz') };
    // A verification reads the file as it is now, not as an earlier task of the run saw it.
    ctx.facts.invalidate(fileSummaryFact, params);
    // A read error (not "no such file") fails here, naming the file and the host.
    return { summary: await ctx.facts.get(fileSummaryFact, params) };
  },
  plan(args, { summary }) {
    const sum = summary ?? undefined;
    const facts = { path: args.path, size: sum?.size ?? 0, sha256: sum?.sha256 ?? null, completed: sum ? dumpCompleted(sum.tail) : false };
    const problem = dumpProblem(args.path, sum, args.sha256);
    if (problem) throw new TaskFailedError(problem, facts, { hint: 'nothing was dropped; the dump on the backup host is not the one the upgrade wrote' });
    return { commands: [], result: { msg: `verified: ${args.path} (${facts.size} bytes)`, ...facts } };
  },
});
