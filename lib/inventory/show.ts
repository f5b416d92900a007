/**
 * `omsplay inventory --graph | --list | --host NAME`, as pure functions. Every value leaves
 * through the Masker, and values under secret-looking names are masked even when they are not
 * strings (a numeric password is still a password).
 */
import { OptionsError } from '../errors.js';
import { looksSecret, MASK, type Masker, Secret } from '../secrets.js';
import { didYouMeanOrKnown } from '../did-you-mean.js';
import type { Inventory, Vars } from './types.js';

type Shown = Pick<Inventory, 'hosts' | 'regions' | 'groups' | 'vars'>;

/** Ansible's `--graph` look: `@all` > regions (marked) > hosts, then groups > child groups/regions > hosts. */
export function inventoryGraph(inv: Shown, root = 'all'): string {
  const lines: string[] = [];
  const walk = (name: string, depth: number): void => {
    const pad = depth === 0 ? '' : `${'  |'.repeat(depth - 1)}  |--`;
    const region = inv.regions.get(name);
    const group = inv.groups.get(name);
    if (region) {
      lines.push(`${pad}@${name}: (region)`);
      for (const h of region.hosts) lines.push(`${'  |'.repeat(depth)}  |--${h}`);
    } else if (group) {
      lines.push(`${pad}@${name}:`);
      for (const c of group.children) walk(c, depth + 1);
      for (const h of group.directHosts ?? group.hosts) lines.push(`${'  |'.repeat(depth)}  |--${h}`);
    }
  };
  if (root === 'all') {
    lines.push('@all:');
    for (const r of inv.regions.keys()) walk(r, 1);
    // Groups that are some other group's child are drawn under it, as Ansible does.
    const nested = new Set([...inv.groups.values()].flatMap((g) => g.children));
    for (const g of inv.groups.keys()) if (!nested.has(g)) walk(g, 1);
  } else {
    if (!inv.regions.has(root) && !inv.groups.has(root)) {
      throw new OptionsError(`no region or group \`${root}\``, { hint: didYouMeanOrKnown(root, [...inv.regions.keys(), ...inv.groups.keys()], 'regions and groups') });
    }
    walk(root, 0);
  }
  return `${lines.join('\n')}\n`;
}

/** Like `ansible-inventory --list`: groups and regions with hosts/children/vars, `_meta.hostvars`, plus `regions`. */
export function inventoryList(inv: Shown, masker?: Masker): Record<string, unknown> {
  const nested = new Set([...inv.groups.values()].flatMap((g) => g.children));
  const out: Record<string, unknown> = {
    _meta: {
      hostvars: Object.fromEntries([...inv.hosts.values()].map((h) => [h.name, maskVars(h.vars, masker)])),
      connection: Object.fromEntries([...inv.hosts.values()].map((h) => [h.name, masker ? masker.maskValue(h.connection) : h.connection])),
    },
    all: {
      children: [...inv.regions.keys(), ...[...inv.groups.keys()].filter((g) => !nested.has(g))],
      vars: maskVars(inv.vars, masker),
    },
  };
  for (const r of inv.regions.values()) out[r.name] = { hosts: r.hosts, vars: maskVars(r.vars, masker) };
  for (const g of inv.groups.values()) {
    out[g.name] = { hosts: g.directHosts ?? g.hosts, children: g.children, vars: maskVars(g.vars, masker) };
  }
  out.regions = Object.fromEntries([...inv.regions.values()].map((r) => [r.name, r.hosts]));
  return out;
}

/** One host's merged variables (with the magic ones), masked. */
export function inventoryHost(inv: Shown, name: string, masker?: Masker): Vars {
  const host = inv.hosts.get(name);
  if (!host) throw new OptionsError(`no host \`${name}\` in the inventory`, { hint: didYouMeanOrKnown(name, inv.hosts.keys(), 'hosts') });
  return maskVars(host.vars, masker);
}

/** Deep copy with values under secret-looking names replaced by MASK, then every known secret masked. */
export function maskVars(vars: Vars, masker?: Masker): Vars {
  const byName = maskByName(vars, false) as Vars;
  return masker ? masker.maskValue(byName) : byName;
}

function maskByName(v: unknown, secret: boolean): unknown {
  if (v instanceof Secret) return MASK;
  if (secret && v !== null && v !== undefined && typeof v !== 'object') return MASK;
  if (Array.isArray(v)) return v.map((x) => maskByName(x, secret));
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = maskByName(x, secret || looksSecret(k));
    return out;
  }
  return v;
}
