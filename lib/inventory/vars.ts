/**
 * Variable merging. Precedence (low to high): all < region < groups (precedence order) < host;
 * the engine puts play vars, facts and extra vars on top. A variable set at a higher level
 * replaces the lower one whole (no deep merge, as Ansible's default), so a host's mapping never
 * silently mixes with a group's.
 */
import { ValidationError } from '../errors.js';
import type { Locate, Problems } from './problems.js';
import type { Vars } from './types.js';

/** Variables every host gets from omsplay; the inventory may not set them. */
export const MAGIC_VARS = ['inventory_hostname', 'region', 'group_names', 'address'] as const;

const RESERVED = new Set<string>([...MAGIC_VARS, 'hostvars']);

export interface MagicVars {
  inventory_hostname: string;
  region: string;
  group_names: string[];
  address: string;
}

export function mergeVars(layers: ReadonlyArray<Vars | null | undefined>, magic?: MagicVars): Vars {
  const out: Vars = {};
  for (const layer of layers) if (layer) Object.assign(out, layer);
  if (magic) Object.assign(out, magic, { group_names: [...magic.group_names] });
  return out;
}

/** Refuses inventory vars that would shadow a magic variable. */
export function checkReserved(vars: Vars | null | undefined, path: ReadonlyArray<string | number>, locate: Locate, problems: Problems): void {
  for (const k of Object.keys(vars ?? {})) {
    if (!RESERVED.has(k)) continue;
    const hint =
      k === 'address'
        ? 'set the address as a host key (oms-hz-1: {address: 10.0.0.11}), not as a variable'
        : `\`${k}\` is set by omsplay for every host; choose another name`;
    problems.add(new ValidationError(`variable \`${k}\` is reserved`, { location: locate([...path, k], 'key'), hint }));
  }
}
