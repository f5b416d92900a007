/**
 * Workload `upgrade`: the shipped upgrade and rollback on the lab's simulated OMS site (3 hosts in 2 regions), run
 * cold through the built CLI. From the run's events it reports the outage — upgrade: T1 (first old container about
 * to stop) to T2 (OMS serving again, HA back), both from the journal's records; rollback: T3 (the new containers
 * about to stop) to the end of "the old container is healthy" — the whole run, and each step's share.
 *
 *   npx tsx bench/upgrade-outage.ts --lab-id 18 --runs 1 --out bench/results
 *
 * Writes upgrade-outage.json and upgrade-outage.md with the load average before each run.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultLabOptions } from '../test/lab/default-lab.js';
import { startLab } from '../test/lab/lab.js';
import { writeSiteInventory } from '../test/lab/oms/inventory.js';
import { deploySite, resetSite } from '../test/lab/oms/site.js';
import { round } from './extras.js';
import { measure } from './measure.js';
import { type Ev, type RunFigures, stepTimes } from './outage.js';

const { values: opt } = parseArgs({
  options: { 'lab-id': { type: 'string' }, runs: { type: 'string' }, out: { type: 'string' }, 'no-build': { type: 'boolean' }, repo: { type: 'string' }, label: { type: 'string' } },
});
// --repo: another checkout whose omsplay (built) and playbooks run instead (e.g. main, for a before/after figure).
const repo = resolve(opt.repo ?? join(import.meta.dirname, '..'));
const label = opt.label ?? 'upgrade-outage';
const labId = Number(opt['lab-id'] ?? process.env.LAB_ID ?? 7);
const runs = Number(opt.runs ?? 1);
const outDir = resolve(opt.out ?? join(repo, 'bench/results'));
const log = (s: string) => process.stderr.write(`[upgrade-outage] ${s}\n`);
const load = () => os.loadavg().map((x) => round(x, 2));

function events(stdout: string): Ev[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Ev);
}

async function main(): Promise<void> {
  if (!opt['no-build']) execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  log(`lab ${labId}: the simulated OMS site`);
  const lab = await startLab({ ...defaultLabOptions(labId) });
  const site = await deploySite(lab, {});
  const scratch = join(lab.dir, 'bench-upgrade');
  await mkdir(scratch, { recursive: true });
  const inv = await writeSiteInventory(lab, site, { file: join(scratch, 'inventory.yml'), vars: { oms_health_timeout: 120 } });
  const env = { ...process.env, OMSPLAY_HOME: join(scratch, 'omsplay-home') };
  const cli = (args: string[]) => ({ argv: [process.execPath, join(repo, 'bin/omsplay.js'), ...args], env, cwd: repo, timeoutMs: 1_800_000 });
  const upgrades: RunFigures[] = [];
  const rollbacks: RunFigures[] = [];
  const started = { date: new Date().toISOString(), load: load() };
  for (let i = 0; i < runs; i++) {
    await resetSite(lab, site);
    let before = load();
    const up = await measure(cli(['run', 'upgrade.yml', '-i', inv, '--json']), scratch);
    if (up.code !== 0) throw new Error(`upgrade exited ${up.code}: ${up.stderr.slice(-2000)}`);
    const ue = events(up.stdout);
    // The records (t1, t2) are in the run's journal, not in the event stream.
    const journal = events(await readFile(String(ue.find((e) => e.type === 'run_end')?.journal), 'utf8'));
    const rec = (name: string) => journal.find((e) => e.type === 'record' && e.name === name)?.value;
    const t1 = Date.parse(String(rec('t1')));
    const t2 = Date.parse(String(rec('t2')));
    upgrades.push({ wallMs: Math.round(up.ms), outageMs: t2 - t1, load: before, steps: stepTimes(ue, t1, t2) });
    log(`upgrade: ${(up.ms / 1000).toFixed(1)} s, outage T1..T2 ${((t2 - t1) / 1000).toFixed(1)} s (load ${before[0]})`);
    before = load();
    const rb = await measure(cli(['run', 'rollback.yml', '-i', inv, '--from-run', 'last', '--yes', '--json']), scratch);
    if (rb.code !== 0) throw new Error(`rollback exited ${rb.code}: ${rb.stderr.slice(-2000)}`);
    const re = events(rb.stdout);
    const t3 = Date.parse(re.find((e) => e.type === 'task_start' && e.task === 'Rollback: record T3')?.time);
    const healthy = re.filter((e) => e.type === 'task_end' && e.task === 'Rollback: the old container is healthy').at(-1);
    const healthyStart = re.filter((e) => e.type === 'task_start' && e.task === 'Rollback: the old container is healthy').at(-1);
    const t4 = Date.parse(healthyStart?.time) + Number(healthy?.duration_ms ?? 0);
    rollbacks.push({ wallMs: Math.round(rb.ms), outageMs: t4 - t3, load: before, steps: stepTimes(re, t3, t4) });
    log(`rollback: ${(rb.ms / 1000).toFixed(1)} s, outage ${((t4 - t3) / 1000).toFixed(1)} s (load ${before[0]})`);
  }
  await mkdir(outDir, { recursive: true });
  let commit = opt.repo ? `${opt.repo} (no git)` : 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {}
  const doc = { ...started, commit, loadAtEnd: load(), cpus: os.cpus().length, hosts: site.hosts.length, regions: site.regions.length, runs, upgrades, rollbacks };
  await writeFile(join(outDir, `${label}.json`), `${JSON.stringify(doc, null, 2)}\n`);
  const table = (name: string, r: RunFigures) => [
    `### ${name}: outage ${(r.outageMs / 1000).toFixed(1)} s of ${(r.wallMs / 1000).toFixed(1)} s (load average ${r.load[0]} at its start)`,
    '',
    '| step | time | share of the run | in the outage |',
    '|---|---:|---:|---|',
    ...r.steps.map((s) => `| ${s.step} | ${(s.ms / 1000).toFixed(2)} s | ${((100 * s.ms) / r.wallMs).toFixed(0)} % | ${s.inOutage ? 'yes' : ''} |`),
    '',
  ];
  const md = [
    `# Upgrade and rollback outage on the simulated site (${label})`,
    '',
    `${started.date}, commit ${commit}, ${os.cpus().length} cores, ${site.hosts.length} hosts in ${site.regions.length} regions, the lab's own MetaDB and image (small: not the issue's 1 GB), ${runs} run(s). Load average (1 min) at the start ${started.load[0]}, at the end ${doc.loadAtEnd[0]}.`,
    '',
    ...upgrades.flatMap((r, i) => table(`Upgrade run ${i + 1}`, r)),
    ...rollbacks.flatMap((r, i) => table(`Rollback run ${i + 1}`, r)),
  ].join('\n');
  await writeFile(join(outDir, `${label}.md`), md);
  log(`results in ${outDir}`);
}

main().catch((e) => {
  log(`failed: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
