/** Deep rendering of a value (task arguments, vars): every string is a template. */
import type { Vars } from '../inventory/types.js';
import { renderString } from './render.js';
import type { TemplateWhere } from './types.js';
import { isPlainObject } from './view.js';

/**
 * Renders every string in `value` (deeply, through lists and mappings; keys are not rendered).
 * A string that is exactly one `{{ expr }}` becomes the expression's value with its type
 * (number, boolean, list, mapping, null). Unchanged parts keep their identity, so rendering
 * a value without templates allocates nothing.
 */
export function renderValue(value: unknown, vars: Vars, where: TemplateWhere): unknown {
  if (typeof value === 'string') return value.includes('{{') ? renderString(value, vars, where) : value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const r = renderValue(value[i], vars, where);
      if (r !== value[i] && !out) out = value.slice(0, i);
      if (out) out.push(r);
    }
    return out ?? value;
  }
  if (isPlainObject(value)) {
    let out: Record<string, unknown> | undefined;
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const r = renderValue(value[k], vars, where);
      if (r !== value[k] && !out) {
        out = {};
        for (let j = 0; j < i; j++) out[keys[j]!] = value[keys[j]!];
      }
      if (out) out[k] = r;
    }
    return out ?? value;
  }
  return value;
}

/** Renders a text (a file for the template module, a message): always a string, never native. */
export function renderText(text: string, vars: Vars, where: TemplateWhere): string {
  return renderString(text, vars, where, false) as string;
}
