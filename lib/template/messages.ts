/** Wording shared by template errors: the task part and "did you mean" hints. */
import { closeNames, didYouMeanOf } from '../did-you-mean.js';
import type { TemplateWhere } from './types.js';

export function taskPart(where: TemplateWhere): string {
  return where.task ? ` in task "${where.task}"` : '';
}

export function missingVariableHint(name: string, defined: Iterable<string>): string {
  const dym = didYouMeanOf(closeNames(name, defined));
  const how = `define it (inventory, play vars, vars_files, -e, register/set_fact) or write (default ${name} VALUE)`;
  return dym ? `${dym} Otherwise ${how}` : how;
}

export function missingPropertyHint(full: string, key: string, parent: unknown): string {
  const keys = parent !== null && typeof parent === 'object' ? Object.keys(parent) : [];
  const dym = didYouMeanOf(closeNames(key, keys).map((k) => full.slice(0, full.length - key.length) + k));
  const how = `for an optional value write (default ${full} VALUE), or test it with (defined ${full})`;
  return dym ? `${dym} Otherwise ${how}` : how;
}

/** `{{.Names}}` / `{{ .State.Running }}`: Go templates (docker --format) that must reach the host as written. */
const GO_TEMPLATE = /\{\{-?\s*(?:[a-z]+\s+)?\.[A-Za-z]/;

export const GO_TEMPLATE_HINT =
  "'{{' starts a template here; to pass a Go template (docker --format) through as written, escape it as \\{{.Names}} or wrap it in {{{{raw}}}}...{{{{/raw}}}}";

export function looksLikeGoTemplate(text: string): boolean {
  return GO_TEMPLATE.test(text);
}
