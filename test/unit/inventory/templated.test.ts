/** Inventory values like Ansible's: templates rendered per host when used; control-node paths against the inventory's directory. */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderInventoryVars } from '../../../lib/inventory/templated.js';
import { cli } from '../../support/cli-in-process.js';

const opts = { inventoryFile: '/srv/site/inventories/prod.yml', host: 'oms-1' };

describe('renderInventoryVars', () => {
  it('renders env lookups and variables that name other templated variables, per host', () => {
    process.env.OMSPLAY_TEST_TAR = '/images/oms 4.0.0.tar';
    const own = { tar: "{{ env 'OMSPLAY_TEST_TAR' }}", b: '{{ tar }}.sha256', c: '{{ inventory_hostname }}-x', plain: 'x' };
    expect(renderInventoryVars(own, { ...own, inventory_hostname: 'oms-1' }, opts)).toEqual({ tar: '/images/oms 4.0.0.tar', b: '/images/oms 4.0.0.tar.sha256', c: 'oms-1-x' });
    expect(renderInventoryVars(own, { ...own, inventory_hostname: 'oms-2' }, { ...opts, host: 'oms-2' }).c).toBe('oms-2-x');
  });

  it('resolves a relative oms_image_tar_local against the inventory file\'s directory, also after templating', () => {
    expect(renderInventoryVars({ oms_image_tar_local: 'images/oms.tar' }, {}, opts)).toEqual({ oms_image_tar_local: '/srv/site/inventories/images/oms.tar' });
    expect(renderInventoryVars({ oms_image_tar_local: '../images/{{ v }}.tar', v: '4.0.0' }, { v: '4.0.0' }, opts)).toEqual({ oms_image_tar_local: '/srv/site/images/4.0.0.tar' });
    expect(renderInventoryVars({ oms_image_tar_local: '/abs/oms.tar' }, {}, opts)).toEqual({});
  });

  it('keeps a template naming a variable not defined yet (a later fact); an unset environment variable is an error naming the setting', () => {
    expect(renderInventoryVars({ x: '{{ later_fact }}' }, {}, opts)).toEqual({});
    expect(() => renderInventoryVars({ x: '{{ later_fact }}' }, {}, { ...opts, undefinedVariables: 'throw' })).toThrow(/undefined variable "later_fact"/);
    delete process.env.OMSPLAY_TEST_UNSET;
    expect(() => renderInventoryVars({ oms_image_tar_local: "{{ env 'OMSPLAY_TEST_UNSET' }}" }, {}, opts)).toThrow(
      /inventory variable "oms_image_tar_local" of host oms-1 cannot be rendered: .*OMSPLAY_TEST_UNSET is not set/,
    );
  });
});


describe('run and validate with templated inventory values', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'omsplay-invtpl-'));
    process.env.OMSPLAY_HOME = join(dir, 'state');
    await mkdir(join(dir, 'site', 'images'), { recursive: true });
    await writeFile(join(dir, 'site', 'images', 'oms.tar'), 'tar');
    await writeFile(
      join(dir, 'book.yml'),
      `- name: Show\n  hosts: all\n  tasks:\n    - debug: {msg: "tar={{ oms_image_tar_local }} who={{ who }}"}\n`,
    );
  });

  it('a run sees rendered values, per host, with relative paths against the inventory file', async () => {
    process.env.OMSPLAY_TEST_WHO = 'ops team';
    await writeFile(
      join(dir, 'site', 'inv.yml'),
      `connection: {connection: local}\nvars:\n  oms_image_tar_local: images/oms.tar\n  who: "{{ env 'OMSPLAY_TEST_WHO' }} on {{ inventory_hostname }}"\nregions:\n  r1:\n    hosts:\n      localhost: {}\n`,
    );
    const r = await cli(['run', join(dir, 'book.yml'), '-i', join(dir, 'site', 'inv.yml')]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`tar=${join(dir, 'site', 'images', 'oms.tar')} who=ops team on localhost`);
  });

  it('validate reports a setting that cannot resolve, and only warns about a missing key file', async () => {
    delete process.env.OMSPLAY_TEST_TAR_UNSET;
    await writeFile(
      join(dir, 'site', 'bad.yml'),
      `vars:\n  who: x\n  oms_image_tar_local: "{{ env 'OMSPLAY_TEST_TAR_UNSET' }}"\nregions:\n  r1:\n    hosts:\n      oms-1: {address: 10.0.0.1}\n`,
    );
    const bad = await cli(['validate', join(dir, 'book.yml'), '-i', join(dir, 'site', 'bad.yml')]);
    expect(bad.code).toBe(4);
    expect(bad.err).toMatch(/bad\.yml:7:7: validation error: inventory variable "oms_image_tar_local" of host oms-1 cannot be rendered: .*OMSPLAY_TEST_TAR_UNSET is not set/);

    await writeFile(
      join(dir, 'site', 'nokey.yml'),
      `connection: {key_file: keys/not-here_ed25519}\nvars:\n  who: x\n  oms_image_tar_local: images/missing.tar\nregions:\n  r1:\n    hosts:\n      oms-1: {address: 10.0.0.1}\n`,
    );
    const nokey = await cli(['validate', join(dir, 'book.yml'), '-i', join(dir, 'site', 'nokey.yml')]);
    expect(nokey.code).toBe(0);
    expect(nokey.err).toMatch(/warning: .*nokey\.yml:1:24: config error: key file keys\/not-here_ed25519 .* does not exist/);
    expect(nokey.err).toContain(`warning: validation error: oms_image_tar_local is ${join(dir, 'site', 'images', 'missing.tar')}, which does not exist on this machine (hosts oms-1)`);
    expect(nokey.out).toContain('valid (1 plays, 1 tasks)');
  });
});
