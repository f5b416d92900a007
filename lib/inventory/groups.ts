/**
 * Groups: members, children (groups or regions), cycle detection, and the precedence order of
 * groups (declaration order, except that a child always comes after its parents so its vars win).
 */
import { ValidationError } from '../errors.js';
import type { Problems, Locate } from './problems.js';
import type { RawGroup } from './raw.js';
import { didYouMeanOrKnown } from '../did-you-mean.js';

export interface ResolvedGroup {
  name: string;
  /** Every host, including those of children, in inventory order. */
  hosts: string[];
  /** Hosts listed under the group's own `hosts:`, in inventory order. */
  directHosts: string[];
  children: string[];
}

export interface GroupResolution {
  groups: Map<string, ResolvedGroup>;
  /** Group names in precedence order (low to high). */
  order: string[];
  /** Per host: its groups in precedence order. */
  membership: Map<string, string[]>;
}

interface Direct {
  hosts: string[];
  children: string[];
  /** Index of each child in the list as written (for error positions). */
  childAt: number[];
}

export interface Known {
  /** Host names in inventory order. */
  hostOrder: string[];
  /** Region name to its host names. */
  regions: Map<string, string[]>;
}

export function resolveGroups(
  raw: Record<string, RawGroup> | undefined,
  known: Known,
  locate: Locate,
  problems: Problems,
): GroupResolution {
  const entries = Object.entries(raw ?? {});
  const names = new Set(entries.map(([n]) => n));
  const hostSet = new Set(known.hostOrder);
  const direct = new Map<string, Direct>();

  for (const [name, g] of entries) {
    const hosts: string[] = [];
    (g.hosts ?? []).forEach((h, i) => {
      if (hosts.includes(h)) {
        problems.add(
          new ValidationError(`group \`${name}\` lists host \`${h}\` twice`, {
            location: locate(['groups', name, 'hosts', i]),
            hint: 'remove the second entry',
          }),
        );
        return;
      }
      if (hostSet.has(h)) {
        hosts.push(h);
        return;
      }
      const at = locate(['groups', name, 'hosts', i]);
      if (known.regions.has(h) || names.has(h)) {
        const kind = known.regions.has(h) ? 'region' : 'group';
        problems.add(
          new ValidationError(`group \`${name}\` lists \`${h}\` under hosts, but it is a ${kind}`, {
            location: at,
            hint: `list a ${kind} under \`children:\`, e.g. children: [${h}]`,
          }),
        );
      } else {
        problems.add(
          new ValidationError(`group \`${name}\` names unknown host \`${h}\``, {
            location: at,
            hint: `${didYouMeanOrKnown(h, known.hostOrder, 'hosts')} (a host is declared under a region's hosts)`,
          }),
        );
      }
    });
    const children: string[] = [];
    const childAt: number[] = [];
    (g.children ?? []).forEach((c, i) => {
      if (children.includes(c)) {
        problems.add(
          new ValidationError(`group \`${name}\` lists child \`${c}\` twice`, { location: locate(['groups', name, 'children', i]), hint: 'remove the second entry' }),
        );
        return;
      }
      if (names.has(c) || known.regions.has(c)) {
        children.push(c);
        childAt.push(i);
        return;
      }
      const at = locate(['groups', name, 'children', i]);
      problems.add(
        new ValidationError(
          hostSet.has(c) ? `group \`${name}\` lists host \`${c}\` as a child group` : `group \`${name}\` names unknown child group \`${c}\``,
          {
            location: at,
            hint: hostSet.has(c)
              ? `children are groups or regions; list hosts under \`hosts:\`, e.g. hosts: [${c}]`
              : didYouMeanOrKnown(c, [...names, ...known.regions.keys()], 'groups and regions'),
          },
        ),
      );
    });
    direct.set(name, { hosts, children, childAt });
  }

  findCycles(direct, locate, problems);
  problems.throwIfAny();

  const order = precedenceOrder(entries.map(([n]) => n), direct);
  const index = new Map(known.hostOrder.map((h, i) => [h, i]));
  const expanded = new Map<string, Set<string>>();
  const expand = (g: string): Set<string> => {
    const done = expanded.get(g);
    if (done) return done;
    const set = new Set<string>(known.regions.get(g) ?? []);
    const d = direct.get(g);
    if (d) {
      for (const h of d.hosts) set.add(h);
      for (const c of d.children) for (const h of expand(c)) set.add(h);
    }
    expanded.set(g, set);
    return set;
  };

  const groups = new Map<string, ResolvedGroup>();
  for (const [name] of entries) {
    const hosts = [...expand(name)].sort((a, b) => index.get(a)! - index.get(b)!);
    const d = direct.get(name)!;
    const directHosts = [...new Set(d.hosts)].sort((a, b) => index.get(a)! - index.get(b)!);
    groups.set(name, { name, hosts, directHosts, children: d.children });
  }
  const membership = new Map<string, string[]>(known.hostOrder.map((h) => [h, []]));
  for (const g of order) for (const h of groups.get(g)!.hosts) membership.get(h)!.push(g);
  return { groups, order, membership };
}

/** Reports each cycle once, at the `children` entry that closes it. */
function findCycles(direct: Map<string, Direct>, locate: Locate, problems: Problems): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (g: string): void => {
    state.set(g, 'visiting');
    stack.push(g);
    direct.get(g)!.children.forEach((c, i) => {
      if (!direct.has(c)) return; // a region: no children of its own
      if (state.get(c) === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(c)), c].join(' > ');
        problems.add(
          new ValidationError(`group children form a cycle: ${cycle}`, {
            location: locate(['groups', g, 'children', direct.get(g)!.childAt[i]]),
            hint: `remove \`${c}\` from the children of \`${g}\`: a group cannot contain itself`,
          }),
        );
      } else if (!state.has(c)) {
        visit(c);
      }
    });
    stack.pop();
    state.set(g, 'done');
  };
  for (const g of direct.keys()) if (!state.has(g)) visit(g);
}

/** Declaration order, stably reordered so that every parent precedes its children (Kahn, lowest index first). */
function precedenceOrder(declared: string[], direct: Map<string, Direct>): string[] {
  const parents = new Map<string, number>(declared.map((g) => [g, 0]));
  for (const g of declared) for (const c of direct.get(g)!.children) if (parents.has(c)) parents.set(c, parents.get(c)! + 1);
  const order: string[] = [];
  const left = [...declared];
  while (left.length > 0) {
    const i = left.findIndex((g) => parents.get(g) === 0);
    const [g] = left.splice(i, 1);
    order.push(g);
    for (const c of direct.get(g)!.children) if (parents.has(c)) parents.set(c, parents.get(c)! - 1);
  }
  return order;
}
