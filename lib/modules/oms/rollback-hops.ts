/**
 * oms.rollback_hops: which hops of an upgrade run rollback.yml undoes, newest first, and the version it returns to:
 * the whole run by default, or back to `to` (a version the run started from or went through). Reads only the values
 * the upgrade run recorded (`from_run`); a single-hop run is undone exactly as before runs had hops.
 */
import { TaskFailedError } from '../../errors.js';
import { rollbackHops } from '../../upgrade/rollback.js';
import { definePlanModule } from '../../plan/define.js';

interface Args {
  run: Record<string, unknown>;
  host: string;
  to?: string;
}

export const omsRollbackHops = definePlanModule<Args, Record<string, never>>({
  name: 'oms.rollback_hops',
  summary: 'The hops of an upgrade run a rollback undoes (newest first) and the version it returns to, from what the run recorded; refuses a version the run did not go through.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['run', 'host'],
    properties: {
      run: { type: 'object', description: 'The upgrade run as recorded (`from_run`).' },
      host: { type: 'string', description: 'This host (`inventory_hostname`): containers are per host.' },
      to: { type: 'string', description: 'The version to return to (`rollback_to`); empty: the version the run started from.' },
    },
  },
  checkMode: 'read_only',
  changedMeans: 'never: it only reads',
  result: [
    { name: 'hops', description: 'the hops to undo, newest first: {index, from, to, rb, rb_dumps, rb_ha_before, rb_t1, rb_phase, rb_new_id}' },
    { name: 'from / to', description: 'the version the run left the site on, and the one the rollback returns to' },
    { name: 'path', description: 'the versions of the run, start first' },
    { name: 'oldest', description: 'the last hop undone (its dumps are the MetaDB the site returns to)' },
  ],
  example: `- name: "Rollback: the hops to undo"
  oms.rollback_hops:
    run: "{{ from_run }}"
    host: "{{ inventory_hostname }}"
    to: "{{ default rollback_to '' }}"
  register: rb_plan`,
  // Nothing on the host: the recorded run is an argument.
  gather: async () => ({}),
  plan(args) {
    const plan = rollbackHops(args.run ?? {}, args.host, args.to);
    if (!plan.ok) throw new TaskFailedError(plan.reason, {}, plan.hint ? { hint: plan.hint } : {});
    const msg = `rollback: ${plan.from} → ${plan.to}${plan.hops.length > 1 ? ` (${plan.hops.length} hops, newest first: ${plan.hops.map((h) => `${h.to} → ${h.from}`).join(', ')})` : ''}`;
    return { commands: [], result: { msg, hops: plan.hops, from: plan.from, to: plan.to, path: plan.path, oldest: plan.hops[plan.hops.length - 1] } };
  },
});
