/**
 * oms.ha_value: ha.config as it goes back after a rollback or a rescue (procedure step 9.6) — the value recorded
 * before the upgrade, except that when HA was on without perceiveStoreClientCheckpoint, refetchStoreIntervalMin
 * must cover the outage: ceil(minutes since T1) + margin (the FAQ's margin, 30 by default).
 */
import { TaskFailedError } from '../../errors.js';
import { minutesBetween } from '../../template/time.js';
import { definePlanModule } from '../../plan/define.js';

type Json = Record<string, unknown>;

interface Args {
  before: Json | string;
  t1?: string | number | null;
  margin?: number | string;
  /** The time to count to (default: now); for tests and replays. */
  now?: string | number;
}

/** The decision. `before` is the whole value recorded before the upgrade; `t1` when the old containers stopped. */
export function haValueAfterRollback(before: Json, t1: string | number | null | undefined, margin: number, now: string | number): { value: Json; refetch_minutes: number | null } {
  const needsRefetch = Boolean(before.enable) && !before.perceiveStoreClientCheckpoint && t1 !== undefined && t1 !== null && t1 !== '';
  if (!needsRefetch) return { value: before, refetch_minutes: null };
  const minutes = Math.ceil(minutesBetween(t1, now)) + margin;
  return { value: { ...before, refetchStoreIntervalMin: minutes }, refetch_minutes: minutes };
}

function parseBefore(v: Json | string): Json {
  if (typeof v !== 'string') return v;
  try {
    const o = JSON.parse(v);
    if (o && typeof o === 'object' && !Array.isArray(o)) return o as Json;
  } catch {
    /* reported below */
  }
  throw new TaskFailedError(`before is not a JSON object: ${v.slice(0, 120)}`, {}, { hint: 'pass the `before` recorded by oms.param when HA was disabled' });
}

export const omsHaValue = definePlanModule<Args, Record<string, never>>({
  name: 'oms.ha_value',
  summary: 'ha.config as it goes back after a rollback: the value recorded before the upgrade, with refetchStoreIntervalMin = ceil(minutes since T1) + margin when HA was on without perceiveStoreClientCheckpoint.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['before'],
    properties: {
      before: { type: ['object', 'string'], description: 'ha.config as it was before the upgrade (object or JSON text), as recorded.' },
      t1: { type: ['string', 'number', 'null'], description: 'T1, when the old containers stopped (ISO time or epoch seconds); "" when unknown (no refetch interval is computed).' },
      margin: { type: ['integer', 'string'], default: 30, description: 'Minutes added to the outage (oms_ha_margin_minutes).' },
      now: { type: ['string', 'number'], description: 'Count up to this time instead of now.' },
    },
  },
  checkMode: 'read_only',
  changedMeans: 'never: it only computes',
  result: [
    { name: 'value', description: 'The whole ha.config to write back (for oms.param `value`).' },
    { name: 'refetch_minutes', description: 'refetchStoreIntervalMin set, or null when the value goes back as it was.' },
  ],
  example: `- name: "Rollback: ha.config as it goes back"
  oms.ha_value:
    before: "{{ from_run.ha_before }}"
    t1: "{{ from_run.t1 }}"
    margin: 30
  register: ha_back   # then oms.param with value: "{{ ha_back.value }}"`,
  // Nothing on the host: the recorded value and T1 are arguments.
  gather: async () => ({}),
  plan(args) {
    const margin = Number(args.margin ?? 30);
    if (!Number.isFinite(margin) || margin < 0) throw new TaskFailedError(`margin must be a number of minutes, got ${JSON.stringify(args.margin)}`, {});
    let r: ReturnType<typeof haValueAfterRollback>;
    try {
      r = haValueAfterRollback(parseBefore(args.before), args.t1, margin, args.now ?? new Date().toISOString());
    } catch (e) {
      if (e instanceof TaskFailedError) throw e;
      throw new TaskFailedError(`cannot compute refetchStoreIntervalMin: ${(e as Error).message}`, {});
    }
    return { commands: [], result: { msg: r.refetch_minutes === null ? 'ha.config goes back as it was' : `ha.config goes back with refetchStoreIntervalMin ${r.refetch_minutes}`, ...r } };
  },
});
