/** Wording shared by template errors: the task part and "did you mean" hints. */
import { distance } from 'fastest-levenshtein';
import type { TemplateWhere } from './types.js';

export function taskPart(where: TemplateWhere): string {
  return where.task ? ` in task "${where.task}"` : '';
}

/** Up to three names close to `name` (case-insensitive edit distance), closest first. */
export function closeNames(name: string, candidates: Iterable<string>): string[] {
  const lower = name.toLowerCase();
  const limit = Math.max(2, Math.floor(name.length / 3));
  const scored: Array<[number, string]> = [];
  for (const c of candidates) {
    if (c === name) continue;
    const d = distance(lower, c.toLowerCase());
    if (d <= limit) scored.push([d, c]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
  return scored.slice(0, 3).map(([, c]) => c);
}

function didYouMean(names: string[]): string | undefined {
  if (names.length === 0) return undefined;
  return `did you mean ${names.map((n) => `"${n}"`).join(' or ')}?`;
}

export function missingVariableHint(name: string, defined: Iterable<string>): string {
  const dym = didYouMean(closeNames(name, defined));
  const how = `define it (inventory, play vars, vars_files, -e, register/set_fact) or write (default ${name} VALUE)`;
  return dym ? `${dym} Otherwise ${how}` : how;
}

export function missingPropertyHint(full: string, key: string, parent: unknown): string {
  const keys = parent !== null && typeof parent === 'object' ? Object.keys(parent) : [];
  const dym = didYouMean(closeNames(key, keys).map((k) => full.slice(0, full.length - key.length) + k));
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
