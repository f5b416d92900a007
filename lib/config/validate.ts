/**
 * JSON Schema validation that speaks to people: a value is checked against a schema and every problem comes
 * back as a ValidationError with the exact file:line:col (the wording: schema-errors.ts; the validators: ajv.ts).
 *
 * Schema annotations read here (ignored by ajv in non-strict mode, harmless for editors):
 * - `errorMessage`: the "expected ..." text for this schema (used for oneOf/anyOf, patterns, ...).
 * - `x-noun`: what the properties of this object are called ("play keyword", "argument").
 * - `x-hints`: for names that are not properties, what to write instead (Ansible habits).
 */
import type { ValidateFunction } from 'ajv';
import type { SourceLocation, ValidationError } from '../errors.js';
import { Secret } from '../secrets.js';
import { compileSchema } from './ajv.js';
import { ajvErrorsToValidationErrors } from './schema-errors.js';
import type { ValuePath } from './yaml.js';

export interface Locator {
  locate(path: ValuePath, which?: 'key' | 'value'): SourceLocation;
}

export interface ValidateOptions {
  /** Where the validated value sits in the source document (module args sit under their task). */
  basePath?: ValuePath;
  /** Maps a path inside the validated value back to the source (free-form module strings). */
  mapPath?: (path: ValuePath) => ValuePath;
  /** Default name of object properties when the schema has no `x-noun` ("argument"). */
  noun?: string;
  /** Appended to messages: "for module `copy`". */
  context?: string;
}

/** Validates `value` against `schema`; returns every problem found (empty when valid). */
export function validateSchema(schema: object, value: unknown, src: Locator, opts: ValidateOptions = {}): ValidationError[] {
  return validateWith(compileSchema(schema), () => schema, value, src, opts);
}

/**
 * Validates with an already compiled (e.g. precompiled standalone) validator of `schema()`; the
 * schema object itself is only needed to explain errors.
 */
export function validateWith(fn: ValidateFunction, schema: () => object, value: unknown, src: Locator, opts: ValidateOptions = {}): ValidationError[] {
  if (fn(plain(value))) return [];
  return ajvErrorsToValidationErrors(fn.errors ?? [], src, opts, schema(), value);
}

/** Secrets validate as the strings they stand for. */
function plain(v: unknown): unknown {
  if (v instanceof Secret) return v.value;
  if (Array.isArray(v)) return v.some(hasSecret) ? v.map(plain) : v;
  if (v && typeof v === 'object' && hasSecret(v)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = plain(x);
    return o;
  }
  return v;
}

function hasSecret(v: unknown): boolean {
  if (v instanceof Secret) return true;
  if (Array.isArray(v)) return v.some(hasSecret);
  if (v && typeof v === 'object') return Object.values(v).some(hasSecret);
  return false;
}
