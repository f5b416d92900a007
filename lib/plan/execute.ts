/**
 * The plan executor: gathers facts, asks the module for its plan, and runs the commands in order,
 * checking every exit code here (one clear error naming the command) so that modules never do.
 * Under --check nothing runs: the result says what would be done (`planned`, `would ...`).
 *
 * runPlan() is the whole algorithm over an injected IO: the engine gives it the host
 * (executePlanModule), the case runner (test/unit/modules/cases.test.ts) gives it a case file's facts
 * and outputs. Both walk the same code.
 */
import type { ExecResult } from '../connection/types.js';
import { CommandFailedError, TaskFailedError } from '../errors.js';
import type { CheckModeSupport, ModuleContext, ModuleResult } from '../modules/types.js';
import { commandName, resolvePrivate, showCommand } from './command.js';
import { FactCache } from './facts.js';
import { withPrivateDir } from './private-dir.js';
import type { FactReader, Plan, PlanEnv, PlanParts, PlannedCommand } from './types.js';

/** Where a plan's facts come from and where its commands go. */
export interface PlanIO<F> {
  gather(): Promise<F>;
  run(cmd: PlannedCommand): Promise<ExecResult>;
  /** Commands ran: forget the facts they change. */
  invalidate(plan: Plan): void;
}

export interface PlanRunOptions {
  check: boolean;
  diff: boolean;
  env: PlanEnv;
}

export async function runPlan<A, F>(m: PlanParts<A, F> & { checkMode?: CheckModeSupport }, args: A, io: PlanIO<F>, o: PlanRunOptions): Promise<ModuleResult> {
  const facts = await io.gather();
  const plan = m.plan(args, facts, o.env);
  if (o.check) return m.checkMode === 'none' ? unpredictable(plan) : checkResult(plan, o.diff);
  if (plan.unmet) {
    const { msg: _msg, ...fields } = plan.result;
    throw new TaskFailedError(plan.unmet.msg, fields, plan.unmet.hint ? { hint: plan.unmet.hint } : {});
  }
  const changed = plan.commands.length > 0;
  const outputs: ExecResult[] = [];
  try {
    for (const c of plan.commands) {
      const r = await io.run(c);
      outputs.push(r);
      if (!accepted(c, r)) throw c.failure ? c.failure(r, o.env.host) : commandFailed(c, r, o.env.host);
      const bad = c.verify?.(r, o.env.host);
      if (bad) throw bad;
    }
  } finally {
    if (outputs.length > 0) io.invalidate(plan);
  }
  // Nothing ran: the plan's result is the result.
  if (!changed || !m.finish) return { changed, ...plan.result };
  const after = m.regather ? await io.gather() : undefined;
  const fields = m.finish({ args, plan, outputs, after, env: o.env });
  const res: ModuleResult = { changed, ...fields };
  if (o.diff) res.diff = (fields.diff as ModuleResult['diff']) ?? plan.diff ?? plannedDiff(plan);
  else delete res.diff;
  return res;
}

/** The --check result: the plan's result, `would ...`, the planned commands, and no command run. */
export function checkResult(plan: Plan, diff: boolean): ModuleResult {
  const changed = plan.commands.length > 0;
  let msg = changed && plan.result.msg ? `would ${plan.result.msg}` : plan.result.msg;
  if (plan.unmet) msg = `${msg ?? 'would run'} (${plan.unmet.check})`;
  const res: ModuleResult = { changed, ...plan.result, ...(msg !== undefined ? { msg } : {}), planned: plan.commands.map(showCommand) };
  if (diff && changed) res.diff = plan.diff ?? plannedDiff(plan);
  return res;
}

/** --check of a module whose effect cannot be known (checkMode 'none'): skipped, saying what it would run. */
function unpredictable(plan: Plan): ModuleResult {
  if (plan.commands.length === 0) return { changed: false, ...plan.result };
  const msg = `check mode: would ${plan.result.msg ?? `run ${plan.commands.map(showCommand).join('; ')}`}`;
  return { changed: false, ...plan.result, skipped: true, msg, planned: plan.commands.map(showCommand) };
}

function plannedDiff(plan: Plan): NonNullable<ModuleResult['diff']> {
  return { before: '', after: plan.commands.map((c) => `${showCommand(c)}\n`).join(''), header: 'planned commands' };
}

function accepted(c: PlannedCommand, r: ExecResult): boolean {
  if (c.okExitCodes === 'any') return true;
  return r.exitCode !== null && (c.okExitCodes ?? [0]).includes(r.exitCode);
}

/** The default error of a failed command: its name, how it ended, the last lines of stderr. */
export function commandFailed(c: PlannedCommand, r: ExecResult, host: string): CommandFailedError {
  const how = r.timedOut ? 'timed out' : r.signal ? `signal ${r.signal}` : `exit ${r.exitCode}`;
  const last = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join('\n');
  return new CommandFailedError(`${commandName(c)} failed on ${host} (${how})${last ? `: ${last}` : ''}`, {
    command: showCommand(c),
    exitCode: r.exitCode,
    signal: r.signal,
    stderr: r.stderr,
    stdout: r.stdout,
    timedOut: r.timedOut,
  });
}

/** Runs one planned command through the task's exec (become, timeout, signal), private files included. */
export async function execPlanned(ctx: ModuleContext, c: PlannedCommand): Promise<ExecResult> {
  const opts = { ...(c.stdin !== undefined ? { stdin: c.stdin } : {}), ...(c.env ? { env: c.env } : {}), ...(c.cwd ? { cwd: c.cwd } : {}) };
  if ('sql' in c) throw new Error(`an SQL command reached a host: ${c.sql.slice(0, 80)} (SQL runs through lib/metadb/execute.ts)`);
  if ('script' in c) return ctx.exec({ script: c.script }, opts);
  const files = Object.entries(c.privateFiles ?? {});
  if (files.length === 0) return ctx.exec({ argv: c.argv }, opts);
  // The first file goes in the command that makes the directory (one round trip less).
  const [first, ...rest] = files;
  return withPrivateDir(
    ctx,
    async (dir) => {
      for (const [name, content] of rest) await dir.write(name, content);
      return ctx.exec({ argv: resolvePrivate(c.argv, dir.path) }, opts);
    },
    { name: first![0], content: first![1] },
  );
}

/** The plan environment of a task. */
export function planEnv(ctx: ModuleContext): PlanEnv {
  return { host: ctx.host, isSecret: (v) => v !== '' && ctx.masker.mask(v) !== v, become: ctx.become };
}

/**
 * A planning module's run(): its facts through the run's cache when the engine gives one (ctx.facts),
 * else through a cache of this call only (a module called directly, as the lab tests do).
 */
export function executePlanModule<A, F>(m: PlanParts<A, F> & { checkMode?: CheckModeSupport }, args: A, ctx: ModuleContext): Promise<ModuleResult> {
  const facts: FactReader = ctx.facts ?? new FactCache().reader(ctx.host, (c) => execPlanned(ctx, c));
  const gctx = { ...ctx, facts };
  return runPlan(
    m,
    args,
    {
      gather: () => m.gather(args, gctx),
      run: (c) => (m.exec ? m.exec(c, ctx, args) : execPlanned(ctx, c)),
      invalidate: (plan) => {
        if (!plan.invalidates) return facts.invalidate();
        for (const i of plan.invalidates) facts.invalidate(i.fact, i.params);
      },
    },
    { check: ctx.check, diff: ctx.diff, env: planEnv(ctx) },
  );
}
