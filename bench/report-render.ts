/**
 * Workload "report": the run report of a large run — 200 hosts in 4 regions × 30 tasks, shaped like the
 * upgrade (task files per phase, T1/T2 recorded, docker.container results, one dump) — written by
 * `omsplay report` and opened in headless Chromium (Debian's, through playwright-core). Figures: the
 * HTML's size, the time `omsplay report` takes, and the time from navigation start until the page,
 * with its 6000 bars, is laid out and painted (two animation frames after `load`), median of N.
 * The target (issue 13): under 2 s in the browser, under 5 MB.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { RunEvent } from '../lib/engine/events.js';
import type { RunMeta } from '../lib/engine/journal.js';

export interface ReportBench {
  hosts: number;
  tasks: number;
  results: number;
  htmlBytes: number;
  writeMs: number[];
  renderMs: number[];
  medianWriteMs: number;
  medianRenderMs: number;
  barsDrawn: number;
  targets: { renderUnder2s: boolean; sizeUnder5Mb: boolean };
}

const PHASES = ['preflight', 'stage', 'disable-ha', 'stop-old', 'heartbeat', 'backup', 'load-image', 'start-new', 'docker-init', 'verify', 'enable-ha', 'report'];

/** A journal as omsplay writes it for `hosts` hosts and `tasks` tasks (every host runs every task). */
export function syntheticRun(hosts: number, tasks: number, runId: string): { meta: RunMeta; events: RunEvent[] } {
  const regions: Record<string, string[]> = {};
  const names: string[] = [];
  for (let i = 0; i < hosts; i++) {
    const region = `region-${Math.floor((i * 4) / hosts) + 1}`;
    const name = `oms-${region.slice(-1)}-${String(i + 1).padStart(3, '0')}`;
    regions[region] = [...(regions[region] ?? []), name];
    names.push(name);
  }
  const t0 = Date.parse('2026-11-22T01:00:00.000Z');
  const iso = (ms: number) => new Date(t0 + ms).toISOString();
  const play = 'Upgrade OMS';
  const events: RunEvent[] = [
    { type: 'run_start', run_id: runId, playbook: '/opt/omsplay/playbooks/upgrade.yml', inventory: '/etc/oms/prod.yml', check: false, time: iso(0) },
    { type: 'play_start', play, hosts: names, location: '/opt/omsplay/playbooks/upgrade.yml:11:3', time: iso(20) },
  ];
  let now = 30;
  // A pseudo-random but repeatable spread of durations.
  let seed = 7;
  const rnd = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  for (let t = 0; t < tasks; t++) {
    const phase = PHASES[Math.floor((t * PHASES.length) / tasks)]!;
    const task = `${phase}: step ${t + 1}`;
    const file = `/opt/omsplay/playbooks/tasks/upgrade/${String(PHASES.indexOf(phase) + 1).padStart(2, '0')}-${phase}.yml`;
    events.push({ type: 'task_start', play, task, hosts: names, location: `${file}:${t + 1}:3`, time: iso(now) });
    if (phase === 'stop-old' && !events.some((e) => e.type === 'record')) events.push({ type: 'record', host: names[0]!, name: 't1', value: iso(now) });
    let longest = 0;
    for (const host of names) {
      const duration = Math.round(50 + rnd() * (phase === 'verify' || phase === 'load-image' ? 20_000 : 3000));
      longest = Math.max(longest, duration);
      const status = rnd() < 0.15 ? 'skipped' : rnd() < 0.4 ? 'changed' : 'ok';
      const result: Record<string, unknown> =
        phase === 'start-new'
          ? { changed: true, name: 'oms_400', state: 'running', restart_policy: 'always', previous_restart_policy: null, image: 'oms:feature_4.0.0-ce', actions: ['create+start'], msg: 'create+start oms_400' }
          : { changed: status === 'changed', msg: `${task} on ${host}: done`, stdout: 'x'.repeat(Math.floor(rnd() * 80)) };
      events.push({ type: 'task_result', play, task, host, status, duration_ms: duration, result, module: phase === 'start-new' ? 'docker.container' : 'command', time: iso(now + duration) });
    }
    now += longest + 5;
    events.push({ type: 'task_end', play, task, duration_ms: longest });
    if (phase === 'enable-ha' && !events.some((e) => e.type === 'record' && e.name === 't2')) events.push({ type: 'record', host: names[0]!, name: 't2', value: iso(now) });
  }
  events.push({ type: 'play_end', play, failed: false, time: iso(now) });
  events.push({ type: 'run_end', run_id: runId, exit_code: 0, time: iso(now + 10), duration_ms: now + 10, journal: '' });
  const meta: RunMeta = {
    run_id: runId,
    playbook: '/opt/omsplay/playbooks/upgrade.yml',
    inventory: '/etc/oms/prod.yml',
    check: false,
    started_at: iso(0),
    ended_at: iso(now + 10),
    exit_code: 0,
    recorded: ['t1', 't2'],
    operator: 'ops@control',
    regions,
  };
  return { meta, events };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function reportBench(repo: string, opts: { hosts: number; tasks: number; runs: number; log: (s: string) => void }): Promise<ReportBench> {
  const home = await mkdtemp(join(tmpdir(), 'omsplay-bench-report-'));
  try {
    const runId = '20261122T010000Z-bench1';
    const { meta, events } = syntheticRun(opts.hosts, opts.tasks, runId);
    const dir = join(home, 'runs', runId);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'meta.json'), JSON.stringify(meta));
    await writeFile(join(dir, 'journal.jsonl'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const results = events.filter((e) => e.type === 'task_result').length;
    const file = join(home, 'report.html');
    const writeMs: number[] = [];
    for (let i = 0; i < opts.runs; i++) {
      const started = performance.now();
      const r = spawnSync(process.execPath, [join(repo, 'bin/omsplay.js'), 'report', runId, '-o', file], { env: { ...process.env, OMSPLAY_HOME: home }, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`omsplay report exited ${r.status}: ${r.stderr}`);
      writeMs.push(Math.round(performance.now() - started));
    }
    const htmlBytes = (await stat(file)).size;
    opts.log(`report: ${opts.hosts} hosts × ${opts.tasks} tasks = ${results} results, ${(htmlBytes / 1e6).toFixed(2)} MB, written in ${median(writeMs)} ms`);

    const renderMs: number[] = [];
    let barsDrawn = 0;
    for (let i = 0; i < opts.runs; i++) {
      const profile = await mkdtemp(join(tmpdir(), 'omsplay-bench-chromium-'));
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: '/usr/bin/chromium',
        headless: true,
        viewport: { width: 1300, height: 900 },
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
      try {
        await context.route('**/*', (route) => (route.request().url().startsWith('file://') ? route.continue() : route.abort()));
        const page = await context.newPage();
        await page.goto(`file://${file}`, { waitUntil: 'load' });
        // Time since navigation start once two frames were painted after load: layout and paint of the whole SVG.
        const ms = await page.evaluate(() => new Promise<number>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now())))));
        barsDrawn = await page.evaluate(() => document.querySelectorAll('#timeline rect.b').length);
        renderMs.push(Math.round(ms));
      } finally {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      }
    }
    const out: ReportBench = {
      hosts: opts.hosts,
      tasks: opts.tasks,
      results,
      htmlBytes,
      writeMs,
      renderMs,
      medianWriteMs: median(writeMs),
      medianRenderMs: median(renderMs),
      barsDrawn,
      targets: { renderUnder2s: median(renderMs) < 2000, sizeUnder5Mb: htmlBytes < 5 * 1024 * 1024 },
    };
    opts.log(`report: rendered in ${out.medianRenderMs} ms (median of ${opts.runs}), ${barsDrawn} bars drawn`);
    return out;
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

export function reportBenchMarkdown(r: ReportBench, date: string, commit: string): string {
  return `# Run report: ${r.hosts} hosts × ${r.tasks} tasks

Workload \`report\` of \`npm run bench\` (bench/report-render.ts), ${date}, commit ${commit}.
A journal shaped like the upgrade's (${r.results} task results, 4 regions, T1/T2 recorded) rendered by
\`omsplay report\`, opened in headless Chromium (Debian's \`/usr/bin/chromium\` via playwright-core).

| figure | value | target |
|---|---:|---|
| HTML size | ${(r.htmlBytes / 1e6).toFixed(2)} MB | < 5 MB: ${r.targets.sizeUnder5Mb ? 'met' : 'NOT met'} |
| in the browser: navigation start → laid out and painted | ${r.medianRenderMs} ms (runs: ${r.renderMs.join(', ')}) | < 2 s: ${r.targets.renderUnder2s ? 'met' : 'NOT met'} |
| \`omsplay report\` (cold process, journal → HTML) | ${r.medianWriteMs} ms (runs: ${r.writeMs.join(', ')}) | — |
| bars drawn | ${r.barsDrawn} | one per task result (${r.results}) |
`;
}
