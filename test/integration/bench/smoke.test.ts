/**
 * The benchmark cannot rot: `npm run bench -- --smoke` (2 hosts, 3 tasks, one run) drives every runner — omsplay,
 * tuned Ansible, Ansible + Mitogen and the raw ssh2 limit — over its own small lab (id 40), and each must finish
 * its work with a timing; the upgrade workload runs the shipped upgrade and rollback on the simulated site (lab 41)
 * beside the vendor's order by hand. Timing targets are checked by the full benchmark, not here.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Results } from '../../../bench/report.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const LAB_ID = 40;
let out: string;
let results: Results;
let log = '';

beforeAll(async () => {
  out = await mkdtemp(join(os.tmpdir(), 'omsplay-bench-smoke-'));
  // dist/ is built by `npm install` (prepare); build only when it is missing.
  const args = ['--import', 'tsx', 'bench/run.ts', '--smoke', '--lab-id', String(LAB_ID), '--out', out];
  if (existsSync(join(repo, 'dist/cli/main.js'))) args.push('--no-build');
  const code = await new Promise<number | null>((done) => {
    const p = spawn(process.execPath, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout.on('data', (d) => (log += d));
    p.stderr.on('data', (d) => (log += d));
    p.on('close', done);
  });
  if (code !== 0) throw new Error(`bench --smoke exited ${code}:\n${log.slice(-4000)}`);
  results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
}, 600_000);

afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('bench --smoke', () => {
  it('runs every runner on every workload, each run succeeding with a wall time', () => {
    for (const runner of ['omsplay', 'ansible', 'mitogen', 'raw'] as const) {
      for (const workload of ['a', 'b-changed', 'b-unchanged'] as const) {
        const runs = results.runs.filter((r) => r.runner === runner && r.workload === workload);
        expect(runs, `${runner} (${workload})`).toHaveLength(1);
        const [r] = runs;
        expect(r!.error, `${runner} (${workload})`).toBeUndefined();
        expect(r!.ok).toBe(true);
        expect(r!.hosts).toBe(2);
        expect(r!.ms).toBeGreaterThan(0);
        expect(r!.rssMb).toBeGreaterThan(1);
        expect(results.medians.find((m) => m.runner === runner && m.workload === workload)?.ms).toBe(r!.ms);
      }
    }
    const rawArgv = results.runs.filter((r) => r.runner === 'raw-argv');
    expect(rawArgv.map((r) => [r.workload, r.ok])).toEqual([['a', true]]);
    expect((rawArgv[0]!.detail as { execs: number }).execs).toBe(6);
    // The raw runner did the work it was given: 3 execs per host for (a); (b) copies only on the first run.
    const raw = (w: string) => results.runs.find((r) => r.runner === 'raw' && r.workload === w)!.detail as { execs: number };
    expect(raw('a').execs).toBe(6);
    expect(raw('b-changed').execs).toBe(raw('b-unchanged').execs + 2);
  });

  it('measures the cold start and writes the table and the chart', async () => {
    expect(results.startup!.versionMs).toBeGreaterThan(0);
    expect(results.startup!.validateMs).toBeGreaterThan(0);
    const md = await readFile(join(out, 'results.md'), 'utf8');
    expect(md).toContain('| Ansible + Mitogen |');
    const svg = await readFile(join(out, 'chart.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    for (const label of ['omsplay', 'Ansible (tuned)', 'Ansible + Mitogen', 'raw ssh2 limit']) expect(svg).toContain(label);
  });

  it('renders the run report workload in headless Chromium (10 hosts × 3 tasks)', async () => {
    const r = JSON.parse(await readFile(join(out, 'report-render.json'), 'utf8'));
    expect(r).toMatchObject({ hosts: 10, tasks: 3, results: 30, barsDrawn: 30 });
    expect(r.medianRenderMs).toBeGreaterThan(0);
    expect(r.htmlBytes).toBeGreaterThan(1000);
    expect(await readFile(join(out, 'report-render.md'), 'utf8')).toContain('| HTML size |');
  });

  it('runs the upgrade workload: omsplay and the vendor order by hand, both outages measured, table and chart written', async () => {
    const r = JSON.parse(await readFile(join(out, 'upgrade-outage-3.json'), 'utf8'));
    expect(r).toMatchObject({ hosts: 3, regions: 2, runs: 1 });
    for (const kind of ['upgrades', 'rollbacks', 'handUpgrades', 'handRollbacks']) {
      expect(r[kind], kind).toHaveLength(1);
      const run = r[kind][0];
      expect(run.outageMs, kind).toBeGreaterThan(0);
      expect(run.wallMs, kind).toBeGreaterThanOrEqual(run.outageMs);
      expect(run.steps.some((s: { inOutage: boolean }) => s.inOutage), kind).toBe(true);
    }
    // The by-hand run did the guide's steps in its order, each host in turn.
    expect(r.handUpgrades[0].steps.map((s: { step: string }) => s.step)).toEqual([
      'Disable HA', 'Stop old containers', 'Clean heartbeat', 'Back up', 'Load image', 'Start new containers', 'docker_init.sh', 'Verify', 'Enable HA',
    ]);
    const md = await readFile(join(out, 'upgrade-outage-3.md'), 'utf8');
    expect(md).toMatch(/\| upgrade \(T1 → T2\) \| [\d.]+ s \| [\d.]+ s \| [\d.]+× \|/);
    const svg = await readFile(join(out, 'upgrade-outage-3.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    for (const label of ['upgrade, omsplay', 'upgrade, the vendor&#39;s order by hand'.replace('&#39;', "'"), 'rollback, omsplay']) expect(svg).toContain(label);
  });
});
