/** Loading a valid inventory: regions, groups, variable precedence, connection inheritance, magic vars, secrets. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hostOrLocalhost } from '../../../lib/inventory/localhost.js';
import { loadInventory } from '../../../lib/inventory/load.js';
import { resolveInventoryPath } from '../../../lib/inventory/paths.js';
import type { Inventory } from '../../../lib/inventory/types.js';
import { MASK, Masker, Secret } from '../../../lib/secrets.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const site = join(fixtures, 'site.yml');

async function inventoryFrom(yaml: string, masker?: Masker): Promise<Inventory> {
  const file = join(await mkdtemp(join(tmpdir(), 'inv-')), 'inventory.yml');
  await writeFile(file, yaml);
  return loadInventory(file, { masker });
}

let inv: Inventory;
let masker: Masker;
beforeAll(async () => {
  masker = new Masker();
  inv = await loadInventory(site, { masker });
});

describe('structure', () => {
  it('keeps hosts, regions and groups in inventory order', () => {
    expect([...inv.hosts.keys()]).toEqual(['bastion-1', 'oms-hz-1', 'oms-hz-2', 'oms-hz-3', 'oms-sh-1', 'oms-sh-2']);
    expect([...inv.regions.keys()]).toEqual(['hangzhou', 'shanghai']);
    expect(inv.regions.get('shanghai')!.hosts).toEqual(['oms-sh-1', 'oms-sh-2']);
    expect([...inv.groups.keys()]).toEqual(['oms_nodes', 'sh_nodes', 'canary', 'db_nodes']);
  });

  it('gives every host exactly one region and its groups, children included', () => {
    expect(inv.hosts.get('oms-hz-2')!.region).toBe('hangzhou');
    expect(inv.hosts.get('oms-sh-2')!.region).toBe('shanghai');
    expect(inv.hosts.get('bastion-1')!.groups).toEqual([]);
    expect(inv.hosts.get('oms-sh-1')!.groups).toEqual(['oms_nodes', 'sh_nodes', 'canary']);
    const oms = inv.groups.get('oms_nodes')!;
    expect(oms.hosts).toEqual(['oms-hz-1', 'oms-hz-2', 'oms-hz-3', 'oms-sh-1', 'oms-sh-2']);
    expect(oms.directHosts).toEqual(['oms-hz-1', 'oms-hz-2', 'oms-hz-3']);
    expect(oms.children).toEqual(['sh_nodes']);
    expect(inv.groups.get('sh_nodes')!.hosts).toEqual(['oms-sh-1', 'oms-sh-2']);
  });

  it('records where each host, region and group was written', () => {
    expect(inv.hosts.get('oms-hz-1')!.location).toEqual({ file: site, line: 26, col: 7 });
    expect(inv.regions.get('shanghai')!.location).toEqual({ file: site, line: 33, col: 3 });
    expect(inv.groups.get('canary')!.location).toEqual({ file: site, line: 47, col: 3 });
  });

  it('reports the absolute inventory path as the file', async () => {
    expect(inv.file).toBe(site);
  });
});

describe('variable precedence: all < region < groups < host', () => {
  it('host vars win over everything', () => {
    expect(inv.hosts.get('oms-hz-1')!.vars.level).toBe('host');
  });
  it('group vars win over region vars', () => {
    expect(inv.hosts.get('oms-hz-2')!.vars.level).toBe('group');
    expect(inv.hosts.get('oms-sh-1')!.vars.level).toBe('group');
  });
  it('region vars win over all vars', () => {
    expect(inv.hosts.get('bastion-1')!.vars.level).toBe('region');
    expect(inv.hosts.get('bastion-1')!.vars.tier).toBe('region');
  });
  it('all vars reach hosts of every region', () => {
    expect(inv.hosts.get('oms-sh-2')!.vars.site).toBe('prod');
    expect(inv.hosts.get('oms-sh-2')!.vars.region_db).toBeUndefined();
    expect(inv.hosts.get('oms-hz-3')!.vars.region_db).toBe('hz_heartbeat');
  });
  it('groups apply in declaration order, a later group over an earlier one', () => {
    expect(inv.hosts.get('oms-hz-2')!.vars.tier).toBe('canary');
    expect(inv.hosts.get('oms-hz-1')!.vars.tier).toBe('db');
    expect(inv.hosts.get('oms-sh-1')!.vars.tier).toBe('canary');
  });
  it("a child's vars win over its parent's", () => {
    expect(inv.hosts.get('oms-sh-2')!.vars.tier).toBe('child');
  });
  it("a child's vars win even when the child is declared before its parent", async () => {
    const i = await inventoryFrom(`
regions:
  r: {hosts: {a: null, b: null}}
groups:
  child_g: {hosts: [a], vars: {x: child}}
  parent_g: {hosts: [b], children: [child_g], vars: {x: parent, y: parent}}
`);
    expect(i.hosts.get('a')!.vars).toMatchObject({ x: 'child', y: 'parent' });
    expect(i.hosts.get('a')!.groups).toEqual(['parent_g', 'child_g']);
    expect(i.hosts.get('b')!.vars.x).toBe('parent');
  });
  it('a higher level replaces a mapping whole (no deep merge)', () => {
    expect(inv.hosts.get('oms-hz-1')!.vars.ha).toEqual({ enable: true });
    expect(inv.hosts.get('bastion-1')!.vars.ha).toEqual({ enable: false });
  });
  it('YAML 1.1 booleans stay strings in vars', () => {
    expect(inv.hosts.get('oms-sh-1')!.vars.sh_only).toBe('yes');
  });
  it('keeps each level’s own vars on regions, groups and the inventory', () => {
    expect(inv.vars.level).toBe('all');
    expect(inv.regions.get('hangzhou')!.vars.level).toBe('region');
    expect(inv.groups.get('oms_nodes')!.vars.level).toBe('group');
  });
});

describe('magic variables', () => {
  it('every host gets inventory_hostname, region, group_names and address', () => {
    expect(inv.hosts.get('oms-sh-1')!.vars).toMatchObject({
      inventory_hostname: 'oms-sh-1',
      region: 'shanghai',
      group_names: ['oms_nodes', 'sh_nodes', 'canary'],
      address: '10.0.1.11',
    });
    expect(inv.hosts.get('oms-hz-2')!.vars.address).toBe('oms-hz-2');
    expect(inv.hosts.get('bastion-1')!.vars.group_names).toEqual([]);
  });
});

describe('connection settings: all < region < groups < host', () => {
  const keys = (f: string) => join(fixtures, 'keys', f);
  it('inherits defaults from all and region', () => {
    const c = inv.hosts.get('oms-hz-2')!.connection;
    expect(c).toMatchObject({ connection: 'ssh', address: 'oms-hz-2', port: 22, user: 'omsadm', keyFile: keys('hz_key'), become: true });
    expect(c.connectTimeoutMs).toBe(7500);
    expect(c.knownHostsFile).toBe(join(fixtures, 'known_hosts'));
    expect(c.jump).toEqual(['bastion-1']);
  });
  it('host keys written directly win over groups', () => {
    expect(inv.hosts.get('oms-hz-1')!.connection).toMatchObject({ user: 'root', port: 2222, address: '10.0.0.11' });
  });
  it('a host `connection:` mapping works like direct keys', () => {
    expect(inv.hosts.get('oms-hz-3')!.connection).toMatchObject({ port: 2200, becomeUser: 'oms', user: 'omsadm' });
  });
  it('regions without their own settings use the all level', () => {
    const c = inv.hosts.get('oms-sh-1')!.connection;
    expect(c).toMatchObject({ keyFile: keys('fake_key'), becomePasswordEnv: 'OMS_SUDO_PASS', user: 'omsadm' });
    expect(c.become).toBeUndefined();
  });
  it('`connection: local` at host level selects the local transport', () => {
    expect(inv.hosts.get('oms-sh-2')!.connection.connection).toBe('local');
  });
  it('a bastion does not jump through itself', () => {
    expect(inv.hosts.get('bastion-1')!.connection.jump).toBeUndefined();
  });
  it('a jump chain is cut where the host itself appears', async () => {
    const i = await inventoryFrom(`
connection: {jump: [b1, b2, "ops@203.0.113.9:2022"]}
regions:
  r: {hosts: {b1: null, b2: null, h: null}}
`);
    expect(i.hosts.get('b1')!.connection.jump).toBeUndefined();
    expect(i.hosts.get('b2')!.connection.jump).toEqual(['b1']);
    expect(i.hosts.get('h')!.connection.jump).toEqual(['b1', 'b2', 'ops@203.0.113.9:2022']);
  });
  it('defaults: ssh, port 22, address = name, the local user', async () => {
    const i = await inventoryFrom('regions: {r: {hosts: {h1: null}}}\n');
    const c = i.hosts.get('h1')!.connection;
    expect(c).toMatchObject({ connection: 'ssh', port: 22, address: 'h1' });
    expect(c.user.length).toBeGreaterThan(0);
    expect(c.keyFile).toBeUndefined();
  });
  it('does not require key files of hosts that connect locally', async () => {
    const i = await inventoryFrom('connection: {key_file: ./nope, connection: local}\nregions: {r: {hosts: {h1: null}}}\n');
    expect(i.hosts.get('h1')!.connection.connection).toBe('local');
  });
  it('does not check key files when asked not to (validate on another machine)', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'inv-')), 'i.yml');
    await writeFile(file, 'connection: {key_file: ./nope}\nregions: {r: {hosts: {h1: null}}}\n');
    await expect(loadInventory(file)).rejects.toThrow(/key file .*does not exist/);
    const i = await loadInventory(file, { checkKeyFiles: false });
    expect(i.hosts.get('h1')!.connection.keyFile).toBe(join(file, '..', 'nope'));
  });
  it('resolves ~ to the home directory', async () => {
    const home = await mkdtemp(join(tmpdir(), 'home-'));
    await writeFile(join(home, 'id_test'), 'placeholder');
    expect(resolveInventoryPath('~/id_test', '/etc/inv.yml', home)).toBe(join(home, 'id_test'));
    expect(resolveInventoryPath('~', '/etc/inv.yml', home)).toBe(home);
    expect(resolveInventoryPath('/abs/k', '/etc/inv.yml', home)).toBe('/abs/k');
    expect(resolveInventoryPath('k/x', '/etc/omsplay/inv.yml', home)).toBe('/etc/omsplay/k/x');
    const saved = process.env.HOME;
    process.env.HOME = home;
    try {
      const i = await inventoryFrom('connection: {key_file: ~/id_test}\nregions: {r: {hosts: {h1: null}}}\n');
      expect(i.hosts.get('h1')!.connection.keyFile).toBe(join(home, 'id_test'));
    } finally {
      process.env.HOME = saved;
    }
  });
});

describe('secrets', () => {
  it('keeps !secret values as Secret and registers them with the masker', () => {
    const v = inv.hosts.get('oms-hz-1')!.vars.metadb_password;
    expect(v).toBeInstanceOf(Secret);
    expect((v as Secret).value).toBe('Meta-Pass;1');
    expect(masker.mask('password=Meta-Pass;1')).toBe(`password=${MASK}`);
  });
  it('registers values of secret-looking names, at any level', () => {
    expect(masker.mask('plain-db-pass')).toBe(MASK);
    expect(masker.mask('token 123456789')).toBe(`token ${MASK}`);
  });
  it('does not register ordinary values', () => {
    expect(masker.mask('hz_heartbeat prod')).toBe('hz_heartbeat prod');
  });
});

describe('secrets in connection settings', () => {
  it('!secret on an address or user yields the plain value and masks it', async () => {
    const m = new Masker();
    const i = await inventoryFrom('connection: {user: !secret "deploy-user"}\nregions: {r: {hosts: {h1: {address: !secret "10.9.8.7"}}}}\n', m);
    expect(i.hosts.get('h1')!.connection).toMatchObject({ user: 'deploy-user', address: '10.9.8.7' });
    expect(i.hosts.get('h1')!.vars.address).toBe('10.9.8.7');
    expect(m.mask('ssh deploy-user@10.9.8.7')).toBe(`ssh ${MASK}@${MASK}`);
  });
});

describe('implicit localhost', () => {
  it('is the control node with all-level vars and a local connection, unless declared', async () => {
    const h = hostOrLocalhost(inv, 'localhost')!;
    expect(h.connection).toMatchObject({ connection: 'local', address: '127.0.0.1' });
    expect(h.vars).toMatchObject({ site: 'prod', inventory_hostname: 'localhost', group_names: [] });
    expect(inv.hosts.has('localhost')).toBe(false);
    expect(hostOrLocalhost(inv, 'oms-hz-1')).toBe(inv.hosts.get('oms-hz-1'));
    expect(hostOrLocalhost(inv, 'nope')).toBeUndefined();
  });
  it('a declared localhost wins', async () => {
    const i = await inventoryFrom('regions: {r: {hosts: {localhost: {connection: local, vars: {x: 1}}}}}\n');
    expect(hostOrLocalhost(i, 'localhost')!.vars).toMatchObject({ x: 1, region: 'r' });
    expect(i.select('all')).toEqual(['localhost']);
  });
});
