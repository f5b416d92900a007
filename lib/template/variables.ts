/**
 * What templates read, found without rendering: validation uses it to report variables nothing
 * defines, and template syntax errors, before anything runs.
 */
import type { ValidationError } from '../errors.js';
import { uniqueRefs, type VarRef } from './ast.js';
import { conditionTemplate } from './conditions.js';
import { compileTemplate, problemError } from './render.js';
import type { TemplateWhere } from './types.js';
import { isPlainObject } from './view.js';

/** 'template': strings with `{{` are templates. 'condition': every string is a condition (bare or `{{ }}`). */
export type TemplateKind = 'template' | 'condition';

function eachTemplate(value: unknown, kind: TemplateKind, f: (source: string, shown: string) => void): void {
  if (typeof value === 'string') {
    if (kind === 'condition') {
      if (value.trim() !== '') f(conditionTemplate(value), value);
    } else if (value.includes('{{')) f(value, value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) eachTemplate(v, kind, f);
    return;
  }
  if (isPlainObject(value)) for (const v of Object.values(value)) eachTemplate(v, kind, f);
}

/** Every variable read (with its property path) by the templates in `value`; syntax errors are skipped. */
export function templateReferences(value: unknown, kind: TemplateKind = 'template'): VarRef[] {
  const refs: VarRef[] = [];
  eachTemplate(value, kind, (source) => {
    const c = compileTemplate(source);
    if (!c.problem) refs.push(...c.analysis.refs);
  });
  return uniqueRefs(refs);
}

/**
 * Root variable names the templates in `value` read. Helper names, literals, block params,
 * `this`, `@index`/`@key`..., names inside `{{#each}}`/`{{#with}}` that refer to the item, and names
 * read only as the first argument of `default`/`defined` are not included. A name that is tested
 * with `defined`/`default` anywhere in `value` is optional there, so its other reads (typically in
 * a guarded branch: `{{#if (defined b)}}{{b.path}}{{/if}}`, or a condition list
 * `[(defined b), b.ok]`) are not reported either.
 */
export function referencedVariables(value: unknown, kind: TemplateKind = 'template'): Set<string> {
  const refs = templateReferences(value, kind);
  const optional = new Set(refs.filter((r) => r.guarded).map((r) => r.root));
  const names = new Set<string>();
  for (const ref of refs) if (!optional.has(ref.root)) names.add(ref.root);
  return names;
}

/** Syntax errors (and unknown helpers, partials) of every template in `value`, with `where`'s location. */
export function templateSyntaxErrors(value: unknown, where: TemplateWhere = {}, kind: TemplateKind = 'template'): ValidationError[] {
  const errors: ValidationError[] = [];
  eachTemplate(value, kind, (source, shown) => {
    const c = compileTemplate(source);
    if (c.problem) errors.push(problemError(c.problem, source, where, shown));
  });
  return errors;
}
