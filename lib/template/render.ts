/**
 * Rendering one template string: the direct evaluator for plain expressions, Handlebars for
 * blocks, and native values for strings that are exactly one `{{ expr }}`.
 */
import { OmsplayError, ValidationError } from '../errors.js';
import type { Vars } from '../inventory/types.js';
import type { RefSite } from './ast.js';
import { compileTemplate, type PlanPart } from './compile.js';
import { hb, RUNTIME_OPTIONS, slots, textOf } from './env.js';
import { evaluate } from './evaluate.js';
import { renderState } from './helpers.js';
import { taskPart } from './messages.js';
import { lookup, resolveRef } from './refs.js';
import { problemError, quoteTemplate } from './syntax.js';
import type { TemplateWhere } from './types.js';
import { toPlain, view } from './view.js';

export { compileTemplate } from './compile.js';
export { textOf } from './env.js';
export { problemError } from './syntax.js';

/** The template being rendered, for `__ref` inside Handlebars templates. */
let active: { refs: RefSite[]; source: string; where: TemplateWhere } | undefined;

hb.registerHelper('__ref', (index: number, options: { data?: { root?: unknown } }) =>
  resolveRef(active!.refs[index]!, options.data?.root, active!.source, active!.where),
);

const NOTHING = Symbol('nothing');

/**
 * Renders one template string: native value when it is exactly one `{{ expr }}`, else a string.
 * `shown` is the text errors quote (a bare condition is quoted as written, without added braces).
 */
export function renderString(source: string, vars: Vars, where: TemplateWhere, allowNative = true, shown = source): unknown {
  if (!source.includes('{{')) return source;
  const c = compileTemplate(source);
  if (c.problem) throw problemError(c.problem, source, where, shown);
  const previous = renderState.where;
  const previousActive = active;
  renderState.where = where;
  active = { refs: c.analysis.refs, source: shown, where };
  try {
    if (c.plan) {
      const resolve = (ref: RefSite, guarded: boolean) => (guarded ? lookup(ref, vars) : resolveRef(ref, vars, shown, where));
      if (c.native) {
        const part = c.plan[0] as Exclude<PlanPart, string>;
        const value = evaluate(part.node, c.refMap, resolve, part.asCall);
        return allowNative ? toPlain(value) : textOf(value);
      }
      let out = '';
      for (const part of c.plan) out += typeof part === 'string' ? part : textOf(evaluate(part.node, c.refMap, resolve, part.asCall));
      return out;
    }
    const ctx = view(vars);
    const fn = c.fn!;
    if (c.native) {
      slots.captured = NOTHING;
      fn(ctx, RUNTIME_OPTIONS);
      const value = toPlain(slots.captured);
      slots.captured = undefined;
      if (value === NOTHING) return allowNative ? undefined : '';
      return allowNative ? value : textOf(value);
    }
    return fn(ctx, RUNTIME_OPTIONS);
  } catch (e) {
    if (e instanceof OmsplayError) throw e;
    const text = e instanceof Error ? e.message : String(e);
    throw new ValidationError(`template error${taskPart(where)}: ${text} in ${quoteTemplate(shown)}`, { location: where.location, cause: e });
  } finally {
    renderState.where = previous;
    active = previousActive;
  }
}

