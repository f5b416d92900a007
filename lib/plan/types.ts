/**
 * The plan seam (pyinfra's operations and facts, Kamal's command builders). A planning module is
 *
 *   gather(args, ctx) -> facts        read the host's state through typed, cached facts
 *   plan(args, facts, env) -> Plan    pure and synchronous: the commands to run and the result
 *   finish?(...) -> result            pure: a result that needs the commands' output or the state after
 *
 * and the executor (lib/plan/execute.ts) runs the plan: commands in order, each exit code checked
 * in one place, or under --check returns it without running anything (--diff shows it).
 * "changed" means the plan has commands. Because plan() and finish() are pure, a module's decisions
 * are tested from data (test/modules/<module>/<case>.json) without a host.
 */
import type { SqlValue } from '../commands/sql/statement.js';
import type { BecomeOptions, ExecResult } from '../connection/types.js';
import type { ModuleContext, ModuleDefinition, ModuleResult } from '../modules/types.js';

/**
 * One piece of a host's state: the command that reads it (a builder of lib/commands) and the parser
 * that says what the output means. Values are cached per host for the run (lib/plan/facts.ts).
 */
export interface Fact<P, V> {
  /** Unique id, `docker.container`; with the params it keys the cache. */
  readonly name: string;
  /**
   * 'run': valid until a module that changes it runs (a loaded image, a file's checksum, a config file).
   * 'task': state that changes by itself (a container's status): read again in every task.
   */
  readonly lifetime: 'run' | 'task';
  /** The read command (an argv from lib/commands). */
  command(params: P): PlannedCommand;
  /** What the output means. Throws (naming the host) when the read itself failed; absence is a value (null). */
  parse(r: ExecResult, params: P, host: string): V;
}

/** Reads facts through the task's connection (become, timeout, Ctrl-C), cached per host per run. */
export interface FactReader {
  get<P, V>(fact: Fact<P, V>, params: P): Promise<V>;
  /** Forgets one value, every value of a fact (no params), or everything known about the host (no fact). */
  invalidate(fact?: Fact<any, any>, params?: unknown): void;
}

/**
 * One command of a plan: an argv (never a shell string), a script for the `shell` module only, or an SQL
 * statement for the MetaDB over mysql2 (run by lib/metadb/execute.ts, never by a host).
 */
export type PlannedCommand = ({ argv: readonly string[] } | { script: string } | SqlCommand) & {
  /** What a person reads in errors and --check output (`docker stop oms_331`); default the quoted command. */
  what?: string;
  /** Standard input (content that must not reach argv). */
  stdin?: string;
  env?: Record<string, string>;
  /** Working directory. */
  cwd?: string;
  /**
   * Files holding secrets that the command reads: written 0600 into a private temporary directory
   * before it runs and removed after, also on failure. The argv names them with privateFile(name).
   */
  privateFiles?: Record<string, string>;
  /** Exit codes that are not a failure (default [0]); 'any' leaves the judgement to the module's finish(). */
  okExitCodes?: number[] | 'any';
  /** Pure: the error an accepted output still means (a dump without its completion trailer); the plan stops there. */
  verify?(r: ExecResult, host: string): Error | undefined;
  /** The error a failed run means (default: CommandFailedError naming the command, its exit code and last stderr lines). */
  failure?(r: ExecResult, host: string): Error;
};

/** An SQL statement with `?` placeholders bound by the driver (lib/commands/sql/). */
export interface SqlCommand {
  sql: string;
  params: readonly SqlValue[];
}

/** What the plan knows of where it runs; everything else comes from args and facts. */
export interface PlanEnv {
  /** Inventory name of the host (for messages). */
  host: string;
  /** True for a value the run treats as a secret (such values go through privateFiles or stdin, never argv). */
  isSecret(value: string): boolean;
  /** The task's become (sudo) settings, for plans whose commands depend on them. */
  become?: boolean | BecomeOptions;
}

export interface Plan {
  /** Run in order; the first that fails ends the task. None = nothing to do (changed false). */
  commands: PlannedCommand[];
  /**
   * The module's result fields (`changed` is set by the executor). `msg` names what the commands do
   * as an action (`create+start oms_400`): --check shows it as `would create+start oms_400`.
   */
  result: Record<string, unknown> & { msg?: string };
  /** Before/after text for --diff (default under --check: the planned commands). */
  diff?: { before: string; after: string; header?: string };
  /**
   * A precondition that is not met now but that an earlier task of a --check run may meet (an image
   * that a skipped load would bring). A real run fails with `msg`/`hint`; --check reports the plan
   * with `check` as a note.
   */
  unmet?: { msg: string; hint?: string; check: string };
  /** The facts the commands change (forgotten after they run). Default: everything known about the host. */
  invalidates?: Array<{ fact: Fact<any, any>; params?: unknown }>;
}

/** What finish() gets after the commands ran. */
export interface PlanOutcome<F, A = any> {
  /** The task's arguments, as plan() got them. */
  args: A;
  plan: Plan;
  /** One per command, in order. */
  outputs: ExecResult[];
  /** Facts gathered again after the commands (only when the module sets `regather`). */
  after?: F;
  env: PlanEnv;
}

/** The context gather() reads facts with (a ModuleContext whose `facts` is always set). */
export type GatherContext = ModuleContext & { facts: FactReader };

/** The parts a planning module adds to a ModuleDefinition (definePlanModule() builds run() from them). */
export interface PlanParts<A, F> {
  /** The arguments as gather/plan read them (e.g. a `metadb` object spread into login_*), once before gather. */
  normalize?(args: A): A;
  gather(args: A, ctx: GatherContext): Promise<F>;
  plan(args: A, facts: F, env: PlanEnv): Plan;
  /**
   * Pure: the result when it needs the commands' output (docker load's `Loaded image:` lines) or the
   * state after. Called only when commands ran (else the plan's result is the result). It may say
   * `changed: false` when the commands turned out to change nothing (a DELETE that matched no row).
   */
  finish?(outcome: PlanOutcome<F, A>): Record<string, unknown> & { msg?: string };
  /** gather() again after the commands ran, for finish() (`outcome.after`). */
  regather?: boolean;
  /**
   * The escape hatch of a module that must watch a command while it runs (mysql.dump's progress, and its
   * cleanup after Ctrl-C): runs each planned command instead of the executor. Never called under --check.
   */
  exec?(cmd: PlannedCommand, ctx: ModuleContext, args: A): Promise<ExecResult>;
}

export type PlanModuleDefinition<A = any, F = any> = ModuleDefinition<A> & PlanParts<A, F>;

export type { ModuleResult };
