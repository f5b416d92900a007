/**
 * Conditions (`when`, `until`, `failed_when`, `changed_when`). Each is a boolean, a bare
 * Handlebars expression (`(eq region "hz")`, `ha.enable`, `(and a (not b))`), or a `{{ }}`
 * template; a list holds when every item holds (evaluated in order, stopping at the first
 * false one, so `[(defined x), x.enabled]` is safe). Results are judged by `isTruthy`.
 */
import type { Vars } from '../inventory/types.js';
import type { Condition } from '../playbook/types.js';
import { renderString } from './render.js';
import { isTruthy } from './truthy.js';
import type { TemplateWhere } from './types.js';

/** The template text a condition string stands for: a bare expression gets its braces. */
export function conditionTemplate(cond: string): string {
  return cond.includes('{{') ? cond : `{{ ${cond.trim()} }}`;
}

export function evaluateCondition(cond: Condition | unknown, vars: Vars, where: TemplateWhere): boolean {
  if (typeof cond === 'boolean') return cond;
  if (typeof cond !== 'string') return isTruthy(cond);
  if (cond.trim() === '') return false;
  return isTruthy(renderString(conditionTemplate(cond), vars, where, true, cond));
}

/** undefined or an empty list: true. */
export function evaluateConditions(conds: Condition[] | Condition | undefined, vars: Vars, where: TemplateWhere): boolean {
  if (conds === undefined) return true;
  if (!Array.isArray(conds)) return evaluateCondition(conds, vars, where);
  for (const c of conds) if (!evaluateCondition(c, vars, where)) return false;
  return true;
}
