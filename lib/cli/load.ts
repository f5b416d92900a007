/** Loads and validates inventory + playbook + extra vars: everything `run` and `validate` share. Connects to nothing. */
import { resolve } from 'node:path';
import { loadInventory } from '../inventory/load.js';
import type { Inventory, Vars } from '../inventory/types.js';
import { modules } from '../modules/index.js';
import { sortByLocation } from '../config/problem-order.js';
import { playbookProblems } from '../playbook/check.js';
import { includeTasksLoader } from '../playbook/files.js';
import { fromRunNames } from '../playbook/from-run.js';
import { loadPlaybook } from '../playbook/load.js';
import type { IncludeTasks, Playbook } from '../playbook/types.js';
import { resolveTemplatedVarsFiles } from '../playbook/vars-files.js';
import { registerPlaybookSecrets } from '../engine/playbook-secrets.js';
import { Masker, maskError } from '../secrets.js';
import { findPlaybook } from './find-playbook.js';
import { parseExtraVars } from './extra-vars.js';
import { type OmsplayError, OptionsError, ValidationErrors } from '../errors.js';

export interface Loaded {
  inventory: Inventory;
  playbook: Playbook;
  extraVars: Vars;
  masker: Masker;
  /** Names the playbook reads from an earlier run (`from_run.NAME`): what --from-run looks for. */
  fromRunNames: string[];
  /** Loads the task files include_tasks names by a template, at run time (RunOptions.includeTasks). */
  includeTasks: IncludeTasks;
}

export async function loadAll(opts: {
  playbook: string;
  inventory?: string;
  extraVars: string[];
  fromRun?: boolean;
  /** `validate`: a missing key file is a warning (it connects to nothing), pushed here. */
  warnings?: OmsplayError[];
}): Promise<Loaded> {
  if (!opts.inventory) throw new OptionsError('an inventory is required', { hint: 'add -i inventories/prod.yml' });
  const masker = new Masker();
  const extraVars = await parseExtraVars(opts.extraVars);
  masker.addFromVars(extraVars);
  const inventory = await loadInventory(resolve(opts.inventory), { masker, ...(opts.warnings ? { checkKeyFiles: 'warn' as const, warnings: opts.warnings } : {}) });
  const loaded = await loadPlaybook(findPlaybook(opts.playbook), { modules });
  const { playbook } = loaded;
  // The pre-run checks below may quote values (a rendered vars_files name): the playbook's secrets are known first.
  registerPlaybookSecrets(playbook, masker);
  // Templated vars_files names are read now, for every host, so a missing file stops the run before it starts.
  const early = await resolveTemplatedVarsFiles(loaded, inventory, extraVars);
  const problems = sortByLocation([...early, ...playbookProblems(loaded, inventory, extraVars, { fromRun: opts.fromRun ?? false, modules })]);
  if (problems.length === 1) throw maskError(problems[0], masker);
  if (problems.length > 1) throw maskError(new ValidationErrors(problems), masker);
  return { inventory, playbook, extraVars, masker, fromRunNames: fromRunNames(loaded), includeTasks: includeTasksLoader(modules) };
}
