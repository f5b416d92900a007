/**
 * oms.rescue_steps: what a person must do for a host the upgrade's rescue could not put back — the text the
 * rescue prints, in the order to follow. An unreachable host may still run a container of the new version:
 * first the run lock it kept, then the rollback from this run (which restores the MetaDB when the run got as far
 * as docker_init.sh), or the same by hand. A host a rescue step failed on (its docker daemon down): start docker,
 * then put its containers back by hand.
 */
import { checkPhase, phaseMeaning, UPGRADE_PHASES } from '../../upgrade/phases.js';
import { definePlanModule } from '../../plan/define.js';

export interface RescueStepsArgs {
  host: string;
  unreachable: boolean | string;
  unreachable_reason?: string;
  failed_reason?: string;
  /** The phase the run reached on that host ("" or preflight: nothing changed). */
  phase?: string;
  site?: { old_container?: string; new_container?: string; old_restart_policy?: string };
  inventory_file: string;
  run_id: string;
  /** Regions left without a running OMS (HA was left off), or "". */
  ha_left_off?: string;
  /** The hop the run was on there (a multi-hop run): its index and the version it started from. */
  hop?: { index?: number | string; from?: string };
}

/** The steps, as one paragraph (the reporters print each loop item's message on its own line). */
export function rescueSteps(a: RescueStepsArgs): string {
  const oldC = a.site?.old_container || '<old container>';
  const newC = a.site?.new_container || '<new container>';
  const policy = a.site?.old_restart_policy || 'always';
  const rollback = `omsplay run rollback.yml -i ${a.inventory_file} --from-run ${a.run_id}`;
  // No phase recorded in the rescue: the run stopped in preflight.
  const restore = phaseMeaning(checkPhase(a.phase) || 'preflight').metadb_may_have_changed;
  const byHand = [
    `\`sudo docker rm -f ${newC}\`;`,
    `\`sudo docker update --restart ${policy} ${oldC}\`;`,
    `\`sudo docker start ${oldC}\`;`,
    `then \`sudo docker logs --tail 1 ${oldC}\` must say "OMS service start successfully".`,
    `When docker_init.sh had already run, restore the MetaDB first: ${rollback}`,
  ];
  if (Number(a.hop?.index ?? 1) > 1 && a.hop?.from) {
    byHand.push(`(This run had several hops: the rollback undoes them all, newest first; add -e rollback_to=${a.hop.from} to undo only the hop that failed.)`);
  }
  // (A template renders a condition to a boolean; "false" as text is read as false too.)
  if (a.unreachable !== true && a.unreachable !== 'true') {
    return [`${a.host} was NOT put back: ${a.failed_reason || 'a rescue step failed there'}.`, `Once it is back (sshd and the docker daemon running: \`sudo systemctl start docker\`), on ${a.host}:`, ...byHand].join(' ');
  }
  const does = restore ? "stops every OMS container of the site, restores the MetaDB from this run's dumps, " : 'stops the new containers, ';
  return [
    `${a.host} was NOT put back: it could not be reached (${a.unreachable_reason || 'unreachable during the rescue'}).`,
    'Once it is back (sshd and the docker daemon running), in this order:',
    `1. the run lock this run could not give back there (this run is over): \`omsplay unlock oms-upgrade -i ${a.inventory_file} -l ${a.host}\`;`,
    `2. \`${rollback} --yes\`: it ${does}removes the new containers this run created, starts the old ones and puts ha.config back as before the upgrade${a.ha_left_off ? ` (HA was left off: ${a.ha_left_off} had no running OMS)` : ''}.`,
    `By hand instead, on ${a.host}:`,
    ...byHand,
  ].join(' ');
}

export const omsRescueSteps = definePlanModule<RescueStepsArgs, Record<string, never>>({
  name: 'oms.rescue_steps',
  summary: "The manual steps for a host the upgrade's rescue could not put back (unreachable, or a rescue step failed there), in the order to follow.",
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['host', 'unreachable', 'inventory_file', 'run_id'],
    properties: {
      host: { type: 'string', minLength: 1, description: 'The host not put back.' },
      unreachable: { type: 'boolean', description: 'true: it could not be reached; false: a rescue step failed on it.' },
      unreachable_reason: { type: 'string', description: 'Why it could not be reached.' },
      failed_reason: { type: 'string', description: 'Which rescue step failed there, and why.' },
      phase: { type: 'string', description: `The phase the run reached (upgrade_phase: ${UPGRADE_PHASES.join(', ')}; "" = preflight). From init_started on, the rollback restores the MetaDB.` },
      site: {
        type: 'object',
        description: 'What preflight recorded for the host (`site`): old_container, new_container, old_restart_policy.',
        properties: { old_container: { type: 'string' }, new_container: { type: 'string' }, old_restart_policy: { type: 'string' } },
      },
      inventory_file: { type: 'string', description: 'The inventory of the run (for the commands printed).' },
      run_id: { type: 'string', description: 'The run id (for rollback.yml --from-run).' },
      ha_left_off: { type: 'string', description: 'Regions left without a running OMS, for which HA was left off ("" when none).' },
      hop: {
        type: 'object',
        description: 'The hop the run was on there (`upgrade_hop`): index (1 for a single-hop run) and from, for a multi-hop run\'s rollback_to.',
        properties: { index: { type: ['integer', 'string'] }, from: { type: 'string' } },
      },
    },
  },
  checkMode: 'read_only',
  changedMeans: 'never: it only writes the text',
  result: [{ name: 'msg', description: 'The steps (printed by every reporter, one line per host in a loop).' }],
  example: `- name: "Rescue: manual steps for a host that was not put back"
  loop: "{{ unique (concat unreachable_hosts hosts_failed) }}"
  loop_control: {loop_var: lost}
  oms.rescue_steps:
    host: "{{ lost }}"
    unreachable: "{{ contains unreachable_hosts lost }}"
    unreachable_reason: "{{ default (dig failure.unreachable_reasons lost) '' }}"
    failed_reason: "{{ default (get hosts_failed_reasons lost) '' }}"
    phase: "{{ default (dig hostvars lost 'upgrade_phase') '' }}"
    site: "{{ default (dig hostvars lost 'site') (dict) }}"
    inventory_file: "{{ inventory_file }}"
    run_id: "{{ run_id }}"`,
  // Nothing on the host: what the rescue knows is arguments.
  gather: async () => ({}),
  plan(args) {
    return { commands: [], result: { msg: rescueSteps(args) } };
  },
});
