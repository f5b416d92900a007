/**
 * The variables omsplay sets itself ("magic variables"): the one list of their names. The checker
 * (lib/playbook/check.ts) treats them as defined and refuses them as register/set_fact/loop_var names; the
 * inventory refuses them as variable names; the engine fills them (lib/vars/run-variables.ts), and the types
 * below make it fill every one. Imports nothing, like precedence.ts.
 */

/** A host's own, from the inventory: part of its inventory variables. */
export const HOST_MAGIC = ['inventory_hostname', 'region', 'group_names', 'address'] as const;

/** The run's, set by the engine for every task (the `run` slot of precedence.ts ORDER). */
export const RUN_MAGIC = [
  'hostvars',
  'groups',
  'play_hosts',
  'check_mode',
  'from_run',
  'run_id',
  'inventory_file',
  'unreachable_hosts',
  'hosts_failed',
  'hosts_failed_reasons',
] as const;

/** Every host has these in every task. */
export const MAGIC_VARIABLES = [...HOST_MAGIC, ...RUN_MAGIC] as const;

/** Set in a block's rescue (and always) tasks: which task failed and its result (undefined elsewhere). */
export const RESCUE_VARIABLES = ['failed_task', 'failed_result'] as const;

/** Set in on_failure plays: the failure they handle. */
export const ON_FAILURE_VARIABLES = ['failure'] as const;

/** Names the inventory may not give a variable: a host's magic variables and `hostvars`. */
export const INVENTORY_RESERVED: readonly string[] = [...HOST_MAGIC, 'hostvars'];

export type HostMagic = {
  inventory_hostname: string;
  region: string;
  group_names: string[];
  address: string;
};

/** The `run` slot's values: every name of RUN_MAGIC and RESCUE_VARIABLES (the type makes the engine set each). */
export type RunMagic = Record<(typeof RUN_MAGIC)[number] | (typeof RESCUE_VARIABLES)[number], unknown>;

/** A host's magic variables as the inventory gives them. */
export function hostMagic(host: string, region: string, groupNames: readonly string[], address: string): HostMagic {
  return { inventory_hostname: host, region, group_names: [...groupNames], address };
}
