/**
 * Checks an inventory against schemas/inventory.schema.json with lib/config's located errors.
 * `propertyNames` and `uniqueItems` rules are left to names.ts and groups.ts: ajv reports them at
 * the mapping or list, not at the key or item, and without a useful message.
 */
import { readFile } from 'node:fs/promises';
import { validateSchema } from '../config/validate.js';
import type { ValidationError } from '../errors.js';
import type { Locate } from './problems.js';

export const INVENTORY_SCHEMA_URL = new URL('../../schemas/inventory.schema.json', import.meta.url);

let loaded: Promise<{ full: object; checked: object }> | undefined;

/** The schema as shipped (for editors and docs) and the copy ajv checks. */
export function inventorySchema(): Promise<{ full: object; checked: object }> {
  loaded ??= readFile(INVENTORY_SCHEMA_URL, 'utf8').then((text) => {
    const full = JSON.parse(text) as object;
    return { full, checked: withoutEditorOnly(full) as object };
  });
  return loaded;
}

export async function validateInventoryShape(value: unknown, locate: Locate): Promise<ValidationError[]> {
  const { checked } = await inventorySchema();
  return validateSchema(checked, value, { locate });
}

const EDITOR_ONLY = new Set(['propertyNames', 'uniqueItems']);

function withoutEditorOnly(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(withoutEditorOnly);
  if (!s || typeof s !== 'object') return s;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) if (!EDITOR_ONLY.has(k)) out[k] = withoutEditorOnly(v);
  return out;
}
