/**
 * Templates and conditions (Handlebars, no HTML escaping, no prototype access).
 *
 * - renderValue(value, vars, where): deep render; a string that is exactly one `{{ expr }}` keeps its native type.
 * - renderText(text, vars, where): render to a string (files, messages).
 * - evaluateConditions(conds, vars, where): boolean | bare expression | `{{ }}` | list (all must hold).
 * - isTruthy(value): the truthiness rules (see truthy.ts).
 * - referencedVariables(value, kind?) / templateReferences(value, kind?): what templates read.
 * - templateSyntaxErrors(value, where?, kind?): problems found before the run.
 *
 * Errors are ValidationError naming the variable or helper, the task (`where.task`) and
 * `where.location`, with a hint.
 */
export type { VarRef } from './ast.js';
export { evaluateCondition, evaluateConditions } from './conditions.js';
export { HELPER_NAMES, helperDocs, looseEquals } from './helpers.js';
export { textOf } from './render.js';
export { isTruthy } from './truthy.js';
export type { TemplateWhere } from './types.js';
export { renderText, renderValue } from './value.js';
export { referencedVariables, type TemplateKind, templateReferences, templateSyntaxErrors } from './variables.js';
