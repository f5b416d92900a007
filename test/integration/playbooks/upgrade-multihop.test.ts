/**
 * Multi-hop upgrades end to end: one `omsplay run upgrade.yml` from 4.2.0 to 4.2.2 performs both documented hops
 * (4.2.0 → 4.2.1 → 4.2.2) on a 3-host, 2-region simulated site, each a complete family B procedure with its own
 * dumps, verification, T1/T2 and journal records; rollback.yml goes back to 4.2.0 with the MetaDB as at the start.
 * A failure in the second hop puts the site back on 4.2.1 (from that hop's dumps) and says so; a rollback then
 * returns to 4.2.0. A missing tar for one hop is refused before anything changes. The run reports draw every hop's
 * outage window (T1 → T2, or T3 → the old OMS back in a rollback), each labelled with its hop, and state their sum.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getSite } from '../../lab/oms/context.js';
import { REPOSITORY_420 } from '../../lab/oms/image.js';
import { deploySite, haConfig, inspectContainer, resetSite, schemaVersion, waitHealthy } from '../../lab/oms/site.js';
import type { Site } from '../../lab/oms/types.js';
import { openFile } from '../../support/browser.js';
import { type CliResult, omsplay } from '../../support/omsplay.js';
import { explain, metadbState, runOnSite, runRecords } from './site-run.js';

const { lab, site: defaultSite } = getSite();
const HOME = 'omsplay-home-multihop';
let site: Site;

beforeAll(async () => {
  site = await deploySite(lab, { oldVersion: '4.2.0', via: ['4.2.1'], newVersion: '4.2.2' });
}, 300_000);
beforeEach(() => resetSite(lab, site));
afterAll(() => resetSite(lab, defaultSite));

const tars = (): Record<string, string> => ({ '4.2.1': site.hops[0]!.stagedTar, '4.2.2': site.paths.newImageTar });

function run(playbook: string, vars: Record<string, unknown>, ...args: string[]): Promise<CliResult> {
  return runOnSite(lab, site, { playbook, inventoryName: 'upgrade-multihop.yml', home: HOME, vars, args });
}
const upgrade = (vars: Record<string, unknown> = {}, ...args: string[]) => run('upgrade.yml', { oms_target_version: '4.2.2', oms_image_tars: tars(), ...vars }, ...args);
const runId = (r: CliResult): string => String(r.events.find((e) => e.type === 'run_start')!.run_id);

/** The values a run recorded, in order: [{host, name, value}]. */
const records = (id: string) => runRecords(lab, HOME, id);

/** The outage windows `omsplay report RUN --json` finds in a run, and the page the run wrote beside its journal. */
async function reportOf(id: string): Promise<{ downtime: any; html: string }> {
  const r = await omsplay(['report', id, '--json'], { env: { OMSPLAY_HOME: join(lab.dir, HOME) } });
  expect(r.code, r.stderr).toBe(0);
  return { downtime: JSON.parse(r.stdout).timeline.downtime, html: await readFile(join(lab.dir, HOME, 'runs', id, 'report.html'), 'utf8') };
}
/** The outage windows a real headless Chromium draws in the page's timeline. */
async function windowsInBrowser(file: string) {
  const p = await openFile(file);
  try {
    return await p.page.evaluate(() =>
      [...document.querySelectorAll('#timeline-head g.downtime')].map((g) => {
        const box = g.querySelector('rect')!.getBoundingClientRect();
        return { hop: g.getAttribute('data-hop'), label: g.querySelector('text')!.textContent!, left: box.left, right: box.right, width: box.width, height: box.height };
      }),
    );
  } finally {
    await p.close();
  }
}
const windowsOf = (d: any) => d.windows.map((w: any) => [w.t1, w.t2 ?? null, w.end_kind, w.label]);
const sum = (pairs: Array<[string, string]>) => pairs.reduce((n, [a, b]) => n + Date.parse(b) - Date.parse(a), 0);

/** Every host runs `running` (healthy, on its version's image); the site's other OMS containers do not run. */
async function runsOn(version: string, running: string, others: string[]): Promise<void> {
  expect(await schemaVersion(site)).toEqual({ rm: version, cm: version, heartbeat: { hz: version, sh: version } });
  for (const h of site.hosts) {
    const c = await inspectContainer(lab, h.name, running);
    expect(c?.State.Running, `${running} runs on ${h.name}`).toBe(true);
    expect(c.Config.Image).toBe(`${REPOSITORY_420}:feature_${version}-ce`);
    await waitHealthy(lab, site, h.name, running);
    for (const o of others) expect((await inspectContainer(lab, h.name, o))?.State?.Running ?? false, `${o} on ${h.name}`).toBe(false);
  }
}

describe('multi-hop: 4.2.0 → 4.2.1 → 4.2.2 on 3 hosts in 2 regions', () => {
  it('performs both hops in one run, each with its own dumps, verification, T1/T2 and journal records; rollback returns to 4.2.0', async () => {
    const before = await metadbState(site);
    const haBefore = await haConfig(site);
    const up = await upgrade();
    expect(up.code, explain(up)).toBe(0);
    const plan = up.events.find((e) => e.type === 'task_result' && e.task === 'Preflight: the plan')!;
    expect(String(plan.result.msg)).toMatch(/^plan: 4\.2\.0 → 4\.2\.1 → 4\.2\.2\nhop 1\/2: 4\.2\.0 → 4\.2\.1 {2}family B/);
    await runsOn('4.2.2', 'oms_422', ['oms_420', 'oms_421']);
    expect((await haConfig(site)).enable).toBe(true);
    // Each hop verified its servers Online and wrote HA back on (T2), after its own stop (T1).
    const okResults = (task: string) => up.events.filter((e) => e.type === 'task_result' && e.task === task && e.status !== 'skipped' && e.status !== 'failed');
    expect(okResults('Verify: every server is Online')).toHaveLength(2);
    expect(okResults('Enable HA: enable with refetchStoreIntervalMin = ceil(T2 - T1) + margin')).toHaveLength(2);
    expect(okResults('Back up: mysqldump --triggers=false each database')).toHaveLength(2);

    const rec = await records(runId(up));
    const hopsSeen = rec.filter((r) => r.name === 'upgrade_hop' && r.host === 'h1').map((r) => `${r.value.index}/${r.value.of} ${r.value.from}→${r.value.to}`);
    expect(hopsSeen).toEqual(['1/2 4.2.0→4.2.1', '2/2 4.2.1→4.2.2']);
    const t1s = rec.filter((r) => r.name === 't1' && r.value).map((r) => r.value);
    const t2s = rec.filter((r) => r.name === 't2').map((r) => r.value);
    expect(new Set(t1s).size).toBe(2);
    expect(new Set(t2s).size).toBe(2);
    // The report shows both hops' outages, each with its hop, and their sum (it showed the last hop's alone).
    const [t1a, t1b] = [...new Set(t1s)] as string[];
    const [t2a, t2b] = [...new Set(t2s)] as string[];
    const upReport = await reportOf(runId(up));
    expect(windowsOf(upReport.downtime)).toEqual([
      [t1a, t2a, 't2', expect.stringMatching(/^hop 1\/2 4\.2\.0 → 4\.2\.1: OMS down [^(≥]+ \(T1 → T2\)$/)],
      [t1b, t2b, 't2', expect.stringMatching(/^hop 2\/2 4\.2\.1 → 4\.2\.2: OMS down [^(≥]+ \(T1 → T2\)$/)],
    ]);
    expect(upReport.downtime.total_ms).toBe(sum([[t1a!, t2a!], [t1b!, t2b!]]));
    expect(upReport.downtime.label).toMatch(/^OMS down [^≥]+ in all, 2 windows \(one per hop\)$/);
    expect(upReport.html).toContain(`<b>${upReport.downtime.label}</b><ul id="down-windows">`);
    for (const [i, [a, b]] of [[t1a, t2a], [t1b, t2b]].entries()) expect(upReport.html).toContain(`<g id="downtime-${i + 1}" class="downtime" data-t1="${a}" data-t2="${b}" data-end="t2"`);
    // Drawn in a real browser: two windows side by side, each visible and labelled with its hop.
    const drawn = await windowsInBrowser(join(lab.dir, HOME, 'runs', runId(up), 'report.html'));
    expect(drawn.map((w) => w.hop)).toEqual(['1/2 4.2.0 → 4.2.1', '2/2 4.2.1 → 4.2.2']);
    expect(drawn[0]!.label).toMatch(/^hop 1\/2/);
    expect(drawn[1]!.label).toMatch(/^hop 2\/2/);
    for (const w of drawn) expect(w.width * w.height).toBeGreaterThan(0);
    expect(drawn[1]!.left).toBeGreaterThanOrEqual(drawn[0]!.right);
    const done = rec.filter((r) => r.name === 'upgrade_hops_done' && r.host === 'h3').at(-1)!.value as any[];
    expect(done.map((d) => [d.index, d.from, d.to, d.site.old_container, d.site.new_container])).toEqual([
      [1, '4.2.0', '4.2.1', 'oms_420', 'oms_421'],
      [2, '4.2.1', '4.2.2', 'oms_421', 'oms_422'],
    ]);
    const dumpPaths = done.flatMap((d) => d.dumps.map((x: any) => x.path));
    expect(new Set(dumpPaths).size).toBe(2 * site.databases.all.length);
    expect(dumpPaths.filter((p: string) => p.includes('/hop1-4.2.1/'))).toHaveLength(site.databases.all.length);
    expect(dumpPaths.filter((p: string) => p.includes('/hop2-4.2.2/'))).toHaveLength(site.databases.all.length);

    const back = await run('rollback.yml', {}, '--from-run', runId(up), '--yes');
    expect(back.code, explain(back)).toBe(0);
    const undone = back.events.filter((e) => e.type === 'task_result' && e.task === 'Rollback: hop undone').map((e) => String(e.result.msg));
    expect(undone).toEqual(['hop 2 undone: OMS is on 4.2.1 again (oms_421)', 'hop 1 undone: OMS is on 4.2.0 again (oms_420)']);
    // The rollback's report: a window per hop undone, from its T3 until that hop's old containers were healthy again.
    const backReport = await reportOf(runId(back));
    expect(windowsOf(backReport.downtime)).toEqual([
      [expect.any(String), null, 'old_back', expect.stringMatching(/^hop 1\/2 4\.2\.2 → 4\.2\.1: OMS down [^(≥]+ \(T3 → old OMS healthy again\)$/)],
      [expect.any(String), null, 'old_back', expect.stringMatching(/^hop 2\/2 4\.2\.1 → 4\.2\.0: OMS down [^(≥]+ \(T3 → old OMS healthy again\)$/)],
    ]);
    await runsOn('4.2.0', 'oms_420', []);
    for (const h of site.hosts) {
      expect(await inspectContainer(lab, h.name, 'oms_421'), `oms_421 removed on ${h.name}`).toBeUndefined();
      expect(await inspectContainer(lab, h.name, 'oms_422'), `oms_422 removed on ${h.name}`).toBeUndefined();
    }
    expect(await metadbState(site)).toEqual(before);
    expect((await haConfig(site)).enable).toBe(haBefore.enable);
  }, 600_000);

  it('a failure in the second hop puts the site back on 4.2.1, healthy, and says so; rollback_to=4.2.0 then returns to the start', async () => {
    const before = await metadbState(site);
    // Only 4.2.2's migration fails (after rm and cm changed): hop 1 goes through.
    await lab.exec('h1', ['sh', '-c', `echo cm_hb > ${site.paths.failDockerInitMarker}-4.2.2`], { check: true });
    const up = await upgrade();
    expect(up.code, explain(up)).toBe(2);
    expect(up.events.some((e) => e.type === 'on_failure')).toBe(true);
    const restored = up.events.filter((e) => e.type === 'task_result' && e.task === 'Rollback: restore each database');
    expect(restored.map((e) => e.status)).toEqual(['changed']);
    expect(String(restored[0]!.result.results?.[0]?.dump?.path ?? JSON.stringify(restored[0]!.result))).toContain('/hop2-4.2.2/');
    await runsOn('4.2.1', 'oms_421', ['oms_420', 'oms_422']);
    expect((await haConfig(site)).enable).toBe(true);
    const said = up.events.find((e) => e.type === 'task_result' && e.task === 'Rescue: the version the site is on');
    expect(said?.status, explain(up)).toBe('ok');
    expect(String(said!.result.msg)).toContain('Hop 2/2 (4.2.1 → 4.2.2) of the path 4.2.0 → 4.2.1 → 4.2.2 failed and was undone from its own dumps: OMS is on 4.2.1 now');
    expect(String(said!.result.msg)).toContain(`--from-run ${runId(up)} -e rollback_to=4.2.0`);
    // The report: hop 1 down T1 → T2, hop 2 down from its T1 until the rescue had hop 2's old containers healthy
    // (the old code showed hop 2's T1 to hop 1's T2: "OMS down 0 ms").
    const rec = await records(runId(up));
    const t1s = [...new Set(rec.filter((r) => r.name === 't1' && r.value).map((r) => r.value))];
    const t2s = [...new Set(rec.filter((r) => r.name === 't2').map((r) => r.value))];
    expect(t2s).toHaveLength(1);
    const upReport = await reportOf(runId(up));
    expect(windowsOf(upReport.downtime)).toEqual([
      [t1s[0], t2s[0], 't2', expect.stringMatching(/^hop 1\/2 4\.2\.0 → 4\.2\.1: OMS down [^(≥]+ \(T1 → T2\)$/)],
      [t1s[1], null, 'old_back', expect.stringMatching(/^hop 2\/2 4\.2\.1 → 4\.2\.2: OMS down [^(≥]+ \(T1 → old OMS healthy again\)$/)],
    ]);
    expect(upReport.downtime.windows[1].end_ms).toBeGreaterThan(upReport.downtime.windows[1].start_ms);

    await lab.exec('h1', ['rm', '-f', `${site.paths.failDockerInitMarker}-4.2.2`], { check: true });
    const back = await run('rollback.yml', { rollback_to: '4.2.0' }, '--from-run', runId(up), '--yes');
    expect(back.code, explain(back)).toBe(0);
    // The hop the rescue undid is not undone again: one hop left (4.2.1 → 4.2.0), from hop 1's dumps.
    const plan = back.events.find((e) => e.type === 'task_result' && e.task === 'Rollback: the hops to undo')!;
    expect(plan.result.msg).toBe('rollback: 4.2.1 → 4.2.0');
    const restoredBack = back.events.filter((e) => e.type === 'task_result' && e.task === 'Rollback: restore each database');
    expect(restoredBack.map((e) => e.status)).toEqual(['changed']);
    expect(JSON.stringify(restoredBack[0]!.result)).toContain('/hop1-4.2.1/');
    // One hop undone: one window, read as a single-hop rollback's always was.
    expect(windowsOf((await reportOf(runId(back))).downtime)).toEqual([[expect.any(String), null, 'old_back', expect.stringMatching(/^OMS down [^(≥]+ \(T3 → old OMS healthy again\)$/)]]);
    await runsOn('4.2.0', 'oms_420', ['oms_421']);
    expect(await metadbState(site)).toEqual(before);
  }, 600_000);

  it('--check plans both hops, goes through the steps of the first and changes nothing', async () => {
    const before = await metadbState(site);
    const r = await upgrade({}, '--check');
    expect(r.code, explain(r)).toBe(0);
    const hops = r.events.filter((e) => e.type === 'task_result' && e.task === 'Hop: which hop this is' && e.host === 'h1');
    expect(hops).toHaveLength(1);
    const report = r.events.find((e) => e.type === 'task_result' && e.task === 'Report: what is left to do')!;
    expect(String(report.result.msg)).toContain('A real run would upgrade OMS to 4.2.2 through 4.2.0 → 4.2.1 → 4.2.2 (this check went through the steps of the first hop only) on');
    await runsOn('4.2.0', 'oms_420', []);
    for (const h of site.hosts) expect(await inspectContainer(lab, h.name, 'oms_421')).toBeUndefined();
    expect(await metadbState(site)).toEqual(before);
  }, 300_000);

  it('refuses before any change when one hop has no tar, or its tar is not on the hosts, naming that hop', async () => {
    const before = await metadbState(site);
    const noTar = await upgrade({ oms_image_tars: { '4.2.1': tars()['4.2.1'] } });
    expect(noTar.code).toBe(2);
    const planFail = (r: CliResult) => r.events.find((e) => e.type === 'task_result' && e.task === 'Preflight: plan the upgrade path' && e.status === 'failed');
    expect(String(planFail(noTar)?.result.msg)).toMatch(/^no image tar for hop 4\.2\.1 → 4\.2\.2 of the path 4\.2\.0 → 4\.2\.1 → 4\.2\.2/);
    const absent = await upgrade({ oms_image_tars: { '4.2.1': '/data/oms/images/missing-4.2.1.tar', '4.2.2': tars()['4.2.2'] } });
    expect(absent.code).toBe(2);
    expect(String(planFail(absent)?.result.msg)).toMatch(/^image tar not found on h\d: \/data\/oms\/images\/missing-4\.2\.1\.tar \(hop 4\.2\.0 → 4\.2\.1\)/);
    for (const r of [noTar, absent]) {
      const started = r.events.filter((e) => e.type === 'task_start').map((e) => String(e.task));
      expect(started.filter((t) => /^(Stage|Disable HA|Stop old|Back up|Load image|Start new|Hop)/.test(t))).toEqual([]);
    }
    await runsOn('4.2.0', 'oms_420', []);
    expect(await metadbState(site)).toEqual(before);
  }, 300_000);
});
