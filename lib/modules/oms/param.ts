/**
 * oms.param: an OMS system parameter, a JSON value in the rm database's oms_normal_config
 * (cfg_name, cfg_value) — e.g. `ha.config`. `set` changes some fields and keeps every other one;
 * `value` puts a whole value back (the rollback). Written only when it differs, then read back.
 */
import { selectParam, updateParam } from '../../commands/sql/oms.js';
import { TaskFailedError } from '../../errors.js';
import { sqlCommand } from '../../metadb/command.js';
import { defineMetaDbPlanModule } from '../../metadb/execute.js';
import type { Plan } from '../../plan/types.js';
import { type MetaDbArgs, metaDbProperties, metaDbRequirement } from '../../metadb/connect.js';
import { flattenMetaDb } from '../../metadb/connection-object.js';

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

/** What oms.param decides from: the parameter's rows as read (cfg_value text, null for NULL) and whether the table has gmt_modified. */
export interface ParamFacts {
  values: Array<string | null>;
  has_gmt_modified: boolean;
}

const where = (args: ParamArgs) => `${args.rm_database ?? 'oms_rm'}.oms_normal_config`;

/** The stored value as a JSON object, or the reason it cannot be used. */
function storedValue(args: ParamArgs, facts: ParamFacts): { raw: string; value: Json } {
  const name = args.name ?? 'ha.config';
  if (facts.values.length > 1) throw new TaskFailedError(`system parameter ${name} has ${facts.values.length} rows in ${where(args)}`, {});
  const raw = facts.values[0];
  if (raw === undefined || raw === null) {
    throw new TaskFailedError(`system parameter ${name} not found in ${where(args)}`, {}, { hint: 'check rm_database (config.yaml drc_rm_db) and name' });
  }
  return { raw, value: parseValue(raw, name) };
}

/**
 * The decision: the value wanted (`value` as a whole, or the stored one with the `set` fields), the fields that
 * differ, and the UPDATE that writes it when any does (with gmt_modified = NOW() when the table has it).
 */
export function planParam(args: ParamArgs, facts: ParamFacts): Plan {
  const name = args.name ?? 'ha.config';
  const wanted = typeof args.value === 'string' ? parseValue(args.value, `${name} (value argument)`) : args.value;
  const { raw, value: before } = storedValue(args, facts);
  const after = mergeParam(before, args.set, wanted);
  const fields = changedFields(before, after);
  const res = { before, value: after, changed_fields: fields, raw };
  if (fields.length === 0) return { commands: [], result: { ...res, value: before, msg: `${name} already as wanted` } };
  const update = updateParam(args.rm_database ?? 'oms_rm', name, JSON.stringify(after), facts.has_gmt_modified);
  return {
    commands: [sqlCommand(update, `UPDATE ${name}`)],
    result: { ...res, msg: `change ${name}: ${fields.join(', ')}` },
    diff: { before: pretty(before), after: pretty(after), header: name },
  };
}

/** After the write: the value read back (`after`) must be the one written, else the task fails with what was read. */
export function verifyParam(args: ParamArgs, plan: Plan, after: ParamFacts | undefined): Plan['result'] {
  if (plan.commands.length === 0) return plan.result;
  const name = args.name ?? 'ha.config';
  const back = after?.values.length === 1 ? (after.values[0] ?? null) : null;
  let value: Json | null = null;
  try {
    value = back === null ? null : parseValue(back, name);
  } catch {
    value = null;
  }
  const planned = plan.result;
  if (!value || !deepEqual(value, planned.value)) {
    throw new TaskFailedError(`${name} did not hold after writing: read back ${back}`, { ...planned, raw: back });
  }
  return { ...planned, value, raw: back, msg: `changed ${name}: ${(planned.changed_fields as string[]).join(', ')}` };
}

export const omsParam = defineMetaDbPlanModule<ParamArgs, ParamFacts>({
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
  // `metadb: {host, port, user, password, via}` or the login_* arguments: gather and plan read login_*.
  normalize: flattenMetaDb,
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

  async gather(args, ctx) {
    const rows = await ctx.db.rows<{ cfg_value: string | null; has_gmt_modified: number | string }>(selectParam(args.rm_database ?? 'oms_rm', args.name ?? 'ha.config'));
    return { values: rows.map((r) => (r.cfg_value === null ? null : String(r.cfg_value))), has_gmt_modified: Number(rows[0]?.has_gmt_modified ?? 0) > 0 };
  },
  plan: (args, facts) => planParam(args, facts),
  regather: true,
  finish: ({ args, plan, after }) => verifyParam(args, plan, after),
});
