/**
 * The upgrade's preflight plans the path on the upgrade graph (oms.plan) and refuses, before any change and with
 * the reason, what the vendor does not document or the inventory cannot supply: through `omsplay run upgrade.yml`
 * on the lab's simulated OMS sites.
 */
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { getSite } from '../../lab/oms/context.js';
import { writeSiteInventory } from '../../lab/oms/inventory.js';
import { checksumTables, deploySite, haConfig, inspectContainer, resetSite } from '../../lab/oms/site.js';
import type { Site } from '../../lab/oms/types.js';
import { type CliResult, omsplay } from '../../support/omsplay.js';
import { runOnSite, written } from './site-run.js';

const { lab, site: defaultSite } = getSite();
const [h1] = defaultSite.hosts.map((h) => h.name) as [string];
const PLAN_TASK = 'Preflight: plan the upgrade path';

afterAll(() => resetSite(lab, defaultSite));

function upgrade(site: Site, vars: Record<string, unknown>, ...args: string[]): Promise<CliResult> {
  return runOnSite(lab, site, { playbook: 'upgrade.yml', inventoryName: 'upgrade-plan-test.yml', home: 'omsplay-home-plan', vars, args });
}

async function state(site: Site): Promise<{ tables: Record<string, number | null>; ha: Record<string, unknown> }> {
  const all = await checksumTables(site);
  return { tables: Object.fromEntries(Object.entries(all).filter(([t]) => !written(t))), ha: await haConfig(site) };
}

/** Refused at the plan, nothing after preflight started, the site as it was. */
async function refusedBeforeAnyChange(site: Site, r: CliResult, before: Awaited<ReturnType<typeof state>>): Promise<string> {
  expect(r.code, r.stderr).toBe(2);
  const failed = r.events.filter((e) => e.type === 'task_result' && e.status === 'failed');
  expect(failed.map((e) => e.task)).toContain(PLAN_TASK);
  expect(new Set(failed.map((e) => e.task))).toEqual(new Set([PLAN_TASK]));
  const started = r.events.filter((e) => e.type === 'task_start').map((e) => String(e.task));
  expect(started.filter((t) => /^(Stage|Disable HA|Stop old|Back up|Load image|Start new)/.test(t))).toEqual([]);
  // The rescue finds nothing to put back, and says no host was left behind.
  const notPutBack = r.events.filter((e) => e.type === 'task_result' && JSON.stringify(e.result ?? {}).includes('NOT put back'));
  expect(notPutBack.map((e) => `${e.host}: ${JSON.stringify(e.result).slice(0, 300)}`)).toEqual([]);
  expect(await state(site)).toEqual(before);
  for (const h of site.hosts) {
    expect((await inspectContainer(lab, h.name, site.containers.old))?.State.Running, `${site.containers.old} runs on ${h.name}`).toBe(true);
    expect(await inspectContainer(lab, h.name, site.containers.new)).toBeUndefined();
  }
  return String(failed[0]!.result.msg);
}

describe('preflight plans the upgrade path on the default site (3.3.1, 3 hosts in 2 regions)', () => {
  beforeEach(() => resetSite(lab, defaultSite));

  it('prints the plan, also under --check', async () => {
    const r = await upgrade(defaultSite, {}, '--check');
    expect(r.code, r.stderr).toBe(0);
    const plan = r.events.find((e) => e.type === 'task_result' && e.task === 'Preflight: the plan')!;
    expect(plan.result.msg).toBe(`plan: 3.3.1 → 4.0.0\nhop 1/1: 3.3.1 → 4.0.0  family B  image ${defaultSite.paths.newImageTar}  (V4.0.0 upgrade guide, FAQ)`);
  });

  it('refuses 3.3.1 → 4.2.9: no documented path (4.2.x starts at 4.1.1, which is install-only)', async () => {
    const before = await state(defaultSite);
    const msg = await refusedBeforeAnyChange(defaultSite, await upgrade(defaultSite, { oms_target_version: '4.2.9', oms_new_container: 'oms_429' }), before);
    expect(msg).toBe(
      'cannot upgrade 3.3.1 to 4.2.9: no documented upgrade path from 3.3.1 to 4.2.9: the 4.2.9 guide upgrades only from 4.2.0–4.2.8; the oldest version with a documented path to 4.2.9 is 4.1.1, and 4.1.1 is install-only: its upgrade notice says it only supports direct deployment, nothing upgrades to it; from 3.3.1 the documented upgrades reach 4.0.0, 4.1.0 (hint: the vendor documents no way there; see README "Supported upgrades")',
    );
  });

  it('prints the refusal and its reason in plain output too (unknown target 4.9.9), exit 2, nothing changed', async () => {
    const before = await state(defaultSite);
    const inv = await writeSiteInventory(lab, defaultSite, { file: join(lab.dir, 'upgrade-plan-plain.yml'), vars: { oms_target_version: '4.9.9', oms_new_container: 'oms_499' } });
    const r = await omsplay(['run', 'upgrade.yml', '-i', inv, '--plain'], { env: { OMSPLAY_HOME: join(lab.dir, 'omsplay-home-plan') } });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const out = r.stdout + r.stderr;
    expect(out).toContain(`TASK [${PLAN_TASK}]`);
    expect(out).toContain('cannot upgrade 3.3.1 to 4.9.9: unknown target version 4.9.9: the upgrade graph has no guide for it');
    expect(out).toContain('documented targets: 4.0.0, 4.1.0, 4.2.0–4.2.2, 4.2.9, 4.2.12, 4.2.13');
    expect(out).not.toMatch(/TASK \[(Stage|Disable HA|Stop old|Back up|Load image|Start new)/);
    expect(out).not.toContain('NOT put back');
    expect(await state(defaultSite)).toEqual(before);
  });

  it('refuses an unknown target, naming the documented ones', async () => {
    const before = await state(defaultSite);
    const msg = await refusedBeforeAnyChange(defaultSite, await upgrade(defaultSite, { oms_target_version: '4.5.0', oms_new_container: 'oms_450' }), before);
    expect(msg).toBe(
      'cannot upgrade 3.3.1 to 4.5.0: unknown target version 4.5.0: the upgrade graph has no guide for it (hint: documented targets: 4.0.0, 4.1.0, 4.2.0–4.2.2, 4.2.9, 4.2.12, 4.2.13; a new release is a line in playbooks/vars/upgrade-graph.yml)',
    );
  });
});

describe('preflight on other sites', () => {
  it('refuses 4.1.0 → 4.2.0: 4.2.0 upgrades only from 4.1.1', async () => {
    const site = await deploySite(lab, { oldVersion: '4.1.0', newVersion: '4.2.0', regions: [{ name: 'hz', location: 1, hosts: [h1] }] });
    const before = await state(site);
    const msg = await refusedBeforeAnyChange(site, await upgrade(site, {}), before);
    expect(msg).toMatch(/^cannot upgrade 4\.1\.0 to 4\.2\.0: no documented upgrade path from 4\.1\.0 to 4\.2\.0: the 4\.2\.0 guide upgrades only from 4\.1\.1; .*4\.1\.1 is install-only/);
  });

  it('on 4.2.0 → 4.2.2 (through 4.2.1): refuses a hop without its tar and a tar missing on the host (multi-hop runs: upgrade-multihop.test.ts)', async () => {
    const site = await deploySite(lab, { oldVersion: '4.2.0', newVersion: '4.2.1', regions: [{ name: 'hz', location: 1, hosts: [h1] }] });
    const before = await state(site);
    const to422 = { oms_target_version: '4.2.2', oms_new_container: 'oms_422' };
    const noTar = await refusedBeforeAnyChange(site, await upgrade(site, { ...to422, oms_image_tars: { '4.2.1': site.paths.newImageTar } }), before);
    expect(noTar).toMatch(/^no image tar for hop 4\.2\.1 → 4\.2\.2 of the path 4\.2\.0 → 4\.2\.1 → 4\.2\.2\nplan: 4\.2\.0 → 4\.2\.1 → 4\.2\.2\n/);
    const absent = await refusedBeforeAnyChange(site, await upgrade(site, { ...to422, oms_image_tars: { '4.2.1': site.paths.newImageTar, '4.2.2': '/data/oms/images/oms-4.2.2.tar' } }), before);
    expect(absent).toMatch(/^image tar not found on h1: \/data\/oms\/images\/oms-4\.2\.2\.tar \(hop 4\.2\.1 → 4\.2\.2\)/);
  });
});
