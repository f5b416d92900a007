/** Loads and validates inventory + playbook + extra vars: everything `run` and `validate` share. Connects to nothing. */
import { resolve } from 'node:path';
import { loadInventory } from '../inventory/load.js';
import type { Inventory, Vars } from '../inventory/types.js';
import { modules } from '../modules/index.js';
import { sortByLocation } from '../config/validate.js';
import { playbookProblems } from '../playbook/check.js';
import { resolveTemplatedVarsFiles } from '../playbook/vars-files.js';
import { loadPlaybook } from '../playbook/load.js';
import type { Playbook } from '../playbook/types.js';
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
  const playbook = await loadPlaybook(findPlaybook(opts.playbook), { modules });
  // The pre-run checks below may quote values (a rendered vars_files name): the playbook's secrets are known first.
  registerPlaybookSecrets(playbook, masker);
  // Templated vars_files names are read now, for every host, so a missing file stops the run before it starts.
  const early = await resolveTemplatedVarsFiles(playbook, inventory, extraVars);
  const problems = sortByLocation([...early, ...playbookProblems(playbook, inventory, extraVars, { fromRun: opts.fromRun ?? false, modules })]);
  if (problems.length === 1) throw maskError(problems[0], masker);
  if (problems.length > 1) throw maskError(new ValidationErrors(problems), masker);
  return { inventory, playbook, extraVars, masker };
}

/** Names the playbook reads from an earlier run (`from_run.NAME`, `from_run.hosts.H.NAME`). */
export function fromRunNames(playbook: Playbook): string[] {
  const text = JSON.stringify(playbook.plays);
  const names = new Set<string>();
  for (const m of text.matchAll(/from_run\.(?:hosts\.[\w.-]+?\.)?([A-Za-z_]\w*)/g)) {
    if (!['hosts', 'run_id', 'started_at'].includes(m[1]!)) names.add(m[1]!);
  }
  return [...names];
}
