/**
 * The run report of real runs of the shipped upgrade on the lab's simulated OMS site (3 hosts in 2 regions),
 * opened in a real headless Chromium: one lane per host, one bar per task result, the downtime window with
 * the journal's T1/T2, the failure point and the rescue, no request leaving the page, a picture that is not
 * blank, and no secret of the run in the HTML.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getSite } from '../../lab/oms/context.js';
import { writeSiteInventory } from '../../lab/oms/inventory.js';
import { DEFAULT_META_PASSWORD, resetSite } from '../../lab/oms/site.js';
import { type OpenedPage, openFile, pictureStats } from '../../support/browser.js';
import { type CliResult, omsplay } from '../../support/omsplay.js';

const { lab, site } = getSite();
const home = join(lab.dir, 'omsplay-home-report');
const env = { OMSPLAY_HOME: home };
let inventory: string;

beforeAll(async () => {
  inventory = await writeSiteInventory(lab, site, { file: join(lab.dir, 'report-test.yml'), vars: { oms_health_timeout: 60 } });
});
beforeEach(() => resetSite(lab, site));
afterAll(() => resetSite(lab, site));

type Event = Record<string, any>;

async function journalOf(r: CliResult): Promise<Event[]> {
  const end = r.events.find((e) => e.type === 'run_end')!;
  return (await readFile(end.journal, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

const recorded = (journal: Event[], name: string) => journal.filter((e) => e.type === 'record' && e.name === name).pop()?.value;

/** The HTML the run wrote beside its journal, and its path as printed at the run's end (stderr under --json). */
async function reportOf(r: CliResult): Promise<{ file: string; html: string }> {
  const end = r.events.find((e) => e.type === 'run_end')!;
  const file = join(dirname(end.journal), 'report.html');
  expect(r.stderr).toContain(`Report: ${file}`);
  return { file, html: await readFile(file, 'utf8') };
}

/** What the browser shows of the timeline. */
async function timelineIn(p: OpenedPage) {
  return p.page.evaluate(() => {
    const lanes = [...document.querySelectorAll('#timeline g.lane')].map((g) => g.getAttribute('data-host'));
    const data = JSON.parse(document.getElementById('report-data')!.textContent!);
    const bars = [...document.querySelectorAll('#timeline rect.b')].map((r) => {
      const b = data.timeline.bars[Number(r.getAttribute('data-i'))];
      const box = r.getBoundingClientRect();
      return { host: b.host, task: data.timeline.tasks[b.task].name, status: r.classList[1], width: box.width, height: box.height };
    });
    const down = document.getElementById('downtime');
    return {
      lanes,
      bars,
      regions: [...document.querySelectorAll('#timeline g.region text')].map((t) => t.textContent),
      downtime: down ? { t1: down.getAttribute('data-t1'), t2: down.getAttribute('data-t2'), end: down.getAttribute('data-end'), label: down.textContent } : null,
      failure: document.getElementById('failure')?.textContent ?? null,
      rescue: [...document.querySelectorAll('#timeline-head .play.rescue')].map((g) => g.textContent),
      outcome: document.getElementById('outcome')!.textContent,
      next: [...document.querySelectorAll('pre.next')].map((p) => p.textContent),
    };
  });
}

/** The checks every report must pass in the browser. */
async function checkInBrowser(file: string, journal: Event[]) {
  const p = await openFile(file);
  try {
    const seen = await timelineIn(p);
    const results = journal.filter((e) => e.type === 'task_result');
    // One lane per host that took part, grouped by region (hz: h1 h2, sh: h3), localhost in its own group.
    const hosts = [...new Set(results.map((e) => e.host))];
    expect([...seen.lanes].sort()).toEqual([...hosts].sort());
    expect(new Set(seen.lanes).size).toBe(seen.lanes.length);
    expect(seen.regions.slice(0, 2)).toEqual(['hz (2)', 'sh (1)']);
    // One drawn bar per task result, on its host's lane, with the result's status.
    expect(seen.bars).toHaveLength(results.length);
    const key = (b: { host: string; task: string; status: string }) => `${b.host}|${b.task}|${b.status}`;
    expect(seen.bars.map(key).sort()).toEqual(results.map((e) => key(e as any)).sort());
    for (const b of seen.bars) expect(b.width * b.height, `${b.task} on ${b.host} is visible`).toBeGreaterThan(0);
    // Hovering a bar tells its task, host and status; a click keeps the details on the page.
    const last = results[results.length - 1]!;
    const bar = p.page.locator(`#timeline rect.b[data-i="${results.length - 1}"]`);
    await bar.hover({ force: true });
    const tip = await p.page.locator('#tip').textContent();
    expect(tip).toContain(last.task);
    expect(tip).toContain(`host: ${last.host}   status: ${last.status}`);
    await bar.click({ force: true });
    expect(await p.page.locator('#picked').textContent()).toContain(last.task);
    // Nothing left the page: the only request was the report file itself.
    expect(p.requests).toEqual([`file://${file}`]);
    // A picture, not a blank page.
    const shot = await p.page.screenshot({ fullPage: true });
    const stats = await pictureStats(p.page, shot);
    expect(stats.colours).toBeGreaterThan(20);
    expect(stats.inked).toBeGreaterThan(0.05);
    return seen;
  } finally {
    await p.close();
  }
}

/** The MetaDB password (read from config.yaml during the run) in any form it could take in HTML or JSON. */
function expectNoSecret(html: string): void {
  for (const form of [DEFAULT_META_PASSWORD, JSON.stringify(DEFAULT_META_PASSWORD).slice(1, -1), `Meta"pw`, 'Meta&quot;pw', 'Meta\\"pw', 'Meta&#39;', 'pw $1;|'])
    expect(html.includes(form), `the report holds ${form}`).toBe(false);
  expect(html).toContain('********');
}

describe('omsplay report', () => {
  it('of a real upgrade: written beside the journal, drawn in the browser, with the downtime T1 → T2', async () => {
    const up = await omsplay(['run', 'upgrade.yml', '-i', inventory, '--json'], { env });
    expect(up.code, up.stderr).toBe(0);
    const journal = await journalOf(up);
    const { file, html } = await reportOf(up);
    expectNoSecret(html);
    expect(html).not.toMatch(/<(link|img|iframe)\b|src="http|href="http|@import|url\(/i);

    const seen = await checkInBrowser(file, journal);
    expect(seen.outcome).toBe('ok');
    expect(seen.downtime).toMatchObject({ t1: recorded(journal, 't1'), t2: recorded(journal, 't2'), end: 't2' });
    const t1 = Date.parse(recorded(journal, 't1'));
    const t2 = Date.parse(recorded(journal, 't2'));
    expect(seen.downtime!.label).toMatch(new RegExp(`OMS down ${((t2 - t1) / 1000).toFixed(1)} s \\(T1 → T2\\)`));
    expect(seen.failure).toBeNull();
    expect(seen.next).toEqual([]);

    // --json prints the same data the page carries; -o writes elsewhere; runs lists the report.
    const runId = up.events.find((e) => e.type === 'run_start')!.run_id;
    const json = await omsplay(['report', runId, '--json'], { env });
    expect(json.code).toBe(0);
    const data = JSON.parse(json.stdout);
    expect(data.timeline.bars).toHaveLength(seen.bars.length);
    expect(data.metadb.dumps.map((d: any) => d.database).sort()).toEqual([...site.databases.all].sort());
    for (const d of data.metadb.dumps) expect(d.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(data.metadb.ha_before.enable).toBe(true);
    expect(data.metadb.versions).toEqual([{ hop: `${site.oldVersion} → ${site.newVersion}`, before: site.oldVersion, after: site.newVersion }]);
    const h2 = data.hosts.find((h: any) => h.host === 'h2');
    expect(h2.containers).toEqual([
      { name: site.containers.old, before: expect.objectContaining({ state: 'running', restart_policy: site.restartPolicy }), after: expect.objectContaining({ state: 'exited', restart_policy: 'no' }) },
      { name: site.containers.new, before: { exists: false }, after: expect.objectContaining({ state: 'running', image: site.newImage }) },
    ]);
    const out = join(lab.dir, 'report-copy.html');
    const copy = await omsplay(['report', 'last', '-o', out], { env });
    expect(copy.code).toBe(0);
    expect(copy.stdout.trim()).toBe(out);
    expect(existsSync(out)).toBe(true);
    const runs = await omsplay(['runs'], { env });
    expect(runs.stdout).toMatch(new RegExp(`${runId} .*exit 0 \\(ok\\)[\\s\\S]*report: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('of a failed and rescued upgrade: the failure point, the rescue, the downtime until the old OMS was back, and the rollback command', async () => {
    await lab.exec('h2', ['truncate', '-s', '100000', site.paths.newImageTar], { check: true });
    const up = await omsplay(['run', 'upgrade.yml', '-i', inventory, '--json'], { env });
    expect(up.code).toBe(2);
    const journal = await journalOf(up);
    const { file, html } = await reportOf(up);
    expectNoSecret(html);

    const seen = await checkInBrowser(file, journal);
    expect(seen.outcome).toBe('failed');
    expect(seen.failure).toMatch(/failed: Load image: docker load -i on h2/);
    expect(seen.rescue.join(' ')).toMatch(/Put the site back/);
    // Down from T1 until the old containers were healthy again; no T2 in a rescued run.
    expect(recorded(journal, 't2')).toBeUndefined();
    expect(seen.downtime).toMatchObject({ t1: recorded(journal, 't1'), t2: '', end: 'old_back' });
    expect(seen.downtime!.label).toMatch(/OMS down [\d.]+ s \(T1 → old OMS healthy again\)/);
    const runId = up.events.find((e) => e.type === 'run_start')!.run_id;
    expect(seen.next).toContain(`omsplay run rollback.yml -i ${inventory} --from-run ${runId}`);
  });
});
