/**
 * Which values of an earlier run a playbook reads (`from_run.NAME`, `from_run.hosts.H.NAME`): what
 * `--from-run` looks for in the journals. Found by the template analysis (lib/template/variables.ts) of every
 * template and condition of the model, so a name in a string that is no template is not taken for a read.
 */
import { templateReferences, type TemplateKind, type VarRef } from '../template/index.js';
import type { LoadedPlaybook } from './loaded.js';
import type { Condition, Play, TaskNode } from './types.js';

/** Properties of `from_run` that every run has: not values a run recorded. */
const RUN_METADATA = new Set(['hosts', 'run_id', 'started_at']);

export function fromRunNames(loaded: LoadedPlaybook): string[] {
  const refs: VarRef[] = [];
  const read = (value: unknown, kind: TemplateKind = 'template') => {
    for (const r of templateReferences(value, kind)) if (r.root === 'from_run') refs.push(r);
  };
  const conds = (list: Condition[] | undefined) => read(list?.filter((c) => typeof c === 'string'), 'condition');
  const node = (n: TaskNode) => {
    read([n.vars, n.name, n.delegateTo, n.becomeUser]);
    conds(n.when);
    if (n.kind === 'block') {
      for (const c of [...n.block, ...n.rescue, ...n.always]) node(c);
      return;
    }
    read([n.args, n.loop, n.loopLabel, n.loopParallel, n.includeFile]);
    conds(n.until);
    conds(n.failedWhen);
    conds(n.changedWhen);
    // Module arguments that hold conditions (assert's `that`) are read as conditions too.
    const condArgs = loaded.modules.get(n.module)?.conditionArgs ?? [];
    if (n.args && typeof n.args === 'object') for (const k of condArgs) read((n.args as Record<string, unknown>)[k], 'condition');
    for (const c of n.includedTasks ?? []) node(c);
  };
  const play = (p: Play) => {
    read([p.vars, p.hosts, p.varsFiles]);
    for (const f of loaded.varsFromFiles.get(p)?.files ?? []) read(f.value);
    for (const n of [...p.tasks, ...p.handlers]) node(n);
    for (const f of p.onFailure) play(f);
  };
  for (const p of loaded.playbook.plays) play(p);
  const names = new Set<string>();
  for (const r of refs) {
    const name = r.parts[0] === 'hosts' ? r.parts[2] : r.parts[0];
    if (name && !(r.parts[0] !== 'hosts' && RUN_METADATA.has(name))) names.add(name);
  }
  return [...names];
}
