/**
 * The typed playbook model the engine runs. Built by lib/playbook/load.ts after schema validation;
 * every node keeps its source location so runtime errors can name file:line:col.
 */
import type { SourceLocation } from '../errors.js';
import type { Vars } from '../inventory/types.js';
import type { Masker } from '../secrets.js';

/** A condition as written: boolean, bare Handlebars expression, `{{ }}` template; a list means all must hold. */
export type Condition = boolean | string;

export interface TaskCommon {
  name?: string;
  when?: Condition[];
  tags: string[];
  vars: Vars;
  become?: boolean;
  becomeUser?: string;
  /** Host to run on instead ('localhost' or an inventory host); templated. */
  delegateTo?: string;
  /** true: once for the batch; 'region': once per region among the batch's hosts. */
  runOnce?: boolean | 'region';
  /** At most this many hosts run the task at once (1: one after the other). */
  throttle?: number;
  noLog?: boolean;
  ignoreErrors?: boolean;
  /** Force run (false) or skip-with-report (true) in check mode; undefined = module decides. */
  checkMode?: boolean;
  /** Seconds. */
  timeout?: number;
  location: SourceLocation;
}

export interface Task extends TaskCommon {
  kind: 'task';
  module: string;
  args: unknown;
  loop?: unknown;
  loopVar: string;
  /** loop_control.label: a template shown instead of the whole item. */
  loopLabel?: string;
  /** loop_control.parallel: how many items run at once (default 1: one after another); a template is rendered per host. */
  loopParallel?: number | string;
  register?: string;
  /** Record the registered value / facts in the run journal for later runs (`--from-run`). */
  record?: boolean;
  until?: Condition[];
  retries?: number;
  /** Seconds between retries. */
  delay?: number;
  failedWhen?: Condition[];
  changedWhen?: Condition[];
  notify: string[];
  /** For include_tasks: dynamic include resolved at run time. */
  includeFile?: string;
  /**
   * For include_tasks whose file name has no template: the file's tasks, loaded and validated at
   * load time (the engine runs them per host and loop item; `includeFile` is then an absolute path).
   */
  includedTasks?: TaskNode[];
  /** For include_tasks: the directory a (templated) relative `includeFile` is resolved against. */
  includeDir?: string;
}

export interface Block extends TaskCommon {
  kind: 'block';
  block: TaskNode[];
  rescue: TaskNode[];
  always: TaskNode[];
}

export type TaskNode = Task | Block;

export interface Handler extends Task {
  /** Names the handler answers to (its name and `listen`). */
  listen: string[];
}

export interface Play {
  name: string;
  hosts: string;
  vars: Vars;
  /** vars_files names as written (templates rendered per host at play start). */
  varsFiles: string[];
  /** Where each vars_files entry is written (errors about a file point there). */
  varsFileLocations: SourceLocation[];
  serial?: Array<number | string>;
  maxFailPercentage?: number;
  anyErrorsFatal: boolean;
  /** Run lock taken on every host of the play before it starts, held until the run ends (engine/lock.ts). */
  lock?: string;
  become?: boolean;
  becomeUser?: string;
  tags: string[];
  tasks: TaskNode[];
  handlers: Handler[];
  /**
   * Cluster-wide failure handling: plays that run when this play fails (a host failed or became
   * unreachable under any_errors_fatal, or max_fail_percentage was exceeded), on the still-reachable
   * hosts of their own `hosts` pattern, with `failure` in their variables.
   */
  onFailure: Play[];
  location: SourceLocation;
}

export interface Playbook {
  file: string;
  /** Directory task files and vars files are resolved against. */
  dir: string;
  plays: Play[];
}

/**
 * Loads the task file an include_tasks names at run time: the name rendered with a host's variables, the file
 * read and checked once per run (lib/playbook/files.ts includeTasksLoader). The engine gets it in RunOptions,
 * so that it runs the model without importing the loader.
 */
export type IncludeTasks = (task: Task, vars: Vars, masker?: Masker) => Promise<{ file: string; tasks: TaskNode[] }>;
