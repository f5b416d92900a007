/**
 * oms.param: an OMS system parameter, a JSON value in the rm database's oms_normal_config
 * (cfg_name, cfg_value) — e.g. `ha.config`. `set` changes some fields and keeps every other one;
 * `value` puts a whole value back (the rollback). Written only when it differs, then read back.
 */
import { TaskFailedError } from '../../errors.js';
import { sqlIdent } from '../../commands/mysql.js';
import type { ModuleDefinition, ModuleResult } from '../types.js';
import { type MetaDbArgs, metaDbProperties, metaDbRequirement, sqlError, withMetaDb } from '../mysql/connect.js';

export interface ParamArgs extends MetaDbArgs {
  rm_database?: string;
  name?: string;
  set?: Record<string, unknown>;
  value?: Record<string, unknown> | string;
}

type Json = Record<string, unknown>;

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as Json);
  const kb = Object.keys(b as Json);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Json)[k], (b as Json)[k]));
}

/** The new value: `value` as a whole, or `before` with the `set` fields replaced (key order kept, new keys last). */
export function mergeParam(before: Json, set: Json | undefined, value: Json | undefined): Json {
  if (value) return value;
  return { ...before, ...(set ?? {}) };
}

/** Fields whose value differs between two JSON objects. */
export function changedFields(before: Json, after: Json): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !deepEqual(before[k], after[k]));
}

function parseValue(text: string, name: string): Json {
  try {
    const v = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Json;
  } catch {
    /* reported below */
  }
  throw new TaskFailedError(`system parameter ${name} is not a JSON object: ${text.slice(0, 120)}`, {});
}

const pretty = (v: Json) => `${JSON.stringify(v, null, 2)}\n`;

export const omsParam: ModuleDefinition<ParamArgs> = {
  name: 'oms.param',
  summary: 'Read or change fields of an OMS system parameter (JSON in rm.oms_normal_config, e.g. ha.config), keeping the other fields.',
  schema: {
    type: 'object',
    additionalProperties: false,
    ...metaDbRequirement,
    properties: {
      ...metaDbProperties,
      rm_database: { type: 'string', default: 'oms_rm', description: 'The rm database (config.yaml drc_rm_db).' },
      name: { type: 'string', default: 'ha.config', description: 'cfg_name of the parameter.' },
      set: { type: 'object', description: 'Fields to set; every other field keeps its value.' },
      value: {
        oneOf: [{ type: 'object' }, { type: 'string' }],
        description: 'The whole value to write (object or JSON text), e.g. the `before` recorded earlier. Exclusive with `set`.',
      },
    },
    not: { required: ['set', 'value'] },
  },
  checkMode: 'full',
  changedMeans: 'the stored value was different and was written (with gmt_modified = NOW() when the table has that column, as the console does). Without set/value the module only reads (changed false).',
  result: [
    { name: 'value', description: 'The whole value after the task (parsed JSON).' },
    { name: 'before', description: 'The whole value before the task.' },
    { name: 'changed_fields', description: 'Names of the fields that changed (or would, in check mode).' },
    { name: 'raw', description: 'cfg_value text after the task.' },
  ],
  example: `- name: Disable HA (step 1), remembering the whole value
  oms.param:
    login_host: "{{ metadb.host }}"
    login_port: "{{ metadb.port }}"
    login_user: "{{ metadb.user }}"
    login_password: "{{ metadb.password }}"
    rm_database: "{{ metadb.rm_db }}"
    name: ha.config
    set: {enable: false}
  register: ha_before          # ha_before.before = the value before the change

- name: Put ha.config back as it was
  oms.param:
    login_host: "{{ metadb.host }}"
    login_user: "{{ metadb.user }}"
    login_password: "{{ metadb.password }}"
    value: "{{ ha_before.before }}"`,

  async run(args, ctx) {
    const name = args.name ?? 'ha.config';
    const table = `${sqlIdent(args.rm_database ?? 'oms_rm')}.oms_normal_config`;
    const wanted = typeof args.value === 'string' ? parseValue(args.value, `${name} (value argument)`) : args.value;
    return withMetaDb(ctx, args, async (c) => {
      const read = async (): Promise<string | null> => {
        const sql = `SELECT cfg_value FROM ${table} WHERE cfg_name = ?`;
        try {
          const [rows] = await c.query(sql, [name]);
          const list = rows as Array<{ cfg_value: string | Buffer | null }>;
          if (list.length === 0) return null;
          if (list.length > 1) throw new TaskFailedError(`system parameter ${name} has ${list.length} rows in ${table}`, {});
          const v = list[0]!.cfg_value;
          return v === null ? null : String(v);
        } catch (e) {
          if (e instanceof TaskFailedError) throw e;
          throw sqlError(ctx, e, sql);
        }
      };
      const raw = await read();
      if (raw === null) throw new TaskFailedError(`system parameter ${name} not found in ${table}`, {}, { hint: 'check rm_database (config.yaml drc_rm_db) and name' });
      const before = parseValue(raw, name);
      const after = mergeParam(before, args.set, wanted);
      const fields = changedFields(before, after);
      const res: ModuleResult = { changed: fields.length > 0, before, value: after, changed_fields: fields, raw };
      if (ctx.diff && fields.length > 0) res.diff = { before: pretty(before), after: pretty(after), header: name };
      if (fields.length === 0) return { ...res, value: before, msg: `${name} already as wanted` };
      if (ctx.check) return { ...res, msg: `would change ${name}: ${fields.join(', ')}` };

      const text = JSON.stringify(after);
      // As the console does: the row's modification time moves with its value (OMS may look at it).
      const dbName = args.rm_database ?? 'oms_rm';
      const [cols] = await c.query(
        "SELECT COUNT(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'oms_normal_config' AND COLUMN_NAME = 'gmt_modified'",
        [dbName],
      );
      const touch = Number((cols as Array<{ n: number }>)[0]?.n ?? 0) > 0;
      const sql = `UPDATE ${table} SET cfg_value = ?${touch ? ', gmt_modified = NOW()' : ''} WHERE cfg_name = ?`;
      try {
        await c.query(sql, [text, name]);
      } catch (e) {
        throw sqlError(ctx, e, sql);
      }
      const back = await read();
      const readBack = back === null ? null : parseValue(back, name);
      if (!readBack || !deepEqual(readBack, after)) {
        throw new TaskFailedError(`${name} did not hold after writing: read back ${back}`, { ...res, raw: back });
      }
      return { ...res, value: readBack, raw: back, msg: `changed ${name}: ${fields.join(', ')}` };
    });
  },
};
