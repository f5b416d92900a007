/**
 * Compiled JSON Schema validators: precompiled at build time when the build made one for a schema's exact
 * content (dist/config/precompiled.cjs, see lib/playbook/schema-gen.ts), else compiled by ajv on first use.
 * Cached by schema identity (validation runs before every command).
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';

export type AjvInstance = InstanceType<typeof Ajv2020>;

let ajvInstance: AjvInstance | undefined;
const cache = new WeakMap<object, ValidateFunction>();
const require = createRequire(import.meta.url);

/** Validators precompiled at build time (dist/config/precompiled.cjs, see lib/playbook/schema-gen.ts). */
const precompiled: Record<string, unknown> = loadPrecompiled();
const hasPrecompiled = Object.keys(precompiled).length > 0;

function loadPrecompiled(): Record<string, unknown> {
  try {
    // `../config/` and not `./`: the bundle's chunks sit in dist/chunks/, this file's source in lib/config/.
    return (require('../config/precompiled.cjs') as { precompiled: Record<string, unknown> }).precompiled;
  } catch (e) {
    // Running from source (tests): schemas are compiled on first use.
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return {};
    throw e;
  }
}

/** ajv options every validator uses (also the precompiled ones: lib/playbook/schema-gen.ts). */
export const AJV_OPTIONS = { strict: false, allErrors: true, verbose: true, validateSchema: false, meta: false } as const;

/**
 * ajv itself is loaded only when a schema was not precompiled (or to explain an error): loading
 * its ~100 CommonJS files costs more start-up time than validating a whole playbook.
 */
export function ajv(): AjvInstance {
  if (!ajvInstance) {
    const mod = require('ajv/dist/2020.js') as { Ajv2020: typeof Ajv2020 };
    ajvInstance = new mod.Ajv2020({ ...AJV_OPTIONS });
    const addFormats = require('ajv-formats') as { default?: (a: unknown) => void } & ((a: unknown) => void);
    (addFormats.default ?? addFormats)(ajvInstance);
  }
  return ajvInstance;
}

/** The schema ajv compiles: module schemas may name a draft, and one ajv (2020-12) validates all. */
export function compilable(schema: object): Record<string, unknown> {
  const { $schema: _drop, ...rest } = schema as Record<string, unknown>;
  return rest;
}

/** Identity of a schema's content, keying the precompiled validators (hash of its JSON). */
export function schemaKey(schema: object): string {
  return createHash('sha256').update(JSON.stringify(compilable(schema))).digest('hex').slice(0, 24);
}

/**
 * The validator for a schema object: precompiled when the build made one for this exact content,
 * else compiled on first use; cached by identity.
 */
export function compileSchema(schema: object): ValidateFunction {
  let fn = cache.get(schema);
  if (!fn) {
    const ready = hasPrecompiled ? (precompiled[schemaKey(schema)] as ValidateFunction | undefined) : undefined;
    fn = ready ?? ajv().compile(compilable(schema));
    cache.set(schema, fn);
  }
  return fn;
}

