/**
 * Data-driven module cases (as pyinfra's tests/operations): test/modules/<module>/<case>.{json,yml}
 * holds the arguments, the facts gather() would return, the commands the plan must hold and the
 * result the engine returns. runCase() walks the executor's own code (runPlan) with those facts
 * and made-up command outputs: no host, no SSH.
 *
 * Case fields:
 *   description  what the case shows (required)
 *   args         the task's arguments (after templating)
 *   facts        what the module's gather() returns (the fact values, e.g. container: null)
 *   reads        instead of facts: the outputs of the fact reads, in order, as
 *                [{command, exitCode, stdout, stderr}]; the module's real gather() and the facts'
 *                parsers run on them (with `vars` as the host's variables)
 *   vars         the host's variables gather() sees (with `reads`)
 *   after        facts gathered again after the commands (modules with `regather`); default `facts`
 *   host         inventory name of the host (default `host1`)
 *   secrets      values the run treats as secrets (they must not reach argv)
 *   become       the task's become settings (true, or {method: sudo_direct, ...})
 *   check, diff  --check / --diff
 *   commands     the planned commands, in order: an argv list, or {argv|script, stdin, env, privateFiles}
 *   outputs      one per command run: {exitCode, stdout, stderr} (default exit 0, no output)
 *   result       fields the returned result must have (a subset; `changed` included)
 *   error        a regular expression the task's failure must match (an error, or a result with failed: true)
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ExecResult } from '../../lib/connection/types.js';
import type { ModuleResult } from '../../lib/modules/types.js';
import { caseForm } from '../../lib/plan/command.js';
import { runPlan } from '../../lib/plan/execute.js';
import type { FactReader, GatherContext, Plan, PlanEnv, PlanModuleDefinition, PlannedCommand } from '../../lib/plan/types.js';

export const CASES_DIR = new URL('../modules/', import.meta.url).pathname;

export interface ModuleCase {
  file: string;
  description: string;
  args: Record<string, unknown>;
  facts?: unknown;
  reads?: Array<{ command: unknown } & Partial<ExecResult>>;
  vars?: Record<string, unknown>;
  after?: unknown;
  host?: string;
  secrets?: string[];
  become?: PlanEnv['become'];
  check?: boolean;
  diff?: boolean;
  commands?: unknown[];
  outputs?: Array<Partial<ExecResult>>;
  result?: Record<string, unknown>;
  error?: string;
}

/** Module id -> its cases, from the directory names under test/modules/. */
export function loadCases(dir = CASES_DIR): Map<string, ModuleCase[]> {
  const out = new Map<string, ModuleCase[]>();
  for (const mod of readdirSync(dir, { withFileTypes: true })) {
    if (!mod.isDirectory()) continue;
    const cases: ModuleCase[] = [];
    for (const f of readdirSync(join(dir, mod.name)).sort()) {
      if (!/\.(json|ya?ml)$/.test(f)) continue;
      const text = readFileSync(join(dir, mod.name, f), 'utf8');
      let data: Record<string, unknown>;
      try {
        data = f.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
      } catch (e) {
        throw new Error(`test/modules/${mod.name}/${f}: ${e instanceof Error ? e.message : String(e)}`);
      }
      cases.push({ file: `${mod.name}/${f}`, ...(data as Omit<ModuleCase, 'file'>) });
    }
    out.set(mod.name, cases);
  }
  return out;
}

export interface CaseRun {
  plan?: Plan;
  /** The plan's commands in case form. */
  commands?: unknown[];
  /** Commands handed to the host (none under --check). */
  ran: PlannedCommand[];
  result?: ModuleResult;
  error?: Error;
}

export async function runCase(m: PlanModuleDefinition, c: ModuleCase): Promise<CaseRun> {
  const run: CaseRun = { ran: [] };
  let gathered = 0;
  const spy = { ...m, plan: (a: unknown, f: unknown, e: Parameters<typeof m.plan>[2]) => (run.plan = m.plan(a, f, e)) };
  const secrets = new Set(c.secrets ?? []);
  try {
    run.result = await runPlan(
      spy,
      c.args,
      {
        gather: async () => {
          if (gathered++ > 0 && c.after !== undefined) return c.after;
          return c.reads ? m.gather(c.args, readsContext(c)) : c.facts;
        },
        run: async (cmd) => {
          const o = c.outputs?.[run.ran.length] ?? {};
          run.ran.push(cmd);
          return { exitCode: 0, signal: null, stdout: '', stderr: '', durationMs: 0, timedOut: false, ...o };
        },
        invalidate: () => undefined,
      },
      { check: c.check ?? false, diff: c.diff ?? false, env: { host: c.host ?? 'host1', isSecret: (v) => secrets.has(v), become: c.become } },
    );
  } catch (e) {
    run.error = e instanceof Error ? e : new Error(String(e));
  }
  if (run.plan) run.commands = run.plan.commands.map(caseForm);
  return run;
}

/** A gather context whose fact reads are answered by the case's `reads`, in order. */
function readsContext(c: ModuleCase): GatherContext {
  let next = 0;
  const host = c.host ?? 'host1';
  const facts: FactReader = {
    async get(fact, params) {
      const asked = caseForm(fact.command(params));
      const read = c.reads?.[next++];
      if (!read) throw new Error(`${c.file}: unexpected read ${JSON.stringify(asked)} (no more reads in the case)`);
      if (JSON.stringify(read.command) !== JSON.stringify(asked)) throw new Error(`${c.file}: read ${next} is ${JSON.stringify(asked)}, the case has ${JSON.stringify(read.command)}`);
      const { command: _c, ...out } = read;
      return fact.parse({ exitCode: 0, signal: null, stdout: '', stderr: '', durationMs: 0, timedOut: false, ...out }, params, host);
    },
    invalidate: () => undefined,
  };
  return { host, vars: c.vars ?? {}, facts } as unknown as GatherContext;
}
