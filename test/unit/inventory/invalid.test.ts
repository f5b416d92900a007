/**
 * The corpus of invalid inventories: each file must be refused with a typed error (exit 4) that
 * names the file, line and column, says what is wrong, and carries a hint where one helps.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, ExitCode, isOmsplayError, type OmsplayError, ValidationError, ValidationErrors } from '../../../lib/errors.js';
import { loadInventory } from '../../../lib/inventory/load.js';

const dir = join(import.meta.dirname, 'invalid');

type Kind = typeof ConfigError | typeof ValidationError;
// file, error class, message fragment, line, col, hint fragment (or null when the message says it all)
const cases: Array<[string, Kind, string, number, number, string | null]> = [
  ['no-regions.yml', ValidationError, 'the inventory has no regions', 1, 1, 'every host belongs to exactly one region'],
  ['empty-regions.yml', ValidationError, 'the inventory has no regions', 2, 1, 'regions: {hangzhou:'],
  ['empty-file.yml', ValidationError, 'the inventory is empty', 1, 1, 'regions'],
  ['inventory-is-a-list.yml', ValidationError, 'must be a mapping, not a list', 1, 1, 'top-level keys'],
  ['unknown-top-level-key.yml', ValidationError, 'unknown inventory key `region` — did you mean `regions`?', 1, 1, null],
  ['host-in-two-regions.yml', ValidationError, 'host `oms-1` is declared in two regions: `hangzhou` (line 4) and `shanghai`', 8, 7, 'exactly one region'],
  ['duplicate-host.yml', ConfigError, 'duplicate key `oms-1`', 6, 7, 'each key may appear once'],
  ['hosts-differ-in-case.yml', ValidationError, 'host `OMS-1` in region `shanghai` differs only in case from host `oms-1`', 7, 7, 'exactly one region'],
  ['unknown-host-in-group.yml', ValidationError, 'group `oms_nodes` names unknown host `oms-hz-3`', 8, 23, 'did you mean `oms-hz-1` or `oms-hz-2`?'],
  ['unknown-child-group.yml', ValidationError, 'group `all_oms` names unknown child group `oms_node`', 10, 9, 'did you mean `oms_nodes`?'],
  ['host-listed-as-child.yml', ValidationError, 'lists host `oms-hz-1` as a child group', 7, 16, 'hosts: [oms-hz-1]'],
  ['region-listed-as-host.yml', ValidationError, 'lists `hangzhou` under hosts, but it is a region', 7, 13, 'children: [hangzhou]'],
  ['group-cycle.yml', ValidationError, 'group children form a cycle: a > b > c > a', 12, 16, 'remove `a` from the children of `c`'],
  ['group-named-like-region.yml', ValidationError, 'group name `hangzhou` is already used by a region (line 2)', 6, 3, 'one namespace'],
  ['host-named-like-group.yml', ValidationError, 'group name `oms_nodes` is already used by a host (line 5)', 7, 3, 'one namespace'],
  ['group-named-all.yml', ValidationError, '`all` cannot be a group name', 6, 3, 'every host'],
  ['bad-host-name.yml', ValidationError, 'host name `oms:hz:1` is not a valid name', 4, 7, 'host patterns'],
  ['bad-variable-name.yml', ValidationError, 'variable name `db-name` is not an identifier', 2, 3, 'db_name'],
  ['reserved-variable.yml', ValidationError, 'variable `region` is reserved', 4, 7, 'set by omsplay'],
  ['key-file-missing.yml', ConfigError, 'key file ./keys/does-not-exist (', 6, 17, 'relative to the inventory file'],
  ['port-out-of-range.yml', ValidationError, '`port`: expected a port number from 1 to 65535, got number 70000', 6, 15, null],
  ['port-wrong-type.yml', ValidationError, '`port`: expected a port number from 1 to 65535, got string "twenty-two"', 2, 9, null],
  ['negative-timeout.yml', ValidationError, '`connect_timeout`: expected a number of seconds greater than 0, got number 0', 2, 20, null],
  ['yaml11-boolean.yml', ValidationError, '`become`: expected a boolean (true/false), got string "yes"', 2, 11, 'write true or false'],
  ['unknown-host-key.yml', ValidationError, 'unknown host key `adress` — did you mean `address`?', 5, 9, null],
  ['unknown-transport.yml', ConfigError, 'unknown connection type `sssh`', 5, 21, 'did you mean `ssh`?'],
  ['unknown-transport-in-mapping.yml', ConfigError, 'unknown connection type `lcoal`', 4, 19, 'did you mean `local`?'],
  ['password-in-env-name.yml', ValidationError, '`password_env`: expected the NAME of an environment variable', 5, 23, null],
  ['unknown-jump-host.yml', ValidationError, 'jump host `bastion-9` is not an inventory host', 2, 10, 'did you mean `bastion-1`?'],
  ['string-got-boolean.yml', ValidationError, '`user`: expected a string, got boolean true', 2, 9, null],
  ['group-duplicate-member.yml', ValidationError, 'group `oms_nodes` lists host `oms-hz-1` twice', 8, 33, 'remove the second entry'],
  ['region-hosts-as-list.yml', ValidationError, 'the hosts of region `hangzhou` must be a mapping, not a list', 4, 7, '`oms-hz-1:` alone'],
  ['region-named-localhost.yml', ValidationError, '`localhost` cannot be a region name', 2, 3, 'control node'],
  ['unknown-connection-setting.yml', ValidationError, 'unknown connection setting `key`', 5, 7, 'key_file'],
  ['group-hosts-not-a-list.yml', ValidationError, '`hosts`: expected a list, got string "oms-hz-1"', 7, 12, null],
];

async function refusal(file: string): Promise<OmsplayError> {
  try {
    await loadInventory(join(dir, file));
  } catch (e) {
    if (isOmsplayError(e)) return e;
    throw e;
  }
  throw new Error(`${file} was accepted`);
}

describe('invalid inventories', () => {
  it.each(cases)('%s is refused', async (file, kind, fragment, line, col, hint) => {
    const err = await refusal(file);
    expect(err).toBeInstanceOf(kind);
    expect(err.exitCode).toBe(ExitCode.parse);
    expect(err.message).toContain(fragment);
    expect(err.location).toEqual({ file: join(dir, file), line, col });
    expect(err.format().startsWith(`${join(dir, file)}:${line}:${col}: `)).toBe(true);
    if (hint) expect(err.hint).toContain(hint);
    else if (err.hint) expect(err.hint.length).toBeGreaterThan(0);
  });

  it('covers every file of the corpus', async () => {
    const { readdirSync } = await import('node:fs');
    const files = readdirSync(dir).filter((f) => f.endsWith('.yml')).sort();
    expect(files).toEqual(cases.map((c) => c[0]).sort());
  });

  // Written here, not kept in invalid/: linters refuse to read a file with tab indentation.
  it('tab-indent.yml is refused', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const file = join(await mkdtemp(join(tmpdir(), 'inv-')), 'tab-indent.yml');
    await writeFile(file, 'regions:\n  hangzhou:\n    hosts:\n\t  oms-hz-1:\n');
    const err = await loadInventory(file).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe('a tab is used for indentation');
    expect(err.location).toEqual({ file, line: 4, col: 1 });
    expect(err.hint).toContain('spaces, not tabs');
  });

  it('reports several problems of one file together, in file order', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const file = join(await mkdtemp(join(tmpdir(), 'inv-')), 'many.yml');
    await writeFile(
      file,
      ['regions:', '  hz:', '    hosts:', '      a: {port: 0}', '      b: {become: on}', 'groups:', '  g:', '    hosts: [c]', ''].join('\n'),
    );
    const err = await loadInventory(file).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationErrors);
    const lines = (err as ValidationErrors).errors.map((e) => e.location?.line);
    expect(lines).toEqual([4, 5]);
    expect(err.format()).toContain('`port`');
    expect(err.format()).toContain('`become`');
  });
});
