/**
 * The shipped upgrade and rollback on a site whose MetaDB password (in every region's config.yaml) is full of
 * shell and SQL metacharacters and carries canary tokens: both work, and the password — read by oms.config from
 * config.yaml, used by preflight, HA, heartbeat cleanup, dumps and restores — never appears in stdout, stderr,
 * `--json` or plain output, the journal, nor in the process list of any host or of the control node, polled
 * during both runs. (A newline cannot be in this password: the simulated OMS's config.yaml cannot hold one; see
 * secrets.test.ts for the newline.)
 */
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSite } from '../../lab/oms/context.js';
import { writeSiteInventory } from '../../lab/oms/inventory.js';
import { deploySite, resetSite } from '../../lab/oms/site.js';
import type { Site } from '../../lab/oms/types.js';
import { type CliResult, omsplay } from '../../support/omsplay.js';
import { ProcessWatch, filesUnder, leaks } from './helpers.js';

const { lab, site: defaultSite } = getSite();
const SITE_PW = `UPGKN1 '"$HOME;|&\\ \`id\` $(id) -- #UPGKN2`;
const TOKENS = ['UPGKN1', 'UPGKN2'];

let site: Site;
let home: string;
let inventory: string;

// This file deploys its own site on the lab's hosts; the default one comes back for the next file.
afterAll(() => resetSite(lab, defaultSite));

beforeAll(async () => {
  site = await deploySite(lab, { metaPassword: SITE_PW });
  home = await mkdtemp(join(lab.dir, 'sec-upgrade-home-'));
  inventory = await writeSiteInventory(lab, site, { file: join(lab.dir, 'sec-upgrade-inventory.yml'), vars: { oms_health_timeout: 60 } });
});

async function run(...args: string[]): Promise<{ r: CliResult; watch: ProcessWatch }> {
  const watch = new ProcessWatch(
    lab,
    site.hosts.map((h) => h.name),
  );
  try {
    return { r: await omsplay(['run', ...args, '-i', inventory], { env: { OMSPLAY_HOME: home } }), watch };
  } finally {
    await watch.stop();
  }
}

async function expectNoLeak(r: CliResult, watch: ProcessWatch): Promise<void> {
  expect(leaks(r.stdout, TOKENS), 'stdout').toEqual([]);
  expect(leaks(r.stderr, TOKENS), 'stderr').toEqual([]);
  for (const f of await filesUnder(home)) expect(leaks(f.text, TOKENS), f.path).toEqual([]);
  expect(watch.lines(new RegExp(TOKENS.join('|'))), 'process lists').toEqual([]);
  // The watch was looking while omsplay's commands ran on the hosts (the small dumps, on the control node, are
  // often too quick for a ps sample; secrets.test.ts catches a long one).
  expect(watch.lines(/^docker /).length, 'the watch saw docker commands on the hosts').toBeGreaterThan(0);
  expect(watch.samples).toBeGreaterThan(50);
}

describe('the upgrade and rollback with a MetaDB password full of metacharacters', () => {
  it('work, and the password is in no output, journal or process list', async () => {
    const up = await run('upgrade.yml', '--json');
    expect(up.r.code, `${up.r.stderr}\n${up.r.stdout.slice(-3000)}`).toBe(0);
    await expectNoLeak(up.r, up.watch);

    const back = await run('rollback.yml', '--from-run', 'last', '--yes', '--plain', '-v');
    expect(back.r.code, `${back.r.stderr}\n${back.r.stdout.slice(-3000)}`).toBe(0);
    await expectNoLeak(back.r, back.watch);
  });
});
