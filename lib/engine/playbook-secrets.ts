/**
 * Secrets a playbook defines, registered with the masker before anything runs: literal values of
 * play, block and task `vars` under secret-looking names, and every `!secret` value anywhere in a
 * task (vars or arguments), in every play, handler, on_failure play and included task file.
 * Templated values are registered once rendered (task-executor), when their value is known.
 */
import type { Masker } from '../secrets.js';
import { Secret } from '../secrets.js';
import type { Play, Playbook, TaskNode } from '../playbook/types.js';

export function registerPlaybookSecrets(playbook: Playbook, masker: Masker): void {
  const seen = new Set<Play>();
  for (const play of playbook.plays) registerPlay(play, masker, seen);
}

function registerPlay(play: Play, masker: Masker, seen: Set<Play>): void {
  if (seen.has(play)) return;
  seen.add(play);
  masker.addFromVars(literals(play.vars));
  for (const node of [...play.tasks, ...play.handlers]) registerNode(node, masker);
  for (const p of play.onFailure) registerPlay(p, masker, seen);
}

function registerNode(node: TaskNode, masker: Masker): void {
  masker.addFromVars(literals(node.vars));
  if (node.kind === 'block') {
    for (const child of [...node.block, ...node.rescue, ...node.always]) registerNode(child, masker);
    return;
  }
  registerTagged(node.args, masker);
  for (const child of node.includedTasks ?? []) registerNode(child, masker);
}

/** `!secret` values in task arguments (a module's argument names are not variable names: only tagged values count). */
function registerTagged(v: unknown, masker: Masker): void {
  if (v instanceof Secret) masker.add(v.value);
  else if (Array.isArray(v)) for (const x of v) registerTagged(x, masker);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) registerTagged(x, masker);
}

/** The vars without templates (a template's text is not the secret; its rendered value is registered at run time). */
function literals(v: unknown): unknown {
  if (typeof v === 'string') return v.includes('{{') ? undefined : v;
  if (Array.isArray(v)) return v.map(literals);
  if (v && typeof v === 'object' && !(v instanceof Secret)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, literals(x)]));
  return v;
}
