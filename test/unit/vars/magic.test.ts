/** The magic variables come from one list (lib/vars/magic.ts): the checker knows them, the engine sets them, the inventory refuses them. */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../../lib/inventory/load.js';
import type { Inventory } from '../../../lib/inventory/types.js';
import { modules } from '../../../lib/modules/index.js';
import { loadPlaybook } from '../../../lib/playbook/load.js';
import type { Play } from '../../../lib/playbook/types.js';
import { Masker } from '../../../lib/secrets.js';
import { HOST_MAGIC, INVENTORY_RESERVED, MAGIC_VARIABLES, ON_FAILURE_VARIABLES, RESCUE_VARIABLES, RUN_MAGIC } from '../../../lib/vars/magic.js';
import { RunVariables } from '../../../lib/vars/run-variables.js';
import { cli } from '../../support/cli-in-process.js';

let dir: string;
let inventory: Inventory;
let n = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omsplay-magic-'));
  await writeFile(join(dir, 'inv.yml'), 'regions:\n  r1:\n    hosts:\n      h1: {address: 10.0.0.1}\n      h2: {}\ngroups:\n  g1: {hosts: [h2]}\n');
  inventory = await loadInventory(join(dir, 'inv.yml'));
});

/** The playbook's path, written next to the inventory. */
async function playbook(text: string): Promise<string> {
  const sub = join(dir, `case${n++}`);
  await mkdir(sub, { recursive: true });
  await writeFile(join(sub, 'site.yml'), text);
  return join(sub, 'site.yml');
}

/** What `omsplay validate` says is wrong (the checker, as a person runs it). */
async function problems(text: string): Promise<string[]> {
  const r = await cli(['validate', await playbook(text), '-i', join(dir, 'inv.yml')]);
  return [...r.err.matchAll(/validation error: (.+)$/gm)].map((m) => m[1]!);
}

/** The first play of a playbook (loadPlaybook returns the Playbook, or a LoadedPlaybook holding it). */
async function onePlay(text: string): Promise<Play> {
  const loaded: { plays?: Play[]; playbook?: { plays: Play[] } } = await loadPlaybook(await playbook(text), { modules });
  return (loaded.playbook ?? loaded).plays![0]!;
}

const reads = (names: readonly string[]) => names.map((v) => `{{ ${v} }}`).join(' ');

describe('the checker', () => {
  it('takes every magic variable as defined, in every task', async () => {
    expect(await problems(`- hosts: all\n  tasks:\n    - debug: {msg: "${reads(MAGIC_VARIABLES)}"}\n`)).toEqual([]);
  });

  it('takes the rescue variables as defined in rescue and always only, and failure in on_failure plays only', async () => {
    const block = `- hosts: all\n  tasks:\n    - block:\n        - debug: {msg: x}\n      rescue:\n        - debug: {msg: "${reads(RESCUE_VARIABLES)}"}\n      always:\n        - debug: {msg: "${reads(RESCUE_VARIABLES)}"}\n`;
    expect(await problems(block)).toEqual([]);
    expect(await problems(`- hosts: all\n  tasks:\n    - debug: {msg: "${reads(RESCUE_VARIABLES)}"}\n`)).toEqual(RESCUE_VARIABLES.map((v) => expect.stringContaining(`undefined variable \`${v}\``)));
    const onFailure = `- hosts: all\n  tasks:\n    - debug: {msg: x}\n  on_failure:\n    - hosts: all\n      tasks:\n        - debug: {msg: "${reads(ON_FAILURE_VARIABLES)}"}\n`;
    expect(await problems(onFailure)).toEqual([]);
  });

  it.each([...MAGIC_VARIABLES])('refuses `register: %s`', async (name) => {
    expect(await problems(`- hosts: all\n  tasks:\n    - command: "true"\n      register: ${name}\n`)).toEqual([`register \`${name}\` is the name of a variable omsplay sets itself`]);
  });
});

describe('the inventory', () => {
  it.each([...INVENTORY_RESERVED])('refuses a variable named %s', async (name) => {
    await writeFile(join(dir, `bad-${name}.yml`), `vars: {${name}: x}\nregions:\n  r1:\n    hosts: {h1: {}}\n`);
    await expect(loadInventory(join(dir, `bad-${name}.yml`))).rejects.toThrow(`variable \`${name}\` is reserved`);
  });
});

describe('the engine', () => {
  it('sets every magic and rescue variable for a task, and hostvars holds -e too', async () => {
    const play = await onePlay('- hosts: all\n  vars: {p: play}\n  tasks:\n    - debug: {msg: x}\n');
    const hosts = new Map(['h1', 'h2'].map((h) => [h, { name: h, facts: { f: `fact of ${h}` }, failed: h === 'h2' }]));
    const state = { hosts, lastResults: new Map([['h2', { msg: 'boom' }]]), lastFailedTask: new Map([['h2', 'Break']]), unreachableHosts: [], runId: 'run-1' };
    const vars = new RunVariables(inventory, { extraVars: { e: 'extra' }, masker: new Masker(), check: true }, state);
    const scope = { play, playVars: {}, hostsInBatch: ['h1', 'h2'], extraPlayVars: {}, blockVars: [] };
    await vars.preparePlayVars(play, ['h1', 'h2'], scope);
    const v = vars.varsFor('h1', scope);
    for (const name of [...MAGIC_VARIABLES, ...RESCUE_VARIABLES]) expect(Object.keys(v)).toContain(name);
    expect(v).toMatchObject({ inventory_hostname: 'h1', region: 'r1', group_names: [], address: '10.0.0.1', play_hosts: ['h1', 'h2'], check_mode: true, run_id: 'run-1' });
    expect(v.groups).toEqual({ all: ['h1', 'h2'], r1: ['h1', 'h2'], g1: ['h2'] });
    expect(v.hosts_failed).toEqual(['h2']);
    expect(v.hosts_failed_reasons).toEqual({ h2: 'task "Break": boom' });
    expect(HOST_MAGIC.length + RUN_MAGIC.length).toBe(MAGIC_VARIABLES.length);
    const hv = v.hostvars as Record<string, Record<string, unknown>>;
    expect(hv.h2).toMatchObject({ inventory_hostname: 'h2', group_names: ['g1'], p: 'play', f: 'fact of h2', e: 'extra' });
  });
});
