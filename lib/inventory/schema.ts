/**
 * Checks an inventory against schemas/inventory.schema.json with lib/config's located errors.
 * `propertyNames` and `uniqueItems` rules are left to names.ts and groups.ts: ajv reports them at
 * the mapping or list, not at the key or item, and without a useful message.
 */
import { readFile } from 'node:fs/promises';
import { validateSchema } from '../config/validate.js';
import { TRANSPORT_NAMES, TRANSPORTS } from '../connection/transports.js';
import type { ValidationError } from '../errors.js';
import type { Locate } from './problems.js';

export const INVENTORY_SCHEMA_URL = new URL('../../schemas/inventory.schema.json', import.meta.url);

let loaded: Promise<{ full: object; checked: object }> | undefined;

/** The schema as shipped (for editors and docs) and the copy ajv checks. */
export function inventorySchema(): Promise<{ full: object; checked: object }> {
  loaded ??= readFile(INVENTORY_SCHEMA_URL, 'utf8').then((text) => {
    const full = JSON.parse(text) as object;
    return { full, checked: withoutTransportEnum(withoutEditorOnly(full)) as object };
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

type SchemaNode = { [k: string]: SchemaNode | SchemaNode[] | string | string[] | undefined };

/**
 * The shipped schema with the `connection:` values of the transport registry (transports.ts): the enum and
 * descriptions editors show. `npm run schemas` writes it; a unit test keeps the file in step.
 */
export function withTransports(schema: object): object {
  const copy = structuredClone(schema) as SchemaNode;
  const list = TRANSPORT_NAMES.map((n) => `${n} (${TRANSPORTS[n].summary})`).join(', ');
  const names = TRANSPORT_NAMES.map((n) => `\`${n}\``).join(' or ');
  const field = connectionField(copy);
  field.description = `Transport: ${list}.`;
  field.enum = [...TRANSPORT_NAMES];
  const host = ((copy.definitions as SchemaNode).host as SchemaNode).properties as SchemaNode;
  const hostConnection = host.connection as SchemaNode;
  hostConnection.description = `Transport (${TRANSPORT_NAMES.join(', ')}), or a mapping of connection settings.`;
  ((hostConnection.anyOf as SchemaNode[])[0] as SchemaNode).errorMessage = names;
  return copy;
}

/** The `connection:` value itself (definitions.connection.properties.connection). */
function connectionField(schema: SchemaNode): SchemaNode {
  return (((schema.definitions as SchemaNode).connection as SchemaNode).properties as SchemaNode).connection as SchemaNode;
}

/** The loader checks the transport name itself (inventory/connection.ts: located, with did-you-mean), not ajv. */
function withoutTransportEnum(schema: unknown): unknown {
  const field = connectionField(schema as SchemaNode);
  delete field.enum;
  return schema;
}
