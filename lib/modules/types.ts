/**
 * The module seam. A module is one file exporting a ModuleDefinition: its argument schema (JSON
 * Schema, copied into schemas/modules/ by `npm run schemas`), how it behaves in check mode, what
 * its result holds, and its run. Commands are built by pure builders (lib/commands/) and run
 * through `ctx.conn`. A module that decides from the host's state is a planning module
 * (lib/plan/types.ts, definePlanModule): facts, a pure plan, and run() is the plan executor.
 */
import type { Connection, ExecOptions, ExecResult, Command } from '../connection/types.js';
import type { Masker } from '../secrets.js';
import type { Vars } from '../inventory/types.js';
import type { FactReader } from '../plan/types.js';

export type CheckModeSupport =
  /** Reads state and reports what it would change, changing nothing. */
  | 'full'
  /** Changes nothing by nature (debug, assert, set_fact, info modules): runs normally in check mode. */
  | 'read_only'
  /** Cannot predict: skipped in check mode with a message saying what it would do. */
  | 'none';

export interface ModuleResult {
  changed: boolean;
  failed?: boolean;
  /** Human summary. */
  msg?: string;
  /** Before/after for --diff. */
  diff?: { before: string; after: string; header?: string };
  /** Facts to merge into the host's variables (set_fact, record). */
  facts?: Vars;
  /** Marks this result as skipped (e.g. check mode of a 'none' module, creates/removes). */
  skipped?: boolean;
  rc?: number | null;
  stdout?: string;
  stderr?: string;
  [key: string]: unknown;
}

export interface ProgressEvent {
  /** Bytes or items done / total. */
  done: number;
  total?: number;
  unit: 'bytes' | 'items';
  message?: string;
}

export interface ModuleContext {
  /** Inventory host the task is for. */
  host: string;
  /** Connection that commands run through (the delegate's when delegate_to is set). */
  conn: Connection;
  /** Returns the connection of another inventory host (e.g. the tunnel host of mysql.query). */
  connectionFor(host: string): Promise<Connection>;
  /** The host's variables at this point (inventory, play, facts, registered). */
  vars: Vars;
  check: boolean;
  diff: boolean;
  become?: ExecOptions['become'];
  timeoutMs?: number;
  noLog: boolean;
  masker: Masker;
  signal: AbortSignal;
  /** Directory of the playbook (for relative `src` paths). */
  playbookDir: string;
  /** Directory of this run's state (journal, locks). */
  runDir: string;
  /** Interactive confirmation; rejects with a clear error when there is no TTY and no --yes. */
  confirm(prompt: string): Promise<boolean>;
  progress(event: ProgressEvent): void;
  /** exec with the task's become/timeout/signal applied. */
  exec(command: Command, opts?: ExecOptions): Promise<ExecResult>;
  /** Facts of this host, cached for the run (lib/plan/facts.ts); absent when a module is called outside the engine. */
  facts?: FactReader;
}

export interface ResultField {
  name: string;
  description: string;
}

export interface ModuleDefinition<A = any> {
  /** Module id as written in a task: `command`, `docker.container`, `mysql.dump`. */
  name: string;
  summary: string;
  /** JSON Schema of the arguments (draft 2020-12 subset that ajv understands). */
  schema: Record<string, unknown>;
  /** For modules that take a free-form string (command, shell): the property a bare string maps to. */
  freeForm?: string;
  checkMode: CheckModeSupport;
  /**
   * For checkMode 'none': run() is still called in check mode (ctx.check true) because the module
   * can say more than "would run" without changing anything (command evaluates creates/removes);
   * it returns a skipped result itself. Without it the engine skips 'none' modules in check mode.
   */
  runsInCheckMode?: boolean;
  /**
   * Arguments may render to undefined (set_fact: an undefined fact is what `defined` tests later). For the
   * other modules an argument template that renders to nothing fails the task (engine/undefined-args.ts).
   */
  keepsUndefined?: boolean;
  /** Arguments that hold conditions (assert's `that`): validation reads their variables as condition expressions. */
  conditionArgs?: string[];
  /** What `changed` means for this module. */
  changedMeans: string;
  /** Fields of the result object (what `register` gets), for the README. */
  result: ResultField[];
  /** A YAML example task for the README. */
  example: string;
  run(args: A, ctx: ModuleContext): Promise<ModuleResult>;
}
