/** Reading a variable path from the variables: checked (an error names what is missing) or optional. */
import { ValidationError } from '../errors.js';
import { Secret } from '../secrets.js';
import type { RefSite } from './ast.js';
import { GO_TEMPLATE_HINT, looksLikeGoTemplate, missingPropertyHint, missingVariableHint, taskPart } from './messages.js';
import { quoteTemplate } from './syntax.js';
import type { TemplateWhere } from './types.js';

const MISSING = Symbol('missing');

/** A read inside default/defined: missing is undefined. */
export function lookup(ref: RefSite, root: Record<string, unknown>): unknown {
  if (!Object.hasOwn(root, ref.root)) return undefined;
  let cur: unknown = root[ref.root];
  for (const part of ref.parts) {
    cur = child(cur, part);
    if (cur === MISSING) return undefined;
  }
  return cur;
}

function child(cur: unknown, key: string): unknown {
  if (cur instanceof Secret) return child(cur.value, key);
  if (cur === null || cur === undefined) return MISSING;
  if (typeof cur === 'object') return Object.hasOwn(cur, key) ? (cur as Record<string, unknown>)[key] : MISSING;
  if (typeof cur === 'string') return key === 'length' ? cur.length : MISSING;
  return MISSING;
}

/** The value a variable read names; a missing variable or property is a ValidationError. */
export function resolveRef(ref: RefSite, root: unknown, source: string, where: TemplateWhere): unknown {
  if (root === null || typeof root !== 'object' || !Object.hasOwn(root, ref.root)) {
    throw new ValidationError(`undefined variable "${ref.root}"${taskPart(where)} in ${quoteTemplate(source)}`, {
      location: where.location,
      hint: looksLikeGoTemplate(source) ? GO_TEMPLATE_HINT : missingVariableHint(ref.root, root && typeof root === 'object' ? Object.keys(root) : []),
    });
  }
  let cur: unknown = (root as Record<string, unknown>)[ref.root];
  for (let i = 0; i < ref.parts.length; i++) {
    const next = child(cur, ref.parts[i]!);
    if (next === MISSING) {
      const have = [ref.root, ...ref.parts.slice(0, i)].join('.');
      const full = [ref.root, ...ref.parts].join('.');
      const what = cur === null ? 'is null' : cur === undefined ? 'is undefined' : `has no "${ref.parts[i]}"`;
      throw new ValidationError(`undefined variable "${full}"${taskPart(where)}: "${have}" ${what}, in ${quoteTemplate(source)}`, {
        location: where.location,
        hint: missingPropertyHint(full, ref.parts[i]!, cur),
      });
    }
    cur = next;
  }
  return cur;
}
