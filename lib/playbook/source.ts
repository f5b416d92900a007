/**
 * Where each play and task of the model was written, kept beside the model (not in it) so the
 * static checks can point at the exact field (`when`, an argument) rather than only the task.
 */
import type { YamlFile, ValuePath } from '../config/yaml.js';
import type { Vars } from '../inventory/types.js';
import type { ModuleDefinition } from '../modules/types.js';
import type { Play, Playbook, TaskNode } from './types.js';

export interface NodeSource {
  yaml: YamlFile;
  /** Path of the node in its file's YAML value. */
  path: ValuePath;
  /** The module key as written (module tasks). */
  moduleKey?: string;
  /** For free-form module strings: the argument the string was mapped to. */
  freeForm?: string;
}

const sources = new WeakMap<object, NodeSource>();
export interface VarsFromFiles {
  values: Vars;
  /** false when a file name is templated: which names the files define is known only at run time. */
  complete: boolean;
  /** The files read, for checking the templates in their values. */
  files: YamlFile[];
}

const varsFileValues = new WeakMap<Play, VarsFromFiles>();

export function setSource(node: TaskNode | Play, src: NodeSource): void {
  sources.set(node, src);
}

export function sourceOf(node: TaskNode | Play): NodeSource | undefined {
  return sources.get(node);
}

/** Variables of a play's vars_files as read at load time. */
export function setVarsFromFiles(play: Play, v: VarsFromFiles): void {
  varsFileValues.set(play, v);
}

export function varsFromFiles(play: Play): VarsFromFiles {
  return varsFileValues.get(play) ?? { values: {}, complete: true, files: [] };
}

const playbookModules = new WeakMap<Playbook, ReadonlyMap<string, ModuleDefinition>>();

/** The module registry a playbook was loaded with (static checks read modules' conditionArgs). */
export function setModulesOf(playbook: Playbook, modules: ReadonlyMap<string, ModuleDefinition>): void {
  playbookModules.set(playbook, modules);
}

export function modulesOf(playbook: Playbook): ReadonlyMap<string, ModuleDefinition> | undefined {
  return playbookModules.get(playbook);
}
