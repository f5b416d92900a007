/**
 * Variable precedence as data. LEVELS are the eight levels a person sets variables at, lowest first (the README's
 * "Variables and precedence" list is this list; test/unit/vars/precedence.test.ts holds them equal). ORDER is
 * the whole order a task's variables are composed in: those levels plus the slots omsplay fills itself. A
 * variable set higher replaces the lower value whole (no deep merge, as Ansible's default), so a host's mapping
 * never silently mixes with a group's.
 *
 * This file imports nothing: the inventory (levels 1-4 at load) and the engine (the rest, per task) both use it.
 */

export type Vars = Record<string, unknown>;

/** The eight levels, lowest first, each with where its variables come from (as the README says it). */
export const LEVELS = [
  { name: 'all', source: 'inventory `vars` at all level' },
  { name: 'region', source: 'region `vars`' },
  { name: 'group', source: 'group `vars` (in declaration order; a child group over its parents)' },
  { name: 'host', source: 'host `vars`' },
  { name: 'play', source: 'play `vars` and `vars_files`' },
  { name: 'task', source: 'block and task `vars`' },
  { name: 'facts', source: 'facts: `set_fact`, `register`, values from an earlier run' },
  { name: 'extra', source: 'extra vars: `-e key=value`, `-e @file.yml`, `-e \'{"json": 1}\'`' },
] as const;

export type Level = (typeof LEVELS)[number]['name'];

/**
 * Every slot, lowest first. `run`: the variables omsplay sets for the run and the play (hostvars, groups,
 * play_hosts, check_mode, failure, failed_task, ... see magic.ts): above play vars, below block and task vars
 * (the inventory, register, set_fact and loop_var may not use their names; see magic.ts). A host's own magic
 * variables (inventory_hostname, region, group_names, address) come with its inventory variables. `loop`: the
 * task's own loop variable and loop_index, above everything while the item runs.
 */
export const ORDER = ['all', 'region', 'group', 'host', 'play', 'run', 'task', 'facts', 'extra', 'loop'] as const satisfies ReadonlyArray<Level | 'run' | 'loop'>;

export type Slot = (typeof ORDER)[number];

/** One slot's variables: a map, or several maps lowest first (groups in order; blocks outer to inner, then the task). */
export type Layer = Vars | ReadonlyArray<Vars | null | undefined> | null | undefined;

export type Layers = { readonly [S in Slot]?: Layer };

/** The variables of `layers` composed in ORDER: a higher slot (and a later map within a slot) wins. */
export function compose(layers: Layers): Vars {
  const out: Vars = {};
  for (const slot of ORDER) {
    const layer = layers[slot];
    if (!layer) continue;
    if (isList(layer)) {
      for (const part of layer) if (part) Object.assign(out, part);
    } else Object.assign(out, layer);
  }
  return out;
}

/** One slot's maps merged (a later map wins): what a multi-part slot holds as one map. */
export function flatten(layer: Layer): Vars {
  if (!layer) return {};
  if (!isList(layer)) return layer;
  const out: Vars = {};
  for (const part of layer) if (part) Object.assign(out, part);
  return out;
}

/** Whether a slot above `slot` sets `name` (its value then hides the one at `slot`). */
export function setAbove(layers: Layers, slot: Slot, name: string): boolean {
  for (let i = ORDER.indexOf(slot) + 1; i < ORDER.length; i++) {
    const layer = layers[ORDER[i]!];
    if (!layer) continue;
    if (isList(layer) ? layer.some((part) => part && name in part) : name in layer) return true;
  }
  return false;
}

function isList(layer: NonNullable<Layer>): layer is ReadonlyArray<Vars | null | undefined> {
  return Array.isArray(layer);
}
