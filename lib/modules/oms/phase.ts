/**
 * oms.phase: the upgrade phase as a checked value. `oms.phase: stopped` records how far the run got (the fact
 * `upgrade_phase`, kept in the journal with `record: true`); a phase that is not one of the known ones is a
 * validation error before the run, with a did-you-mean. `oms.phase: {of: "{{ upgrade_phase }}"}` reads a recorded
 * phase (from this run or a journal) and says what it means for putting the site back (lib/upgrade/phases.ts).
 */
import { checkPhase, phaseMeaning, UPGRADE_PHASES } from '../../upgrade/phases.js';
import { definePlanModule } from '../../plan/define.js';

interface Args {
  set?: string;
  of?: string | null;
}

export const omsPhase = definePlanModule<Args, Record<string, never>>({
  name: 'oms.phase',
  summary:
    'Record the upgrade phase (`upgrade_phase`, one of a fixed list: a typo is a validation error), or read a recorded one: whether putting the site back restores the MetaDB or only starts the old containers.',
  freeForm: 'set',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      set: {
        enum: [...UPGRADE_PHASES],
        description: `The phase the run has reached, in order: ${UPGRADE_PHASES.join(', ')}. Sets the fact upgrade_phase.`,
      },
      of: { type: ['string', 'null'], description: 'A recorded phase to read ("" or null: none recorded). The result says what it means.' },
    },
    oneOf: [{ required: ['set'] }, { required: ['of'] }],
    errorMessage: '`set` (oms.phase: stopped) or `of` (oms.phase: {of: "{{ upgrade_phase }}"}), one of them',
  },
  checkMode: 'read_only',
  changedMeans: 'never: it only sets or reads a variable',
  result: [
    { name: 'upgrade_phase', description: 'with `set`: the fact set (the phase).' },
    { name: 'phase', description: 'with `of`: the phase read ("" when none was recorded).' },
    { name: 'metadb_may_have_changed', description: 'with `of`: docker_init.sh ran or may have (init_started, done, or no phase recorded): putting the site back restores the MetaDB from the dumps.' },
    { name: 'old_containers_stopped', description: 'with `of`: the old containers were stopped and the MetaDB not changed (stopping … starting_new): putting the site back starts them again.' },
  ],
  example: `- name: "Stop old containers: done"
  run_once: true
  oms.phase: stopped
  record: true

- name: "Rescue: what the phase means"
  oms.phase: {of: "{{ default upgrade_phase 'preflight' }}"}
  register: at_phase   # at_phase.metadb_may_have_changed, at_phase.old_containers_stopped`,
  // Nothing on the host: the decision is the arguments'.
  gather: async () => ({}),
  plan(args) {
    if (args.set !== undefined) {
      // The schema's enum catches a literal typo at validation; a templated phase is checked here.
      const phase = checkPhase(args.set) || 'preflight';
      return { commands: [], result: { msg: `upgrade phase: ${phase}`, facts: { upgrade_phase: phase } } };
    }
    const of = checkPhase(args.of);
    const meaning = phaseMeaning(of);
    return { commands: [], result: { msg: `upgrade phase ${of || '(none recorded)'}`, ...meaning } };
  },
});

