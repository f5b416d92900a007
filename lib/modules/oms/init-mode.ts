/**
 * oms.init_mode: where docker_init.sh runs in a region — once per region when the region's nodes share one
 * config.yaml (the same file content on every node: docker_init.sh then writes the region's rows once), on every
 * node when each node has its own config (oms_docker_init: auto); or what the setting forces (region, node).
 */
import { TaskFailedError } from '../../errors.js';
import { definePlanModule } from '../../plan/define.js';

export const INIT_MODES = ['auto', 'region', 'node'] as const;
export type InitSetting = (typeof INIT_MODES)[number];

interface Args {
  setting?: string;
  configs: Array<string | null | undefined>;
}

/** The decision: the setting when it forces one; with auto, region exactly when every node's config is the same. */
export function initMode(setting: InitSetting, configs: Array<string | null | undefined>): { mode: 'region' | 'node'; reason: string } {
  if (setting !== 'auto') return { mode: setting, reason: `oms_docker_init is ${setting}` };
  const known = configs.filter((c): c is string => typeof c === 'string' && c !== '');
  // A node whose config was not read cannot be shown to share the region's: run the init on every node.
  if (known.length === 0 || known.length < configs.length) return { mode: 'node', reason: 'the config.yaml of a node of the region is unknown' };
  const distinct = new Set(known).size;
  return distinct === 1
    ? { mode: 'region', reason: `the region's ${known.length} node(s) share one config.yaml` }
    : { mode: 'node', reason: `the region's nodes have ${distinct} different config.yaml files` };
}

export const omsInitMode = definePlanModule<Args, Record<string, never>>({
  name: 'oms.init_mode',
  summary: "Decide where docker_init.sh runs in a region: once per region (its nodes share one config.yaml) or on every node; or what oms_docker_init forces.",
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['configs'],
    properties: {
      setting: { enum: [...INIT_MODES], default: 'auto', description: 'oms_docker_init: auto (decide from the configs), region or node.' },
      configs: {
        type: 'array',
        description: "The sha256 of config.yaml on each node of the region (oms.config's `sha256`, e.g. `extract (intersect groups.oms (get groups region)) hostvars 'site_cfg.sha256'`).",
        items: { type: ['string', 'null'] },
      },
    },
  },
  checkMode: 'read_only',
  changedMeans: 'never: it only decides',
  result: [
    { name: 'mode', description: 'region or node.' },
    { name: 'reason', description: 'Why, in words.' },
  ],
  example: `- name: "docker_init.sh mode of the region"
  oms.init_mode:
    setting: "{{ default oms_docker_init 'auto' }}"
    configs: "{{ extract (intersect groups.oms (get groups region)) hostvars 'site_cfg.sha256' }}"
  register: init_mode   # init_mode.mode: region or node`,
  // Nothing on the host: the configs' checksums are arguments.
  gather: async () => ({}),
  plan(args) {
    const setting = args.setting ?? 'auto';
    if (!(INIT_MODES as readonly string[]).includes(setting)) {
      throw new TaskFailedError(`oms_docker_init must be auto, region or node (got ${setting})`, {}, { hint: 'auto decides from the config.yaml files of the region' });
    }
    const v = initMode(setting as InitSetting, args.configs ?? []);
    return { commands: [], result: { msg: `docker_init.sh: ${v.mode === 'region' ? 'once per region' : 'on every node'} (${v.reason})`, ...v } };
  },
});
