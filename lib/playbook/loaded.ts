/**
 * What loading a playbook hands to the static checks: the model the engine runs, plus where each play and
 * task was written (so a check points at the exact field, `when` or an argument, not only the task) and what
 * the plays' vars_files define. Passed explicitly from the loader to the checker: nothing is kept beside the
 * model in module state.
 */
import type { ValuePath, YamlFile } from '../config/yaml.js';
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

export interface VarsFromFiles {
  values: Vars;
  /** false when a file name is templated: which names the files define is known only at run time. */
  complete: boolean;
  /** The files read, for checking the templates in their values. */
  files: YamlFile[];
}

export interface LoadedPlaybook {
  playbook: Playbook;
  /** Where each play and task node (of the playbook and every task file it loads) was written. */
  sources: ReadonlyMap<Play | TaskNode, NodeSource>;
  /**
   * Per play, the variables of its vars_files as far as they are known before the run: fixed names are read
   * by the loader; templated ones by resolveTemplatedVarsFiles once the inventory and -e are known.
   */
  varsFromFiles: Map<Play, VarsFromFiles>;
  /** The module registry the playbook was loaded with (the checks read modules' conditionArgs). */
  modules: ReadonlyMap<string, ModuleDefinition>;
}

const NOTHING_FROM_FILES: VarsFromFiles = { values: {}, complete: true, files: [] };

export function varsFromFilesOf(loaded: LoadedPlaybook, play: Play): VarsFromFiles {
  return loaded.varsFromFiles.get(play) ?? NOTHING_FROM_FILES;
}
