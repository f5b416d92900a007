/**
 * Builds the Inventory model from a schema-valid inventory: regions and their hosts (each in
 * exactly one region), groups, merged variables with magic vars, merged connection settings.
 */
import { ValidationError } from '../errors.js';
import { type Masker, Secret } from '../secrets.js';
import { type ConnectionLayer, hostLayers, type MergedConnection, mergeConnection } from './connection.js';
import { resolveGroups } from './groups.js';
import { makeInventory } from './model.js';
import type { Locate, Problems } from './problems.js';
import type { RawHost, RawInventory } from './raw.js';
import type { Inventory, InventoryGroup, InventoryHost, InventoryRegion } from './types.js';
import { checkReserved } from './vars.js';
import { hostMagic } from '../vars/magic.js';
import { compose } from '../vars/precedence.js';

export interface Built {
  inventory: Inventory;
  /** Per host, for the key-file check. */
  connections: MergedConnection[];
}

export function buildInventory(raw: RawInventory, file: string, locate: Locate, problems: Problems, masker?: Masker): Built {
  const regionOf = new Map<string, string>();
  const byLower = new Map<string, string>();
  const hostOrder: string[] = [];
  const rawHosts = new Map<string, RawHost | null>();
  const regionHosts = new Map<string, string[]>();

  for (const [r, region] of Object.entries(raw.regions)) {
    const hosts: string[] = [];
    for (const [h, rh] of Object.entries(region.hosts ?? {})) {
      const at = locate(['regions', r, 'hosts', h], 'key');
      const first = regionOf.get(h) ?? regionOf.get(byLower.get(h.toLowerCase()) ?? '');
      if (first !== undefined) {
        const other = byLower.get(h.toLowerCase())!;
        const was = locate(['regions', first, 'hosts', other], 'key');
        problems.add(
          new ValidationError(
            other === h
              ? `host \`${h}\` is declared in two regions: \`${first}\` (line ${was.line}) and \`${r}\``
              : `host \`${h}\` in region \`${r}\` differs only in case from host \`${other}\` in region \`${first}\` (line ${was.line})`,
            {
              location: at,
              hint:
                first === r
                  ? 'host names are case-insensitive on the network: give the hosts distinct names'
                  : 'a host belongs to exactly one region: keep one entry (groups can gather hosts across regions)',
            },
          ),
        );
        continue;
      }
      regionOf.set(h, r);
      byLower.set(h.toLowerCase(), h);
      hostOrder.push(h);
      hosts.push(h);
      rawHosts.set(h, rh);
    }
    regionHosts.set(r, hosts);
  }

  const { groups: resolved, membership } = resolveGroups(raw.groups, { hostOrder, regions: regionHosts }, locate, problems);

  checkReserved(raw.vars, ['vars'], locate, problems);
  masker?.addFromVars(raw.vars);
  for (const [r, region] of Object.entries(raw.regions)) {
    checkReserved(region.vars, ['regions', r, 'vars'], locate, problems);
    masker?.addFromVars(region.vars);
  }
  for (const [g, group] of Object.entries(raw.groups ?? {})) {
    checkReserved(group.vars, ['groups', g, 'vars'], locate, problems);
    masker?.addFromVars(group.vars);
  }

  const hostNames = new Set(hostOrder);
  const ctx = { file, locate, problems, hostNames, reported: new Set<string>(), masker };
  const hosts = new Map<string, InventoryHost>();
  const connections: MergedConnection[] = [];
  for (const h of hostOrder) {
    const r = regionOf.get(h)!;
    const rh = rawHosts.get(h) ?? null;
    const region = raw.regions[r];
    const groupNames = membership.get(h) ?? [];
    const path = ['regions', r, 'hosts', h];
    checkReserved(rh?.vars, [...path, 'vars'], locate, problems);
    masker?.addFromVars(rh?.vars);

    const rawAddress: unknown = rh?.address;
    if (rawAddress instanceof Secret) masker?.add(rawAddress.value);
    const address = rawAddress instanceof Secret ? rawAddress.value : (rh?.address ?? h);
    const layers: ConnectionLayer[] = [
      { raw: raw.connection, path: ['connection'] },
      { raw: region.connection, path: ['regions', r, 'connection'] },
      ...groupNames.map((g) => ({ raw: raw.groups![g].connection, path: ['groups', g, 'connection'] })),
      ...hostLayers(rh, path),
    ];
    const merged = mergeConnection(h, address, layers, ctx);
    connections.push(merged);
    // Levels 1-4 of the precedence (lib/vars/precedence.ts), with the host's magic variables.
    const vars = compose({ all: raw.vars, region: region.vars, group: groupNames.map((g) => raw.groups![g].vars), host: [rh?.vars, hostMagic(h, r, groupNames, address)] });
    hosts.set(h, { name: h, region: r, groups: groupNames, vars, connection: merged.settings, location: locate(path, 'key') });
  }

  const regions = new Map<string, InventoryRegion>();
  for (const [r, region] of Object.entries(raw.regions)) {
    regions.set(r, { name: r, hosts: regionHosts.get(r)!, vars: { ...(region.vars ?? {}) }, location: locate(['regions', r], 'key') });
  }
  const groups = new Map<string, InventoryGroup>();
  for (const [g, group] of Object.entries(raw.groups ?? {})) {
    const res = resolved.get(g)!;
    groups.set(g, { name: g, hosts: res.hosts, directHosts: res.directHosts, children: res.children, vars: { ...(group.vars ?? {}) }, location: locate(['groups', g], 'key') });
  }

  return { inventory: makeInventory({ file, vars: { ...(raw.vars ?? {}) }, hosts, regions, groups }), connections };
}
