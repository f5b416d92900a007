/**
 * Host patterns, evaluated Ansible's way: the pattern is split on `,` (or on `:` when it has no
 * comma); plain terms are united first, then `&` terms intersect, then `!` terms exclude. A term is
 * `all` / `*`, a host, a region, a group, a glob (`oms-hz-*`, `?`, `[12]`, `[!3]`), a regex
 * (`~oms-(hz|sh)-\d`), or a slice of a region/group (`oms_nodes[0]`, `oms_nodes[1:]`,
 * `oms_nodes[-1]`; ranges include their end, as Ansible's). Results are in inventory order. A term
 * that matches nothing is an error with a "did you mean" hint: a misspelt exclusion must not
 * widen a run.
 */
import { type OmsplayError, OptionsError, ValidationError } from '../errors.js';
import { didYouMeanOrKnown } from '../did-you-mean.js';
import type { SelectOptions } from './types.js';

/** What patterns are evaluated against: hosts in inventory order and the named sets (regions, groups). */
export interface PatternUniverse {
  hostOrder: readonly string[];
  sets: ReadonlyMap<string, readonly string[]>;
}

/** Names that reach the control node without being in the inventory. */
export const IMPLICIT_LOCALHOST = 'localhost';

export function selectHosts(u: PatternUniverse, pattern: string, opts: SelectOptions = {}): string[] {
  const fail = (message: string, hint?: string): OmsplayError =>
    opts.source === 'options' ? new OptionsError(message, { hint }) : new ValidationError(message, { location: opts.location, hint });
  const terms = splitPattern(pattern);
  if (terms.length === 0) throw fail('empty host pattern', 'write `all`, a region, a group, a host or a glob such as `oms-hz-*`');

  const plain = terms.filter((t) => !t.startsWith('&') && !t.startsWith('!'));
  const and = terms.filter((t) => t.startsWith('&')).map((t) => t.slice(1));
  const not = terms.filter((t) => t.startsWith('!')).map((t) => t.slice(1));

  const match = (term: string): string[] => {
    const found = matchTerm(u, term, fail);
    if (found.length === 0) {
      throw fail(
        `host pattern \`${pattern}\`: \`${term}\` matches no host, region or group`,
        didYouMeanOrKnown(term, [...u.sets.keys(), ...u.hostOrder], 'regions, groups and hosts'),
      );
    }
    return found;
  };

  let selected = new Set<string>(plain.length === 0 ? u.hostOrder : []);
  for (const t of plain) for (const h of match(t)) selected.add(h);
  for (const t of and) {
    const keep = new Set(match(t));
    selected = new Set([...selected].filter((h) => keep.has(h)));
  }
  for (const t of not) for (const h of match(t)) selected.delete(h);

  const index = new Map(u.hostOrder.map((h, i) => [h, i]));
  const result = [...selected].sort((a, b) => (index.get(a) ?? Number.MAX_SAFE_INTEGER) - (index.get(b) ?? Number.MAX_SAFE_INTEGER));
  if (result.length === 0 && !opts.allowEmpty) {
    const sizes = terms.map((t) => `\`${t}\`: ${tryCount(u, t)}`).join(', ');
    throw fail(`host pattern \`${pattern}\` matches no host`, `each term matched, but together they leave nothing (${sizes})`);
  }
  return result;
}

/** Splits on commas when there are any, else on colons outside brackets (Ansible's rule). */
export function splitPattern(pattern: string): string[] {
  const parts = pattern.includes(',') ? pattern.split(',') : (pattern.match(/(?:[^\s:[\]]|\[[^\]]*\])+/g) ?? []);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

function matchTerm(u: PatternUniverse, term: string, fail: (m: string, h?: string) => OmsplayError): string[] {
  if (term === 'all' || term === '*') return [...u.hostOrder];
  if (u.hostOrder.includes(term)) return [term];
  const set = u.sets.get(term);
  if (set) return [...set];
  const sliced = slice(u, term);
  if (sliced) return sliced;

  let test: ((name: string) => boolean) | undefined;
  if (term.startsWith('~')) {
    let re: RegExp;
    try {
      re = new RegExp(term.slice(1));
    } catch (e) {
      throw fail(`invalid regular expression in host pattern: ${term}`, (e as Error).message);
    }
    test = (n) => re.test(n);
  } else if (/[*?[]/.test(term)) {
    const re = globToRegExp(term);
    test = (n) => re.test(n);
  }
  if (test) {
    const hits = new Set<string>();
    for (const [name, hosts] of u.sets) if (test(name)) for (const h of hosts) hits.add(h);
    for (const h of u.hostOrder) if (test(h)) hits.add(h);
    return [...hits];
  }
  if (term === IMPLICIT_LOCALHOST || term === '127.0.0.1') return [IMPLICIT_LOCALHOST];
  return [];
}

/** `name[i]`, `name[a:b]` (inclusive), `name[a:]`, `name[:b]`, `name[-1]` on `all`, a region or a group. */
function slice(u: PatternUniverse, term: string): string[] | undefined {
  const m = /^(.+)\[(-?\d+)?(?::(-?\d+)?)?\]$/.exec(term);
  if (!m || (m[2] === undefined && m[3] === undefined)) return undefined;
  const hosts = m[1] === 'all' ? u.hostOrder : u.sets.get(m[1]);
  if (!hosts) return undefined;
  const at = (s: string) => {
    const n = Number(s);
    return n < 0 ? hosts.length + n : n;
  };
  if (!term.includes(':')) {
    const h = hosts[at(m[2]!)];
    return h === undefined ? [] : [h];
  }
  const from = m[2] === undefined ? 0 : at(m[2]);
  const to = m[3] === undefined ? hosts.length - 1 : at(m[3]);
  return hosts.slice(Math.max(0, from), to + 1);
}

/** fnmatch semantics: `*` any run, `?` one character, `[abc]`/`[a-c]` a class, `[!abc]` a negated class. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      else if (body.startsWith('^')) body = `\\${body}`;
      re += `[${body}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function tryCount(u: PatternUniverse, term: string): number {
  const t = term.replace(/^[&!]/, '');
  return matchTerm(u, t, (m) => new ValidationError(m)).length;
}

/**
 * `--limit`: narrows hosts a play selected to those the limit pattern selects (order kept). A limit
 * term that matches nothing in the inventory is a bad option (exit 5); a limit that leaves a play
 * with no host is not an error (the play is skipped, as Ansible's "no hosts matched").
 */
export function applyLimit(inv: { select(pattern: string, opts?: SelectOptions): string[] }, hosts: readonly string[], limit: string | undefined): string[] {
  if (limit === undefined || limit.trim() === '') return [...hosts];
  const allowed = new Set(inv.select(limit, { source: 'options', allowEmpty: true }));
  return hosts.filter((h) => allowed.has(h));
}
