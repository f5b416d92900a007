/**
 * oms.rollback_stopped: what a person must know when rollback.yml stopped part-way — where it stopped and why,
 * each host that could not be reached with the containers that may still run there (no database is dropped until
 * they are known to be stopped), and how to go on: the lock a dead host kept, then the same rollback again.
 * Without the upgrade run's id (rollback.yml run without --from-run) that last command cannot be written: it
 * refuses, and says how to name the run, instead of printing a command that would not work.
 */
import { TaskFailedError } from '../../errors.js';
import { definePlanModule } from '../../plan/define.js';

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

/** One line per host that could not be reached: the containers the upgrade run recorded there, or that it recorded none. */
function unreachableLine(host: string, a: RollbackStoppedArgs): string {
  const site = a.hosts?.[host]?.site;
  // A host of the site the upgrade run never touched may still run its OMS container on the same MetaDB.
  if (!site?.old_container && !site?.new_container) {
    return `${host} could not be reached to make sure no OMS container runs there (run ${a.run_id} recorded no containers for it): no database is dropped until that is sure.`;
  }
  return `${host} could not be reached to make sure ${site.old_container || 'the old container'} and ${site.new_container || 'the new container'} are stopped there: no database is dropped until that is sure.`;
}

export function rollbackStoppedText(a: RollbackStoppedArgs): string {
  const stopped = `The rollback stopped at "${a.task}": ${a.reason}.`;
  if (!a.run_id?.trim()) {
    throw new TaskFailedError(`${stopped} How to go on cannot be said: run_id is empty (was rollback.yml run without --from-run?)`, {}, {
      hint: `a rollback undoes a recorded upgrade run: omsplay run rollback.yml -i ${a.inventory_file} --from-run last (or a run id that \`omsplay runs\` lists)`,
    });
  }
  return [
    stopped,
    ...(a.unreachable ?? []).map((h) => unreachableLine(h, a)),
    `Once every host is reachable (a lock left on a host that died: omsplay unlock oms-upgrade -i ${a.inventory_file} -l HOST, after checking its run is gone),`,
    `run the same rollback again: omsplay run rollback.yml -i ${a.inventory_file} --from-run ${a.run_id} --yes`,
  ].join(' ');
}

export const omsRollbackStopped = definePlanModule<RollbackStoppedArgs, Record<string, never>>({
  name: 'oms.rollback_stopped',
  summary: 'What to do when rollback.yml stopped part-way: where and why, the hosts that could not be reached with their containers, and how to go on; refuses without the run id.',
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
      run_id: { type: 'string', description: 'The upgrade run rolled back (`from_run.run_id`); empty (no --from-run): the task fails, saying how to name the run.' },
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
    hosts: "{{ default from_run.hosts (dict) }}"
    inventory_file: "{{ inventory_file }}"
    run_id: "{{ default from_run.run_id '' }}"`,
  // Nothing on the host: what the failed rollback knows is arguments.
  gather: async () => ({}),
  plan(args) {
    return { commands: [], result: { msg: rollbackStoppedText(args) } };
  },
});
