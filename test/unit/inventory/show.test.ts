/** `omsplay inventory --graph | --list | --host`: shapes, and secrets masked in every one. */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OptionsError } from '../../../lib/errors.js';
import { loadInventory } from '../../../lib/inventory/load.js';
import { inventoryGraph, inventoryHost, inventoryList, maskVars } from '../../../lib/inventory/show.js';
import type { Inventory } from '../../../lib/inventory/types.js';
import { MASK, Masker, Secret } from '../../../lib/secrets.js';

const SECRETS = ['Meta-Pass;1', '123456789', 'plain-db-pass'];
let inv: Inventory;
let masker: Masker;
beforeAll(async () => {
  masker = new Masker();
  inv = await loadInventory(join(import.meta.dirname, 'fixtures', 'site.yml'), { masker });
});

describe('--graph', () => {
  it('draws @all > regions > hosts, then groups > children > hosts', () => {
    expect(inventoryGraph(inv)).toBe(
      [
        '@all:',
        '  |--@hangzhou: (region)',
        '  |  |--bastion-1',
        '  |  |--oms-hz-1',
        '  |  |--oms-hz-2',
        '  |  |--oms-hz-3',
        '  |--@shanghai: (region)',
        '  |  |--oms-sh-1',
        '  |  |--oms-sh-2',
        '  |--@oms_nodes:',
        '  |  |--@sh_nodes:',
        '  |  |  |--@shanghai: (region)',
        '  |  |  |  |--oms-sh-1',
        '  |  |  |  |--oms-sh-2',
        '  |  |--oms-hz-1',
        '  |  |--oms-hz-2',
        '  |  |--oms-hz-3',
        '  |--@canary:',
        '  |  |--oms-hz-2',
        '  |  |--oms-sh-1',
        '  |--@db_nodes:',
        '  |  |--oms-hz-1',
        '',
      ].join('\n'),
    );
  });
  it('draws one group or region when named', () => {
    expect(inventoryGraph(inv, 'sh_nodes')).toBe('@sh_nodes:\n  |--@shanghai: (region)\n  |  |--oms-sh-1\n  |  |--oms-sh-2\n');
    expect(inventoryGraph(inv, 'hangzhou').split('\n')[0]).toBe('@hangzhou: (region)');
  });
  it('refuses an unknown root with a suggestion', () => {
    expect(() => inventoryGraph(inv, 'sh_node')).toThrow(OptionsError);
    try {
      inventoryGraph(inv, 'sh_node');
    } catch (e) {
      expect((e as OptionsError).hint).toContain('`sh_nodes`');
    }
  });
});

describe('--list', () => {
  it('has the ansible-inventory --list shape plus regions', () => {
    const list = inventoryList(inv, masker) as Record<string, any>;
    expect(list.all.children).toEqual(['hangzhou', 'shanghai', 'oms_nodes', 'canary', 'db_nodes']);
    expect(list.all.vars.site).toBe('prod');
    expect(list.hangzhou).toEqual({ hosts: ['bastion-1', 'oms-hz-1', 'oms-hz-2', 'oms-hz-3'], vars: expect.objectContaining({ level: 'region' }) });
    expect(list.oms_nodes.hosts).toEqual(['oms-hz-1', 'oms-hz-2', 'oms-hz-3']);
    expect(list.oms_nodes.children).toEqual(['sh_nodes']);
    expect(list.regions).toEqual({ hangzhou: ['bastion-1', 'oms-hz-1', 'oms-hz-2', 'oms-hz-3'], shanghai: ['oms-sh-1', 'oms-sh-2'] });
    expect(Object.keys(list._meta.hostvars)).toEqual(['bastion-1', 'oms-hz-1', 'oms-hz-2', 'oms-hz-3', 'oms-sh-1', 'oms-sh-2']);
    expect(list._meta.hostvars['oms-sh-2']).toMatchObject({ tier: 'child', region: 'shanghai', group_names: ['oms_nodes', 'sh_nodes'] });
    expect(list._meta.connection['oms-hz-1']).toMatchObject({ port: 2222, user: 'root', jump: ['bastion-1'] });
  });
  it('masks every secret: !secret values, secret-looking names (also numbers), at every level', () => {
    const list = inventoryList(inv, masker) as Record<string, any>;
    const text = JSON.stringify(list);
    for (const s of SECRETS) expect(text).not.toContain(s);
    expect(list.all.vars.metadb_password).toBe(MASK);
    expect(list.all.vars.api_token).toBe(MASK);
    expect(list.db_nodes.vars.mysql_password).toBe(MASK);
    expect(list._meta.hostvars['oms-hz-1'].mysql_password).toBe(MASK);
  });
  it('masks by name even without a masker', () => {
    const text = JSON.stringify(inventoryList(inv));
    for (const s of SECRETS) expect(text).not.toContain(s);
  });
});

describe('--host', () => {
  it("shows one host's merged variables, magic ones included, secrets masked", () => {
    const vars = inventoryHost(inv, 'oms-hz-1', masker);
    expect(vars).toMatchObject({ level: 'host', tier: 'db', node_id: 1, inventory_hostname: 'oms-hz-1', region: 'hangzhou', address: '10.0.0.11' });
    expect(vars.metadb_password).toBe(MASK);
    const text = JSON.stringify(vars);
    for (const s of SECRETS) expect(text).not.toContain(s);
  });
  it('does not change the inventory while masking', () => {
    inventoryHost(inv, 'oms-hz-1', masker);
    expect(inv.hosts.get('oms-hz-1')!.vars.mysql_password).toBe('plain-db-pass');
  });
  it('refuses an unknown host with a suggestion', () => {
    try {
      inventoryHost(inv, 'oms-hz-01', masker);
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(OptionsError);
      expect((e as OptionsError).hint).toMatch(/did you mean `oms-hz-\d`/);
    }
  });
});

describe('maskVars', () => {
  it('masks nested values under a secret name and values the masker knows anywhere', () => {
    const m = new Masker();
    m.add('hunter2-long');
    const out = maskVars({ db: { password: 42, user: 'oms' }, note: 'pw is hunter2-long', s: new Secret('x') }, m);
    expect(out).toEqual({ db: { password: MASK, user: 'oms' }, note: `pw is ${MASK}`, s: MASK });
  });
});
