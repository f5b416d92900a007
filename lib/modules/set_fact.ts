/** set_fact: sets variables on the host for the rest of the run (and the journal, with `record`). */
import type { Vars } from '../inventory/types.js';
import type { ModuleDefinition, ModuleResult } from './types.js';

export const setFact: ModuleDefinition<Vars> = {
  name: 'set_fact',
  summary: 'Set variables (facts) on the host; later tasks see them, and `record: true` keeps them in the run journal for `--from-run`.',
  schema: {
    type: 'object',
    description: 'Each key is a variable name, each value its (templated) value.',
    minProperties: 1,
    propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$', errorMessage: 'a variable name (letters, digits, _; not starting with a digit)' },
  },
  checkMode: 'read_only',
  keepsUndefined: true,
  changedMeans: 'Never changed: it only sets variables.',
  result: [{ name: 'facts', description: 'The variables that were set.' }],
  example: `- name: Remember when the upgrade started
  set_fact:
    upgrade_started: "{{ now }}"
    backup_dir: "/data/backup/{{ inventory_hostname }}"
  record: true`,
  async run(args): Promise<ModuleResult> {
    return { changed: false, facts: { ...args } };
  },
};
