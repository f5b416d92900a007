/** Host patterns, Ansible's way: every form, evaluation order, inventory order, errors with hints, --limit. */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OptionsError, ValidationError } from '../../../lib/errors.js';
import { loadInventory } from '../../../lib/inventory/load.js';
import { applyLimit, globToRegExp, type PatternUniverse, selectHosts, splitPattern } from '../../../lib/inventory/patterns.js';
import type { Inventory } from '../../../lib/inventory/types.js';

// site.yml: hangzhou = bastion-1, oms-hz-1..3; shanghai = oms-sh-1, oms-sh-2;
// oms_nodes = hz-1..3 + children sh_nodes (= shanghai); canary = hz-2, sh-1; db_nodes = hz-1.
let inv: Inventory;
beforeAll(async () => {
  inv = await loadInventory(join(import.meta.dirname, 'fixtures', 'site.yml'));
});
const ALL = ['bastion-1', 'oms-hz-1', 'oms-hz-2', 'oms-hz-3', 'oms-sh-1', 'oms-sh-2'];

function refusal(pattern: string, opts = {}): ValidationError {
  try {
    inv.select(pattern, opts);
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error(`${pattern} matched`);
}

describe('single terms', () => {
  it.each([
    ['all', ALL],
    ['*', ALL],
    ['hangzhou', ['bastion-1', 'oms-hz-1', 'oms-hz-2', 'oms-hz-3']],
    ['oms_nodes', ['oms-hz-1', 'oms-hz-2', 'oms-hz-3', 'oms-sh-1', 'oms-sh-2']],
    ['sh_nodes', ['oms-sh-1', 'oms-sh-2']],
    ['oms-sh-1', ['oms-sh-1']],
    ['oms-hz-*', ['oms-hz-1', 'oms-hz-2', 'oms-hz-3']],
    ['oms-?z-1', ['oms-hz-1']],
    ['oms-hz-[13]', ['oms-hz-1', 'oms-hz-3']],
    ['oms-hz-[!13]', ['oms-hz-2']],
    ['oms-[a-h]?-2', ['oms-hz-2']],
    ['*_nodes', ['oms-hz-1', 'oms-hz-2', 'oms-hz-3', 'oms-sh-1', 'oms-sh-2']],
    ['shang*', ['oms-sh-1', 'oms-sh-2']],
    ['~^oms-(hz|sh)-1$', ['oms-hz-1', 'oms-sh-1']],
    ['~bastion', ['bastion-1']],
    ['~^can', ['oms-hz-2', 'oms-sh-1']],
    ['oms_nodes[0]', ['oms-hz-1']],
    ['oms_nodes[-1]', ['oms-sh-2']],
    ['oms_nodes[1:2]', ['oms-hz-2', 'oms-hz-3']],
    ['hangzhou[2:]', ['oms-hz-2', 'oms-hz-3']],
    ['all[:1]', ['bastion-1', 'oms-hz-1']],
  ])('%s', (pattern, expected) => {
    expect(inv.select(pattern)).toEqual(expected);
  });

  it('allows localhost without declaring it', () => {
    expect(inv.select('localhost')).toEqual(['localhost']);
    expect(inv.select('canary:localhost')).toEqual(['oms-hz-2', 'oms-sh-1', 'localhost']);
  });
});

describe('combinations', () => {
  it('union with : and with ,', () => {
    expect(inv.select('canary:db_nodes')).toEqual(['oms-hz-1', 'oms-hz-2', 'oms-sh-1']);
    expect(inv.select('canary, db_nodes')).toEqual(['oms-hz-1', 'oms-hz-2', 'oms-sh-1']);
    expect(inv.select('shanghai:bastion-1')).toEqual(['bastion-1', 'oms-sh-1', 'oms-sh-2']);
  });
  it('intersection a:&b', () => {
    expect(inv.select('oms_nodes:&hangzhou')).toEqual(['oms-hz-1', 'oms-hz-2', 'oms-hz-3']);
    expect(inv.select('canary,&shanghai')).toEqual(['oms-sh-1']);
  });
  it('exclusion a:!b', () => {
    expect(inv.select('all:!hangzhou')).toEqual(['oms-sh-1', 'oms-sh-2']);
    expect(inv.select('oms-hz-*:!canary')).toEqual(['oms-hz-1', 'oms-hz-3']);
  });
  it('only exclusions or intersections start from all', () => {
    expect(inv.select('!hangzhou')).toEqual(['oms-sh-1', 'oms-sh-2']);
    expect(inv.select('&canary')).toEqual(['oms-hz-2', 'oms-sh-1']);
  });
  it('evaluates unions first, then intersections, then exclusions, wherever they are written', () => {
    expect(inv.select('!canary:hangzhou:&oms_nodes')).toEqual(['oms-hz-1', 'oms-hz-3']);
    expect(inv.select('&oms_nodes:!canary:shanghai:db_nodes')).toEqual(['oms-hz-1', 'oms-sh-2']);
  });
  it('returns hosts in inventory order, not pattern order', () => {
    expect(inv.select('oms-sh-2:oms-hz-1:bastion-1')).toEqual(['bastion-1', 'oms-hz-1', 'oms-sh-2']);
  });
  it('splits on commas when present, else on colons outside brackets', () => {
    expect(splitPattern('a:&b:!c')).toEqual(['a', '&b', '!c']);
    expect(splitPattern(' a , ~x:y ')).toEqual(['a', '~x:y']);
    expect(splitPattern('web[1:2]:db')).toEqual(['web[1:2]', 'db']);
    expect(splitPattern('')).toEqual([]);
  });
});

describe('errors', () => {
  it('a misspelt group is refused with a suggestion', () => {
    const e = refusal('oms_node');
    expect(e.message).toContain('`oms_node` matches no host, region or group');
    expect(e.hint).toContain('did you mean `oms_nodes`?');
  });
  it('a misspelt exclusion is refused instead of widening the run', () => {
    const e = refusal('all:!oms-hz-9');
    expect(e.message).toContain('`oms-hz-9`');
    expect(e.hint).toMatch(/did you mean `oms-hz-\d`/);
  });
  it('a glob that matches nothing is refused', () => {
    expect(refusal('oms-bj-*').message).toContain('`oms-bj-*` matches no host');
  });
  it('an empty result is refused unless allowed', () => {
    const e = refusal('db_nodes:&shanghai');
    expect(e.message).toBe('host pattern `db_nodes:&shanghai` matches no host');
    expect(e.hint).toContain('`db_nodes`: 1');
    expect(inv.select('db_nodes:&shanghai', { allowEmpty: true })).toEqual([]);
  });
  it('names where the pattern was written', () => {
    const location = { file: 'play.yml', line: 3, col: 10 };
    expect(refusal('nope', { location }).location).toEqual(location);
  });
  it('an invalid regex and an empty pattern are refused', () => {
    expect(refusal('~(oms').message).toContain('invalid regular expression');
    expect(refusal(' ').message).toContain('empty host pattern');
  });
  it('command-line patterns fail as bad options (exit 5)', () => {
    expect(() => inv.select('nope', { source: 'options' })).toThrow(OptionsError);
  });
});

describe('--limit', () => {
  it('intersects the play hosts with the limit, keeping order', () => {
    const play = inv.select('oms_nodes');
    expect(applyLimit(inv, play, 'hangzhou')).toEqual(['oms-hz-1', 'oms-hz-2', 'oms-hz-3']);
    expect(applyLimit(inv, play, 'oms-sh-2,oms-hz-1')).toEqual(['oms-hz-1', 'oms-sh-2']);
    expect(applyLimit(inv, play, 'all:!canary')).toEqual(['oms-hz-1', 'oms-hz-3', 'oms-sh-2']);
  });
  it('no limit keeps every host', () => {
    expect(applyLimit(inv, ['oms-hz-1'], undefined)).toEqual(['oms-hz-1']);
    expect(applyLimit(inv, ['oms-hz-1'], '')).toEqual(['oms-hz-1']);
  });
  it('a limit that leaves the play no host yields none (the play is skipped)', () => {
    expect(applyLimit(inv, inv.select('shanghai'), 'db_nodes')).toEqual([]);
  });
  it('a limit naming nothing in the inventory is a bad option with a suggestion', () => {
    try {
      applyLimit(inv, ALL, 'oms-hz-7');
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(OptionsError);
      expect((e as OptionsError).hint).toMatch(/did you mean/);
    }
  });
});

describe('pure evaluation over a universe', () => {
  const u: PatternUniverse = { hostOrder: ['a1', 'a2', 'b1'], sets: new Map([['ga', ['a1', 'a2']]]) };
  it('needs no inventory file', () => {
    expect(selectHosts(u, 'ga:!a1')).toEqual(['a2']);
    expect(selectHosts(u, 'a*:b1')).toEqual(['a1', 'a2', 'b1']);
  });
  it('translates globs with fnmatch rules', () => {
    expect(globToRegExp('a.b*').test('a.bc')).toBe(true);
    expect(globToRegExp('a.b*').test('axbc')).toBe(false);
    expect(globToRegExp('h[!0-4]').test('h5')).toBe(true);
    expect(globToRegExp('h[!0-4]').test('h3')).toBe(false);
    expect(globToRegExp('x[').test('x[')).toBe(true);
  });
});
