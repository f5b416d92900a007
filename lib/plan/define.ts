/** definePlanModule(): a ModuleDefinition whose run() is the plan executor. */
import type { ModuleDefinition } from '../modules/types.js';
import { executePlanModule } from './execute.js';
import type { PlanModuleDefinition, PlanParts } from './types.js';

export function definePlanModule<A, F>(def: Omit<ModuleDefinition<A>, 'run'> & PlanParts<A, F>): PlanModuleDefinition<A, F> {
  const m: PlanModuleDefinition<A, F> = { ...def, run: (args, ctx) => executePlanModule(m, def.normalize ? def.normalize(args) : args, ctx) };
  return m;
}

export function isPlanModule(m: ModuleDefinition): m is PlanModuleDefinition {
  return typeof (m as Partial<PlanModuleDefinition>).plan === 'function';
}
