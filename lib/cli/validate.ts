/** `omsplay validate PLAYBOOK -i INVENTORY`: every check a run makes before it starts, connecting to nothing. */
import { ExitCode, OptionsError } from '../errors.js';
import type { Parsed } from './args.js';
import type { VALIDATE_OPTIONS } from './commands.js';
import { loadAll } from './load.js';

const USAGE = 'omsplay validate PLAYBOOK -i INVENTORY [-e VARS] [--from-run]';

export async function validateCommand({ values, positionals }: Parsed<typeof VALIDATE_OPTIONS>): Promise<number> {
  if (positionals.length !== 1) throw new OptionsError('validate takes exactly one playbook', { hint: USAGE });
  const { playbook } = await loadAll({ playbook: positionals[0]!, inventory: values.inventory, extraVars: values['extra-vars'] ?? [], fromRun: !!values['from-run'] });
  const tasks = playbook.plays.reduce((n, p) => n + countTasks(p.tasks) + p.onFailure.reduce((m, f) => m + countTasks(f.tasks), 0), 0);
  process.stdout.write(`${playbook.file}: valid (${playbook.plays.length} plays, ${tasks} tasks)\n`);
  return ExitCode.ok;
}

function countTasks(nodes: import('../playbook/types.js').TaskNode[]): number {
  return nodes.reduce((n, t) => n + (t.kind === 'block' ? countTasks(t.block) + countTasks(t.rescue) + countTasks(t.always) : 1), 0);
}
