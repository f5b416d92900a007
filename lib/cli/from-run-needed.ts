/**
 * A playbook that reads values an earlier run recorded (`from_run.NAME`, found by lib/playbook/from-run.ts) has
 * nothing to read without --from-run. `run` refuses it up front — before the lock, any connection or the journal —
 * instead of failing at the first template that reads one, with the site already locked; so does `--check` (it
 * renders the same templates). `--list-tasks` / `--list-hosts` run nothing and need no values; `validate` warns.
 * A playbook that reads only `from_run.run_id` (rollback-stopped.yml) is not refused here: its module says what to do.
 */
import { OptionsError } from '../errors.js';
import type { Vars } from '../inventory/types.js';

const HINT = 'add --from-run last, or --from-run RUN_ID (see omsplay runs)';

/**
 * Why these options cannot run the playbook, or undefined. `-e from_run=…` never stands in for --from-run (and is
 * refused beside it too, where -e would hide the journal's values): the values must come from a journal, which
 * --from-run checks is a real run against this inventory that recorded every name read. The rollback drops
 * databases on the strength of the dumps and checksums recorded there; a hand-typed mapping would skip that check.
 */
export function fromRunRefusal(playbook: string, names: readonly string[], opts: { fromRun: boolean; extraVars: Vars }): OptionsError | undefined {
  if (names.length === 0) return undefined;
  const reads = names.map((n) => `from_run.${n}`).join(', ');
  if ('from_run' in opts.extraVars)
    return new OptionsError(`-e from_run: ${playbook} reads ${reads}, which only --from-run sets (from an earlier run's journal)`, { hint: `remove -e from_run; ${HINT}` });
  if (opts.fromRun) return undefined;
  return new OptionsError(`${playbook} reads values an earlier run recorded (${reads}) and runs only with --from-run`, { hint: HINT });
}
