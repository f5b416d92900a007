/** schemas/inventory.schema.json: a valid draft-07 schema for editors, in step with the loader. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONNECTION_KEYS } from '../../../lib/inventory/raw.js';
import { INVENTORY_SCHEMA_URL } from '../../../lib/inventory/schema.js';

const schema = JSON.parse(await readFile(INVENTORY_SCHEMA_URL, 'utf8'));

describe('inventory schema', () => {
  it('is a valid draft-07 schema that editors can load', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    expect(ajv.validateSchema(schema)).toBe(true);
    const validate = ajv.compile(schema);
    expect(typeof validate).toBe('function');
  });

  it('accepts the fixture inventory as written (names, var names and all)', async () => {
    const validate = new Ajv({ strict: false }).compile(schema);
    const text = await readFile(join(import.meta.dirname, 'fixtures', 'site.yml'), 'utf8');
    // Plain parse: the !secret tag is read as its string, as editors do.
    const value = parse(text.replace(/!secret /g, ''));
    expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
  });

  it('refuses bad names through propertyNames, for editors', () => {
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate({ regions: { 'bad name': { hosts: {} } } })).toBe(false);
    expect(validate({ vars: { 'db-name': 1 }, regions: { r: { hosts: {} } } })).toBe(false);
  });

  it('lists exactly the connection keys the loader merges, and lets hosts write each directly', () => {
    const conn = Object.keys(schema.definitions.connection.properties).sort();
    expect(conn).toEqual([...CONNECTION_KEYS].sort());
    const hostKeys = Object.keys(schema.definitions.host.properties);
    for (const k of CONNECTION_KEYS) expect(hostKeys).toContain(k);
  });

  it('describes every property (editor autocompletion)', () => {
    const missing: string[] = [];
    const walk = (s: any, path: string) => {
      if (!s || typeof s !== 'object') return;
      for (const [k, v] of Object.entries<any>(s.properties ?? {})) {
        if (!v.description && !v.$ref) missing.push(`${path}.${k}`);
        walk(v, `${path}.${k}`);
      }
      for (const [k, v] of Object.entries<any>(s.definitions ?? {})) walk(v, `#${k}`);
    };
    walk(schema, '');
    expect(missing).toEqual([]);
  });
});
