/**
 * The one runner of the data-driven module cases (test/modules/<module>/<case>.{json,yml}; the
 * format is in test/support/plan-cases.ts). Every planning module must have cases, and among them
 * a --check case and an error case.
 */
import { describe, expect, it } from 'vitest';
import { modules } from '../../../lib/modules/index.js';
import { isPlanModule } from '../../../lib/plan/define.js';
import type { PlanModuleDefinition } from '../../../lib/plan/types.js';
import { loadCases, runCase } from '../../support/plan-cases.js';

const all = loadCases();

/** The error as the engine reports it: the message, then the hint. */
function shown(e: Error): string {
  const hint = (e as { hint?: string }).hint;
  return hint ? `${e.message} (hint: ${hint})` : e.message;
}
const planning = [...modules.values()].filter(isPlanModule);

describe('module cases', () => {
  for (const [name, cases] of all) {
    describe(name, () => {
      const m = modules.get(name);
      it('is a planning module', () => {
        expect(m, `test/modules/${name}: no module ${name}`).toBeDefined();
        expect(isPlanModule(m!), `${name} does not plan (definePlanModule)`).toBe(true);
      });
      for (const c of cases) {
        it(`${c.file}: ${c.description}`, async () => {
          const run = await runCase(m as PlanModuleDefinition, c);
          if (c.error !== undefined) {
            // The task fails: by an error, or by a result marked failed.
            const failure = run.error ? shown(run.error) : run.result?.failed ? String(run.result.msg) : `no error; result: ${JSON.stringify(run.result)}`;
            expect(failure).toMatch(new RegExp(c.error));
          } else if (run.error) {
            throw run.error;
          }
          if (c.commands !== undefined) expect(run.commands).toEqual(c.commands);
          else if (c.error === undefined) throw new Error(`${c.file}: a case without an error states its commands`);
          if (c.check) expect(run.ran, 'nothing runs under --check').toEqual([]);
          if (c.result !== undefined) {
            expect(run.result).toBeDefined();
            expect(run.result).toMatchObject(c.result);
            // "changed" means the plan has commands (a skipped task changes nothing).
            // finish() may find that the commands changed nothing (a DELETE that matched no row).
            if (run.result!.changed) expect(!run.result!.skipped && run.plan!.commands.length > 0).toBe(true);
            else expect(run.result!.skipped || run.plan!.commands.length === 0 || run.ran.length > 0).toBe(true);
          }
        });
      }
    });
  }
});

describe('every planning module has its cases', () => {
  for (const m of planning) {
    it(m.name, () => {
      const cases = all.get(m.name) ?? [];
      expect(cases.length, `test/modules/${m.name}/ needs at least five cases`).toBeGreaterThanOrEqual(5);
      expect(cases.some((c) => c.check), `${m.name}: no --check case`).toBe(true);
      expect(cases.some((c) => c.error !== undefined), `${m.name}: no error case`).toBe(true);
    });
  }
});
