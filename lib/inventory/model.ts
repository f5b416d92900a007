/** The Inventory object: the loaded data plus pattern selection over it. */
import { type PatternUniverse, selectHosts } from './patterns.js';
import type { Inventory, SelectOptions } from './types.js';

export function makeInventory(data: Omit<Inventory, 'select'>): Inventory {
  let universe: PatternUniverse | undefined;
  return {
    ...data,
    select(pattern: string, opts?: SelectOptions): string[] {
      universe ??= universeOf(data);
      return selectHosts(universe, pattern, opts);
    },
  };
}

/** Hosts in inventory order and every named set (regions, groups) patterns can name. */
export function universeOf(inv: Pick<Inventory, 'hosts' | 'regions' | 'groups'>): PatternUniverse {
  const sets = new Map<string, readonly string[]>();
  for (const r of inv.regions.values()) sets.set(r.name, r.hosts);
  for (const g of inv.groups.values()) sets.set(g.name, g.hosts);
  return { hostOrder: [...inv.hosts.keys()], sets };
}
