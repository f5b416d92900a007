/**
 * A path that crosses procedure families in one run: `omsplay run upgrade.yml` from 4.1.1 to 4.2.9 on a 3-host,
 * 2-region simulated site plans 4.1.1 → 4.2.0 → 4.2.9 and runs hop 1 as family B (docker_init.sh at once) and hop 2
 * as family C (the site's wait before docker_init.sh, the oms_version check), nothing of one family's steps in the
 * other hop; the site ends on 4.2.9 with HA as before. rollback.yml then goes back to 4.1.1 with the MetaDB as at
 * the start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSite } from '../../lab/oms/context.js';
import { deploySite, dockerInitRuns, haConfig, inspectContainer, resetSite, schemaVersion, waitHealthy } from '../../lab/oms/site.js';
import type { Site } from '../../lab/oms/types.js';
import type { CliResult } from '../../support/omsplay.js';
import { explain, metadbState, runOnSite, runRecords } from './site-run.js';

const { lab, site: defaultSite } = getSite();
const HOME = 'omsplay-home-multihop-families';
let site: Site;

beforeAll(async () => {
  site = await deploySite(lab, { oldVersion: '4.1.1', via: ['4.2.0'], newVersion: '4.2.9', initWaitSeconds: 3 });
}, 300_000);
afterAll(() => resetSite(lab, defaultSite));

function run(playbook: string, vars: Record<string, unknown>, ...args: string[]): Promise<CliResult> {
  return runOnSite(lab, site, { playbook, inventoryName: 'upgrade-multihop-families.yml', home: HOME, vars, args });
}
const runId = (r: CliResult): string => String(r.events.find((e) => e.type === 'run_start')!.run_id);

/** The values a run recorded, in order: [{host, name, value}]. */
const records = (id: string) => runRecords(lab, HOME, id);

/** The task results of each hop (split where "Hop: which hop this is" reports), those that ran (not skipped). */
function resultsPerHop(r: CliResult): Array<Array<Record<string, any>>> {
  const hops: Array<Array<Record<string, any>>> = [];
  for (const e of r.events) {
    if (e.type !== 'task_result') continue;
    if (e.task === 'Hop: which hop this is' && e.host === site.hosts[0]!.name) hops.push([]);
    if (hops.length > 0 && e.status !== 'skipped') hops.at(-1)!.push(e);
  }
  return hops;
}
const ran = (results: Array<Record<string, any>>, task: string) => results.filter((e) => e.task === task);

const B_INIT = 'docker_init.sh: once per region (shared config.yaml)';
const C_WAIT = "docker_init.sh (C): wait after the new containers started (the guide's sleep 300)";
const C_INIT = 'docker_init.sh (C): once per region (shared config.yaml)';
const C_CHECK = 'docker_init.sh (C): which nodes need the oms_version fix-up';
const C_FIXUP = "docker_init.sh (C): the guide's oms_version fix-up in the rm database";

/** Every host runs `running` (healthy, on `image`); `stopped` are kept but do not run, `gone` are removed. */
async function runsOn(version: string, running: string, image: string, stopped: string[], gone: string[]): Promise<void> {
  expect(await schemaVersion(site)).toEqual({ rm: version, cm: version, heartbeat: { hz: version, sh: version } });
  for (const h of site.hosts) {
    const c = await inspectContainer(lab, h.name, running);
    expect(c?.State.Running, `${running} runs on ${h.name}`).toBe(true);
    expect(c.Config.Image).toBe(image);
    await waitHealthy(lab, site, h.name, running);
    for (const o of stopped) expect((await inspectContainer(lab, h.name, o))?.State.Running, `${o} kept, stopped, on ${h.name}`).toBe(false);
    for (const o of gone) expect(await inspectContainer(lab, h.name, o), `${o} on ${h.name}`).toBeUndefined();
  }
}

describe('mixed families: 4.1.1 → 4.2.0 (B) → 4.2.9 (C) on 3 hosts in 2 regions', () => {
  it('runs hop 1 as family B and hop 2 as family C in one run, ends on 4.2.9 with HA as before; rollback returns to 4.1.1', async () => {
    const before = await metadbState(site);
    const haBefore = await haConfig(site);
    // The operator's wait (the guide's 300 s) covers the site's need (3 s) with a margin.
    const up = await run('upgrade.yml', { oms_target_version: '4.2.9', oms_image_tars: { '4.2.0': site.hops[0]!.stagedTar, '4.2.9': site.paths.newImageTar }, oms_init_wait_seconds: 6 });
    expect(up.code, explain(up)).toBe(0);
    const plan = up.events.find((e) => e.type === 'task_result' && e.task === 'Preflight: the plan')!;
    expect(String(plan.result.msg)).toMatch(/^plan: 4\.1\.1 → 4\.2\.0 → 4\.2\.9\nhop 1\/2: 4\.1\.1 → 4\.2\.0 {2}family B.*\nhop 2\/2: 4\.2\.0 → 4\.2\.9 {2}family C/s);

    // The journal: both hops, in order, each with its family, on every host.
    const rec = await records(runId(up));
    for (const h of site.hosts) {
      const hops = rec.filter((r) => r.name === 'upgrade_hop' && r.host === h.name).map((r) => `${r.value.index}/${r.value.of} ${r.value.from}→${r.value.to} ${r.value.family}`);
      expect(hops, h.name).toEqual(['1/2 4.1.1→4.2.0 B', '2/2 4.2.0→4.2.9 C']);
    }
    const done = rec.filter((r) => r.name === 'upgrade_hops_done' && r.host === 'h3').at(-1)!.value as any[];
    expect(done.map((d) => [d.index, d.from, d.to, d.family, d.site.old_container, d.site.new_container])).toEqual([
      [1, '4.1.1', '4.2.0', 'B', 'oms_411', 'oms_420'],
      [2, '4.2.0', '4.2.9', 'C', 'oms_420', 'oms_429'],
    ]);

    // Hop 1 ran family B's docker_init.sh (once per region) and nothing of family C; hop 2 the reverse: the wait,
    // docker_init.sh once per region after it, and the oms_version check, which finds what hop 1's 4.2.0 wrote in
    // rm oms_version (so no fix-up is due: the init accepted it at once).
    const [hop1, hop2] = resultsPerHop(up);
    expect(ran(hop1!, B_INIT)).toHaveLength(site.regions.length);
    for (const t of [C_WAIT, C_INIT, C_CHECK, C_FIXUP]) expect(ran(hop1!, t), `hop 1 ran "${t}"`).toEqual([]);
    expect(ran(hop2!, B_INIT), 'hop 2 ran family B\'s docker_init.sh').toEqual([]);
    expect(ran(hop2!, C_WAIT).map((e) => e.status)).toEqual(['ok']);
    const init = ran(hop2!, C_INIT);
    expect(init).toHaveLength(site.regions.length);
    // The first region's init reads 4.2.0 there (hop 1 wrote it); the next region's then finds the 4.2.9 it wrote.
    expect(String(init[0]!.result.stdout), explain(up)).toContain('docker_init.sh: upgrading from 4.2.0 (rm oms_version)');
    expect(ran(hop2!, C_CHECK).map((e) => e.result.facts?.needs_oms_version)).toEqual(site.hosts.map(() => false));
    expect(ran(hop2!, C_FIXUP)).toEqual([]);
    // The wait came between hop 2's new containers starting and its docker_init.sh.
    const waitAt = up.events.findIndex((e) => e.type === 'task_result' && e.task === C_WAIT);
    const firstInitAt = up.events.findIndex((e) => e.type === 'task_start' && e.task === C_INIT);
    expect(waitAt).toBeGreaterThan(-1);
    expect(firstInitAt).toBeGreaterThan(waitAt);
    for (const r of site.regions) expect(await dockerInitRuns(site, r.name), `docker_init.sh runs in ${r.name}`).toHaveLength(1);

    await runsOn('4.2.9', 'oms_429', site.hops[1]!.image, ['oms_411', 'oms_420'], []);
    const haAfter = await haConfig(site);
    for (const [k, v] of Object.entries(haBefore)) if (k !== 'refetchStoreIntervalMin') expect(haAfter[k], `ha.config ${k}`).toEqual(v);

    const back = await run('rollback.yml', {}, '--from-run', runId(up), '--yes');
    expect(back.code, explain(back)).toBe(0);
    const undone = back.events.filter((e) => e.type === 'task_result' && e.task === 'Rollback: hop undone').map((e) => String(e.result.msg));
    expect(undone).toEqual(['hop 2 undone: OMS is on 4.2.0 again (oms_420)', 'hop 1 undone: OMS is on 4.1.1 again (oms_411)']);
    await runsOn('4.1.1', 'oms_411', site.oldImage, [], ['oms_420', 'oms_429']);
    expect(await metadbState(site)).toEqual(before);
    const haBack = await haConfig(site);
    for (const [k, v] of Object.entries(haBefore)) if (k !== 'refetchStoreIntervalMin') expect(haBack[k], `ha.config ${k}`).toEqual(v);
  }, 600_000);
});
