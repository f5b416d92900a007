/** `omsplay validate PLAYBOOK -i INVENTORY`: every check a run makes before it starts, connecting to nothing. */
import { access } from 'node:fs/promises';
import { ExitCode, type OmsplayError, OptionsError, ValidationError, ValidationErrors } from '../errors.js';
import { CONTROL_NODE_PATH_VARS } from '../inventory/templated.js';
import { withRenderedInventory } from '../vars/inventory-templates.js';
import type { Inventory, Vars } from '../inventory/types.js';
import type { Masker } from '../secrets.js';
import type { Parsed } from './args.js';
import type { VALIDATE_OPTIONS } from './commands.js';
import { fromRunRefusal } from './from-run-needed.js';
import { loadAll } from './load.js';

const USAGE = 'omsplay validate PLAYBOOK -i INVENTORY [-e VARS] [--from-run]';

export async function validateCommand({ values, positionals }: Parsed<typeof VALIDATE_OPTIONS>): Promise<number> {
  if (positionals.length !== 1) throw new OptionsError('validate takes exactly one playbook', { hint: USAGE });
  const warnings: OmsplayError[] = [];
  const { playbook, inventory, extraVars, masker, fromRunNames } = await loadAll({
    playbook: positionals[0]!,
    inventory: values.inventory,
    extraVars: values['extra-vars'] ?? [],
    fromRun: !!values['from-run'],
    warnings,
  });
  const problems = await checkInventorySettings(inventory, extraVars, masker, warnings);
  for (const w of warnings) process.stderr.write(`warning: ${masker.mask(w.format())}\n`);
  // What `run` would refuse in these options (no --from-run for a playbook that reads from_run): said, not an error —
  // validate checks the files, and a run names its --from-run.
  const refusal = fromRunRefusal(positionals[0]!, fromRunNames, { fromRun: !!values['from-run'], extraVars });
  if (refusal) process.stderr.write(`warning: ${masker.mask(refusal.message)}\n  hint: ${refusal.hint}\n`);
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) throw new ValidationErrors(problems);
  const tasks = playbook.plays.reduce((n, p) => n + countTasks(p.tasks) + p.onFailure.reduce((m, f) => m + countTasks(f.tasks), 0), 0);
  process.stdout.write(`${playbook.file}: valid (${playbook.plays.length} plays, ${tasks} tasks)\n`);
  return ExitCode.ok;
}

function countTasks(nodes: import('../playbook/types.js').TaskNode[]): number {
  return nodes.reduce((n, t) => n + (t.kind === 'block' ? countTasks(t.block) + countTasks(t.rescue) + countTasks(t.always) : 1), 0);
}

/**
 * Every host's inventory variables rendered as a run would (templates, control-node paths): a setting that
 * cannot resolve (an unset environment variable, bad syntax) is an error; a control-node file that is not
 * there is a warning (it may be made before the run). Variables naming facts set later stay unrendered.
 */
async function checkInventorySettings(inv: Inventory, extraVars: Vars, masker: Masker, warnings: OmsplayError[]): Promise<OmsplayError[]> {
  const problems = new Map<string, OmsplayError>();
  const missing = new Map<string, string[]>();
  for (const h of inv.hosts.values()) {
    let vars: Vars;
    try {
      // As a run composes them before the play starts: the inventory's (rendered) and -e.
      vars = withRenderedInventory({ host: h.vars, extra: extraVars }, { inventoryFile: inv.file, host: h.name, masker }).vars;
    } catch (e) {
      const err = e as OmsplayError;
      // One report per variable and reason, not one per host.
      const key = err.message.replace(` of host ${h.name}`, '').replace(` of ${h.name}`, '');
      if (!problems.has(key)) problems.set(key, err instanceof ValidationError ? new ValidationError(err.message, { location: h.location, hint: err.hint }) : err);
      continue;
    }
    for (const k of CONTROL_NODE_PATH_VARS) {
      const v = vars[k];
      if (typeof v !== 'string' || v === '' || v.includes('{{')) continue;
      const exists = await access(v).then(
        () => true,
        () => false,
      );
      if (!exists) missing.set(`${k}\0${v}`, [...(missing.get(`${k}\0${v}`) ?? []), h.name]);
    }
  }
  for (const [key, hosts] of missing) {
    const [k, v] = key.split('\0') as [string, string];
    warnings.push(new ValidationError(`${k} is ${v}, which does not exist on this machine (hosts ${hosts.join(', ')})`, { hint: 'a relative path is relative to the inventory file\'s directory; the file must be there when the run copies it' }));
  }
  return [...problems.values()];
}
