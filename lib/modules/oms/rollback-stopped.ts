/**
 * oms.rollback_stopped: what a person must know when rollback.yml stopped part-way — where it stopped and why,
 * each host that could not be reached with the containers that may still run there (no database is dropped until
 * they are known to be stopped), and how to go on: the lock a dead host kept, then the same rollback again.
 */
import type { ModuleDefinition } from '../types.js';

interface RecordedHost {
  site?: { old_container?: string; new_container?: string };
}

export interface RollbackStoppedArgs {
  task: string;
  reason: string;
  unreachable?: string[];
  /** What the upgrade run recorded per host (`from_run.hosts`): the containers of each. */
  hosts?: Record<string, RecordedHost | undefined>;
  inventory_file: string;
  run_id: string;
}

export function rollbackStoppedText(a: RollbackStoppedArgs): string {
  const lost = (a.unreachable ?? []).map((h) => {
    const site = a.hosts?.[h]?.site;
    return `${h} could not be reached to make sure ${site?.old_container || 'the old container'} and ${site?.new_container || 'the new container'} are stopped there: no database is dropped until that is sure.`;
  });
  return [
    `The rollback stopped at "${a.task}": ${a.reason}.`,
    ...lost,
    `Once every host is reachable (a lock left on a host that died: omsplay unlock oms-upgrade -i ${a.inventory_file} -l HOST, after checking its run is gone),`,
    `run the same rollback again: omsplay run rollback.yml -i ${a.inventory_file} --from-run ${a.run_id} --yes`,
  ].join(' ');
}

export const omsRollbackStopped: ModuleDefinition<RollbackStoppedArgs> = {
  name: 'oms.rollback_stopped',
  summary: 'What to do when rollback.yml stopped part-way: where and why, the hosts that could not be reached with their containers, and how to go on.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['task', 'reason', 'inventory_file', 'run_id'],
    properties: {
      task: { type: 'string', description: 'The task the rollback stopped at (`failure.task`).' },
      reason: { type: 'string', description: 'Why (`failure.reason`).' },
      unreachable: { type: 'array', items: { type: 'string' }, description: 'Hosts that could not be reached (`failure.unreachable`).' },
      hosts: { type: 'object', description: 'What the upgrade run recorded per host (`from_run.hosts`): `site.old_container`, `site.new_container`.' },
      inventory_file: { type: 'string', description: 'The inventory (for the commands printed).' },
      run_id: { type: 'string', description: 'The upgrade run rolled back (`from_run.run_id`).' },
    },
  },
  checkMode: 'read_only',
  changedMeans: 'never: it only writes the text',
  result: [{ name: 'msg', description: 'The text, printed by every reporter.' }],
  example: `- name: "Rollback: stopped"
  oms.rollback_stopped:
    task: "{{ failure.task }}"
    reason: "{{ failure.reason }}"
    unreachable: "{{ failure.unreachable }}"
    hosts: "{{ from_run.hosts }}"
    inventory_file: "{{ inventory_file }}"
    run_id: "{{ from_run.run_id }}"`,
  async run(args) {
    return { changed: false, msg: rollbackStoppedText(args) };
  },
};
