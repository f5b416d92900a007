/**
 * ajv's errors as people read them: one ValidationError per problem, at the key or value it concerns, naming
 * what was expected and what was found (never a secret's value), with "did you mean" for unknown names.
 * A failed oneOf/anyOf becomes the errors of the branch that was clearly meant, or one "expected X or Y".
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { didYouMeanOf, suggest } from '../did-you-mean.js';
import { ValidationError } from '../errors.js';
import { looksSecret, Secret } from '../secrets.js';
import { ajv } from './ajv.js';
import { BOOLEAN_HINT, describeValue, YAML11_BOOLEANS } from './describe.js';
import { sortByLocation } from './problem-order.js';
import type { Locator, ValidateOptions } from './validate.js';
import type { ValuePath } from './yaml.js';

/** `root`: the schema validated against (to re-check oneOf/anyOf branches; ajv needs `verbose: true`). */
export function ajvErrorsToValidationErrors(raw: ErrorObject[], src: Locator, opts: ValidateOptions = {}, root?: object, original?: unknown): ValidationError[] {
  const errors = mergeRequired(collapse(raw, root).filter((e) => e.keyword !== 'if' && !isTemplated(e.data)));
  const out: ValidationError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // A secret's value never reaches a message.
    const path = pointerToPath(e.instancePath);
    const last = path[path.length - 1];
    const secret = valueAt(original, path) instanceof Secret || (typeof last === 'string' && looksSecret(last));
    const v = toValidationError(secret ? { ...e, data: SECRET_DATA } : e, src, opts);
    const key = `${v.location?.line}:${v.location?.col}:${v.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(v);
  }
  return sortByLocation(out);
}

/** Several missing keys of one mapping make one message ("missing required arguments `a`, `b`"). */
function mergeRequired(errors: ErrorObject[]): ErrorObject[] {
  const first = new Map<string, ErrorObject>();
  const out: ErrorObject[] = [];
  for (const e of errors) {
    if (e.keyword !== 'required') {
      out.push(e);
      continue;
    }
    const prev = first.get(e.instancePath);
    if (prev) {
      (prev.params.missing as string[]).push(String(e.params.missingProperty));
      continue;
    }
    const copy = { ...e, params: { ...e.params, missing: [String(e.params.missingProperty)] } };
    first.set(e.instancePath, copy);
    out.push(copy);
  }
  return out;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean (true/false)',
  array: 'a list',
  object: 'a mapping',
  null: 'null',
};

function typeText(t: unknown): string {
  const list = Array.isArray(t) ? t : [t];
  return joinOr(list.map((x) => TYPE_NAMES[String(x)] ?? String(x)));
}

function joinOr(items: string[]): string {
  const uniq = [...new Set(items)];
  if (uniq.length <= 1) return uniq[0] ?? 'something else';
  return `${uniq.slice(0, -1).join(', ')} or ${uniq[uniq.length - 1]}`;
}

const SECRET_DATA = new Secret('');

function valueAt(v: unknown, path: (string | number)[]): unknown {
  let cur = v;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object' || cur instanceof Secret) return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

/** A string with a template: its runtime type is unknown, so type/format checks do not apply. */
function isTemplated(data: unknown): boolean {
  return typeof data === 'string' && data.includes('{{');
}

function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/**
 * Replaces each failed oneOf/anyOf with either the errors of the branch that was clearly meant
 * (the value had that branch's shape but broke a rule inside it) or one "expected X or Y" error.
 * ajv evaluates a schema's combinators before its type-specific keywords (properties, required...)
 * and pushes a failed combinator's branch errors right before the combinator error: they are the
 * run of errors just before it that concern the same value or values inside it.
 */
function collapse(errors: ErrorObject[], root: object | undefined, done = new Set<ErrorObject>()): ErrorObject[] {
  const idx = errors.findIndex((e) => (e.keyword === 'oneOf' || e.keyword === 'anyOf') && !done.has(e));
  if (idx < 0) return errors;
  const comb = errors[idx];
  const parent = comb.schemaPath.slice(0, comb.schemaPath.lastIndexOf('/'));
  let start = idx;
  while (start > 0) {
    const e = errors[start - 1];
    const inside = e.instancePath === comb.instancePath || e.instancePath.startsWith(`${comb.instancePath}/`);
    // A combinator already handled in the same schema object is a sibling, not a branch.
    const sibling = done.has(e) && e.instancePath === comb.instancePath && e.schemaPath.slice(0, e.schemaPath.lastIndexOf('/')) === parent;
    if (!inside || sibling) break;
    start--;
  }
  const replacement = resolveCombinator(comb, root);
  done.add(comb);
  return collapse([...errors.slice(0, start), ...replacement, ...errors.slice(idx + 1)], root, done);
}

function resolveCombinator(comb: ErrorObject, root: object | undefined): ErrorObject[] {
  if (comb.params?.passingSchemas) return [comb];
  const own = comb.parentSchema as Record<string, unknown> | undefined;
  const hasMessage = typeof own?.errorMessage === 'string';
  const branches = Array.isArray(comb.schema) ? (comb.schema as unknown[]) : [];
  if (!root || branches.length === 0) return [comb];
  // Validate the value against each branch on its own: which branch said what is then certain.
  const results = branches.map((b) => branchErrors(b, root, comb.data, comb.instancePath));
  // A branch was "meant" when the value has its shape: none of its errors says the value itself has the wrong type/const.
  const shapeKeywords = new Set(['type', 'const', 'enum', 'oneOf', 'anyOf', 'not']);
  const meant = results.filter((errs) => errs.length > 0 && !errs.some((e) => e.instancePath === comb.instancePath && shapeKeywords.has(e.keyword)));
  if (meant.length > 0) {
    meant.sort((a, b) => a.length - b.length);
    // With an errorMessage, drill in only when the problem is clearly inside the value (`serial: [1, 0]`).
    const deeper = meant[0].every((e) => e.instancePath.length > comb.instancePath.length);
    if (!hasMessage || deeper) return collapse(meant[0], root);
  }
  return [comb];
}

const branchCache = new WeakMap<object, WeakMap<object, ValidateFunction>>();

/** Errors of `data` against one branch schema (its $refs resolved in `root`), with absolute instance paths. */
function branchErrors(branch: unknown, root: object, data: unknown, base: string): ErrorObject[] {
  if (typeof branch !== 'object' || branch === null) return branch === false ? [{ keyword: 'false schema', instancePath: base, schemaPath: '#', params: {} }] : [];
  let perRoot = branchCache.get(root);
  if (!perRoot) {
    perRoot = new WeakMap();
    branchCache.set(root, perRoot);
  }
  let fn = perRoot.get(branch);
  if (!fn) {
    const r = root as Record<string, unknown>;
    fn = ajv().compile({ ...(branch as object), $defs: r.$defs, definitions: r.definitions });
    perRoot.set(branch, fn);
  }
  if (fn(data)) return [];
  return (fn.errors ?? []).map((e) => ({ ...e, instancePath: base + e.instancePath }));
}

function describeSchema(s: unknown): string {
  if (s === true) return 'anything';
  if (!s || typeof s !== 'object') return 'something else';
  const o = s as Record<string, unknown>;
  if (typeof o.errorMessage === 'string') return o.errorMessage;
  if ('const' in o) return JSON.stringify(o.const);
  if (Array.isArray(o.enum)) return `one of ${o.enum.map((x) => JSON.stringify(x)).join(', ')}`;
  if (o.type) return typeText(o.type);
  if (Array.isArray(o.oneOf)) return joinOr(o.oneOf.map(describeSchema));
  if (Array.isArray(o.anyOf)) return joinOr(o.anyOf.map(describeSchema));
  return 'something else';
}

function toValidationError(e: ErrorObject, src: Locator, opts: ValidateOptions): ValidationError {
  const rel = pointerToPath(e.instancePath);
  const mapped = opts.mapPath ? opts.mapPath(rel) : rel;
  const base = opts.basePath ?? [];
  const at = (path: ValuePath, which: 'key' | 'value' = 'value') => src.locate([...base, ...path], which);
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  const noun = (typeof parent['x-noun'] === 'string' ? parent['x-noun'] : opts.noun) ?? 'key';
  const ctx = opts.context ? ` ${opts.context}` : '';
  const got = describeValue(e.data);
  const expected = typeof parent.errorMessage === 'string' ? parent.errorMessage : undefined;
  const where = at(mapped);
  const last = rel[rel.length - 1];
  // "`port` for module `copy`: expected ..." — name what is wrong before saying what is expected.
  const lastKey = [...rel].reverse().find((x) => typeof x === 'string');
  const itemText = typeof last === 'number' ? `item ${last + 1}` : '';
  // The validated value itself: module arguments are "arguments for module `x`".
  const whole = noun === 'argument' ? 'arguments' : 'value';
  const subject = `${[lastKey !== undefined ? `\`${lastKey}\`` : '', itemText].filter(Boolean).join(' ') || whole}${ctx}: `;
  let hint: string | undefined;

  switch (e.keyword) {
    case 'additionalProperties': {
      const prop = String(e.params.additionalProperty);
      const allowed = Object.keys((parent.properties as Record<string, unknown>) ?? {});
      const s = suggest(prop, allowed);
      const where2 = at(opts.mapPath ? opts.mapPath([...rel, prop]) : [...mapped, prop], 'key');
      // `x-hints`: what to write instead of a name people bring from elsewhere (Ansible's gather_facts).
      const known = (parent['x-hints'] as Record<string, string> | undefined)?.[prop];
      return new ValidationError(`unknown ${noun} \`${prop}\`${ctx}${s && !known ? ` — ${didYouMeanOf([s])}` : ''}`, {
        location: where2,
        hint: known ?? (allowed.length ? `allowed: ${allowed.join(', ')}` : undefined),
      });
    }
    case 'required': {
      const missing = (e.params.missing as string[] | undefined) ?? [String(e.params.missingProperty)];
      const names = missing.map((m) => `\`${m}\``).join(', ');
      return new ValidationError(`missing required ${noun}${missing.length > 1 ? 's' : ''} ${names}${ctx}`, { location: where, hint: expected ? `expected ${expected}` : missingHint(parent, missing) });
    }
    case 'dependentRequired':
    case 'dependencies': {
      const prop = String(e.params.property);
      const missing = String(e.params.missingProperty);
      return new ValidationError(`\`${prop}\` needs \`${missing}\`${ctx}`, { location: at([...mapped, prop], 'key'), hint: `add \`${missing}\` or remove \`${prop}\`` });
    }
    case 'type': {
      if (String(e.params.type).includes('boolean') && typeof e.data === 'string' && YAML11_BOOLEANS.has(e.data)) hint = BOOLEAN_HINT;
      return new ValidationError(`${subject}expected ${expected ?? typeText(e.params.type)}, got ${got}`, { location: where, hint: hint ?? typeHint(lastKey, e.params.type, e.data, parent) });
    }
    case 'enum': {
      const values = (e.params.allowedValues as unknown[]) ?? [];
      const s = typeof e.data === 'string' ? suggest(e.data, values.map(String)) : undefined; // never for secrets: data is a Secret then
      return new ValidationError(
        `${subject}expected ${expected ?? `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`}, got ${got}${s ? ` — ${didYouMeanOf([s])}` : ''}`,
        { location: where, hint: describedHint(parent) ?? `write one of: ${values.map(String).join(', ')}` },
      );
    }
    case 'const':
      return new ValidationError(`${subject}expected ${expected ?? JSON.stringify(e.params.allowedValue)}, got ${got}`, { location: where });
    case 'oneOf':
    case 'anyOf': {
      if (e.params?.passingSchemas) return new ValidationError(`${subject}expected ${expected ?? describeSchema(parent)}, but more than one is given`, { location: where });
      const branches = Array.isArray(e.schema) ? e.schema : [];
      const text = expected ?? joinOr(branches.map(describeSchema));
      if (typeof e.data === 'string' && YAML11_BOOLEANS.has(e.data) && /boolean/.test(text)) hint = BOOLEAN_HINT;
      return new ValidationError(`${subject}expected ${text}, got ${got}`, { location: where, hint: hint ?? describedHint(parent) });
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return new ValidationError(`${subject}expected ${expected ?? `a number ${e.params.comparison} ${e.params.limit}`}, got ${got}`, { location: where, hint: describedHint(parent) });
    case 'pattern':
    case 'format':
      return new ValidationError(`${subject}expected ${expected ?? (e.keyword === 'pattern' ? `a string matching ${e.params.pattern}` : `a valid ${e.params.format}`)}, got ${got}`, {
        location: where,
      });
    case 'minLength':
      return new ValidationError(`${subject}expected ${expected ?? (e.params.limit === 1 ? 'a non-empty string' : `at least ${e.params.limit} characters`)}, got ${got}`, { location: where });
    case 'minItems':
      return new ValidationError(`${subject}expected ${expected ?? `at least ${e.params.limit} item${e.params.limit === 1 ? '' : 's'}`}, got ${Array.isArray(e.data) ? `${e.data.length}` : got}`, {
        location: where,
      });
    case 'minProperties':
      return new ValidationError(`${subject}expected ${expected ?? `at least ${e.params.limit} key${e.params.limit === 1 ? '' : 's'}`}, got none`, { location: where });
    case 'not':
      // For a mapping, "got a mapping" says nothing: the rule is about which keys are present.
      return new ValidationError(`${subject}${expected ? `expected ${expected}` : 'value not allowed here'}${e.data && typeof e.data === 'object' ? '' : `, got ${got}`}`, { location: where });
    default:
      return new ValidationError(`${subject}${expected ? `expected ${expected}: ` : ''}${e.message ?? e.keyword}`, { location: where });
  }
}

/** What a person should write when a value has the wrong type (the schema's description added when it has one). */
function typeHint(key: string | number | undefined, type: unknown, data: unknown, parent: Record<string, unknown>): string | undefined {
  const t = String(type);
  const k = key === undefined ? 'value' : String(key);
  let how: string | undefined;
  if (t.includes('boolean')) how = 'write true or false';
  else if (t === 'string' && (typeof data === 'boolean' || typeof data === 'number')) how = `quote it to keep it a string: ${k}: "${typeof data === 'boolean' ? String(data) : '...'}"`;
  else if (t === 'integer') how = `write a whole number, e.g. ${k}: 3`;
  else if (t === 'number') how = `write a number, e.g. ${k}: 5`;
  else if (t === 'array') how = `write a list: one item per line under \`${k}:\`, each starting with "- "`;
  else if (t === 'object') how = `write a mapping: \`name: value\` lines indented under \`${k}:\``;
  else if (t === 'string') how = `write a single value (a string), e.g. ${k}: "..."`;
  return [how, describedHint(parent)].filter(Boolean).join('; ') || undefined;
}

/** The schema's own description of a value, as a hint. */
function describedHint(schema: Record<string, unknown>): string | undefined {
  return typeof schema.description === 'string' ? schema.description : undefined;
}

/** For a missing required key: what that key holds, from its schema. */
function missingHint(parent: Record<string, unknown>, missing: string[]): string | undefined {
  const props = (parent.properties ?? {}) as Record<string, Record<string, unknown>>;
  const parts = missing.map((m) => {
    const p = props[m] ?? {};
    const what = typeof p.description === 'string' ? p.description : typeof p.errorMessage === 'string' ? p.errorMessage : undefined;
    return `add \`${m}:\`${what ? ` (${what})` : ''}`;
  });
  return parts.join('; ');
}
