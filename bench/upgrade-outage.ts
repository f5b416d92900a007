/**
 * Workload `upgrade`: the shipped upgrade and rollback on the lab's simulated OMS site (3 hosts in 2 regions), run
 * cold through the built CLI. From the run's events it reports the outage — upgrade: T1 (first old container about
 * to stop) to T2 (OMS serving again, HA back), both from the journal's records; rollback: T3 (the new containers
 * about to stop) to the end of "the old container is healthy" — the whole run, and each step's share.
 *
 * Beside each omsplay pair it runs the vendor's order by hand (bench/vendor-by-hand.sh: the guide's steps one
 * after another, host after host) on the same site, reset in between.
 *
 *   npx tsx bench/upgrade-outage.ts --lab-id 18 --runs 1 --out bench/results
 *   npx tsx bench/upgrade-outage.ts --hosts 30 --regions 3 --heartbeat-rows 1000000 --metadb-mb 1000 --image-mb 1000
 *   npx tsx bench/upgrade-outage.ts --no-by-hand --vars '{"oms_metadb_parallel": 2}' --label p2
 *
 * Writes <label>.json and <label>.md with the load average before each run.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultLabOptions } from '../test/lab/default-lab.js';
import { type Lab, startLab } from '../test/lab/lab.js';
import { writeSiteInventory } from '../test/lab/oms/inventory.js';
import { rootConnection } from '../test/lab/oms/seed.js';
import { deploySite, resetSite } from '../test/lab/oms/site.js';
import type { Site, SiteOptions } from '../test/lab/oms/types.js';
import type { HostSpec } from '../test/lab/types.js';
import { runByHand, writeByHandSite } from './by-hand.js';
import { outageChart } from './outage-chart.js';
import { round } from './extras.js';
import { measure } from './measure.js';
import { type Ev, type RunFigures, stepTimes } from './outage.js';

const { values: opt } = parseArgs({
  options: {
    'lab-id': { type: 'string' },
    runs: { type: 'string' },
    out: { type: 'string' },
    'no-build': { type: 'boolean' },
    repo: { type: 'string' },
    label: { type: 'string' },
    hosts: { type: 'string' },
    regions: { type: 'string' },
    'heartbeat-rows': { type: 'string' },
    'metadb-mb': { type: 'string' },
    'no-by-hand': { type: 'boolean' },
    'keep-lab': { type: 'boolean' },
    vars: { type: 'string' },
    'image-mb': { type: 'string' },
  },
});
// --repo: another checkout whose omsplay (built) and playbooks run instead (e.g. main, for a before/after figure).
const repo = resolve(opt.repo ?? join(import.meta.dirname, '..'));
const label = opt.label ?? 'upgrade-outage';
const labId = Number(opt['lab-id'] ?? process.env.LAB_ID ?? 7);
const runs = Number(opt.runs ?? 1);
const hostCount = Number(opt.hosts ?? 3);
const regionCount = Number(opt.regions ?? (hostCount > 3 ? 3 : 2));
const heartbeatRows = opt['heartbeat-rows'] === undefined ? undefined : Number(opt['heartbeat-rows']);
const metadbMb = Number(opt['metadb-mb'] ?? 0);
// --image-mb 1000: the new image about 1 GB (a layer of random bytes), as a real OMS image.
const imageMb = Number(opt['image-mb'] ?? 0);
const byHand = !opt['no-by-hand'];
// --vars '{"oms_metadb_parallel": 2}': inventory variables of the omsplay runs (recorded in the results).
const extraVars = opt.vars ? (JSON.parse(opt.vars) as Record<string, unknown>) : {};
const outDir = resolve(opt.out ?? join(repo, 'bench/results'));
const log = (s: string) => process.stderr.write(`[upgrade-outage] ${s}\n`);
const load = () => os.loadavg().map((x) => round(x, 2));

function events(stdout: string): Ev[] {
  const out: Ev[] = [];
  for (const l of stdout.split('\n')) {
    if (!l.startsWith('{')) continue;
    try {
      out.push(JSON.parse(l) as Ev);
    } catch {
      // the first line of a kept tail may be cut
    }
  }
  return out;
}

/** Every event of a run, from its journal (stdout keeps only a tail: at 30 hosts the event stream is long). */
async function journalEvents(stdout: string): Promise<Ev[]> {
  const file = events(stdout).find((e) => e.type === 'run_end')?.journal;
  if (!file) throw new Error('the run printed no run_end event');
  return events(await readFile(String(file), 'utf8'));
}

async function main(): Promise<void> {
  if (!opt['no-build']) execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  log(`lab ${labId}: the simulated OMS site, ${hostCount} hosts in ${regionCount} regions`);
  const { lab, site } = await siteOf(labId, hostCount, regionCount, heartbeatRows);
  const scratch = join(lab.dir, 'bench-upgrade');
  await mkdir(scratch, { recursive: true });
  const inv = await writeSiteInventory(lab, site, { file: join(scratch, 'inventory.yml'), vars: { oms_health_timeout: 600, ...extraVars } });
  const env = { ...process.env, OMSPLAY_HOME: join(scratch, 'omsplay-home') };
  const cli = (args: string[]) => ({ argv: [process.execPath, join(repo, 'bin/omsplay.js'), ...args], env, cwd: repo, timeoutMs: 1_800_000 });
  const upgrades: RunFigures[] = [];
  const rollbacks: RunFigures[] = [];
  const started = { date: new Date().toISOString(), load: load() };
  const reset = async () => {
    await resetSite(lab, site);
    if (metadbMb > 0) await growMetaDb(site, metadbMb);
  };
  const handUpgrades: RunFigures[] = [];
  const handRollbacks: RunFigures[] = [];
  const handSite = byHand ? await writeByHandSite(lab, site, join(scratch, 'by-hand')) : '';
  for (let i = 0; i < runs; i++) {
    if (byHand) {
      await reset();
      const dumps = join(scratch, 'by-hand', `dumps-${i}`);
      const u = await runByHand('upgrade', handSite, dumps, load());
      handUpgrades.push(u);
      log(`by hand: upgrade ${(u.wallMs / 1000).toFixed(1)} s, outage ${(u.outageMs / 1000).toFixed(1)} s`);
      const r = await runByHand('rollback', handSite, dumps, load());
      handRollbacks.push(r);
      log(`by hand: rollback ${(r.wallMs / 1000).toFixed(1)} s, outage ${(r.outageMs / 1000).toFixed(1)} s`);
    }
    await reset();
    let before = load();
    const up = await measure(cli(['run', 'upgrade.yml', '-i', inv, '--json']), scratch);
    if (up.code !== 0) throw new Error(`upgrade exited ${up.code}: ${up.stderr.slice(-2000)}`);
    const ue = await journalEvents(up.stdout);
    const rec = (name: string) => ue.find((e) => e.type === 'record' && e.name === name)?.value;
    const t1 = Date.parse(String(rec('t1')));
    const t2 = Date.parse(String(rec('t2')));
    upgrades.push({ wallMs: Math.round(up.ms), outageMs: t2 - t1, load: before, steps: stepTimes(ue, t1, t2) });
    log(`upgrade: ${(up.ms / 1000).toFixed(1)} s, outage T1..T2 ${((t2 - t1) / 1000).toFixed(1)} s (load ${before[0]})`);
    before = load();
    const rb = await measure(cli(['run', 'rollback.yml', '-i', inv, '--from-run', 'last', '--yes', '--json']), scratch);
    if (rb.code !== 0) throw new Error(`rollback exited ${rb.code}: ${rb.stderr.slice(-2000)}`);
    const re = await journalEvents(rb.stdout);
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
  const doc = { ...started, commit, vars: extraVars, imageMb, loadAtEnd: load(), cpus: os.cpus().length, hosts: site.hosts.length, regions: site.regions.length, heartbeatRows: site.seed.heartbeatRows, metadbMb, runs, upgrades, rollbacks, handUpgrades, handRollbacks };
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
    `${started.date}, commit ${commit}, ${os.cpus().length} cores, ${site.hosts.length} hosts in ${site.regions.length} regions, heartbeat tables of ${site.seed.heartbeatRows} rows, ${metadbMb > 0 ? `rm and cm grown by ${metadbMb} MB` : "the lab's own small MetaDB"}, ${imageMb > 0 ? `the new image grown by ${imageMb} MB` : "the lab's small image"}, ${runs} run(s). Load average (1 min) at the start ${started.load[0]}, at the end ${doc.loadAtEnd[0]}.`,
    '',
    ...summary(upgrades, rollbacks, handUpgrades, handRollbacks),
    ...upgrades.flatMap((r, i) => table(`Upgrade run ${i + 1}`, r)),
    ...rollbacks.flatMap((r, i) => table(`Rollback run ${i + 1}`, r)),
    ...handUpgrades.flatMap((r, i) => table(`The vendor's order by hand, upgrade run ${i + 1}`, r)),
    ...handRollbacks.flatMap((r, i) => table(`The vendor's order by hand, rollback run ${i + 1}`, r)),
  ].join('\n');
  await writeFile(join(outDir, `${label}.md`), md);
  const pick = (rs: RunFigures[]) => [...rs].sort((a, b) => a.outageMs - b.outageMs)[Math.floor((rs.length - 1) / 2)];
  const rows = [
    { label: 'upgrade, omsplay', run: pick(upgrades) },
    { label: "upgrade, the vendor's order by hand", run: pick(handUpgrades) },
    { label: 'rollback, omsplay', run: pick(rollbacks) },
    { label: "rollback, the vendor's order by hand", run: pick(handRollbacks) },
  ].filter((r): r is { label: string; run: RunFigures } => r.run !== undefined);
  await writeFile(join(outDir, `${label}.svg`), outageChart(`OMS outage, ${site.hosts.length} hosts in ${site.regions.length} regions (median run)`, rows));
  log(`results in ${outDir}`);
}

/** The lab this process started: stopped at the end whatever happened (unless --keep-lab). */
let startedLab: Lab | undefined;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const secs = (ms: number) => (Number.isNaN(ms) ? '–' : `${(ms / 1000).toFixed(1)} s`);

/** The outage table: omsplay against the vendor's order by hand, medians of the runs. */
function summary(up: RunFigures[], rb: RunFigures[], hu: RunFigures[], hr: RunFigures[]): string[] {
  const row = (name: string, o: RunFigures[], h: RunFigures[], target: number) => {
    const a = median(o.map((r) => r.outageMs));
    const b = median(h.map((r) => r.outageMs));
    const ratio = a / b;
    return `| ${name} | ${secs(a)} | ${secs(b)} | ${Number.isNaN(ratio) ? '–' : `${ratio.toFixed(2)}×`} | ≤ ${target}× ${Number.isNaN(ratio) ? '' : ratio <= target ? 'met' : 'missed'} | ${secs(median(o.map((r) => r.wallMs)))} | ${secs(median(h.map((r) => r.wallMs)))} |`;
  };
  return [
    '| outage (median) | omsplay | vendor order by hand | ratio | target | whole run, omsplay | whole run, by hand |',
    '|---|---:|---:|---:|---|---:|---:|',
    row('upgrade (T1 → T2)', up, hu, hostCount >= 30 ? 0.3 : 0.5),
    row('rollback (new stopped → old healthy)', rb, hr, 0.5),
    '',
  ];
}

/** The default lab and site at 3 hosts; at more, a lab of docker hosts h1..hN split evenly into regions r1..rK. */
async function siteOf(id: number, hosts: number, regions: number, rows: number | undefined): Promise<{ lab: Lab; site: Site }> {
  const extra: SiteOptions = { ...(rows === undefined ? {} : { heartbeatRows: rows }), ...(imageMb > 0 ? { imagePadMb: imageMb } : {}), ...(hosts > 3 && imageMb > 0 ? { stageImageOnHosts: 'link' as const } : {}) };
  if (hosts === 3) {
    const lab = await startLab({ ...defaultLabOptions(id) });
    startedLab = lab;
    return { lab, site: await deploySite(lab, extra) };
  }
  const specs: HostSpec[] = Array.from({ length: hosts }, (_, i) => ({ name: `h${i + 1}`, region: `r${(i % regions) + 1}`, docker: true }));
  const lab = await startLab({ id, hosts: specs, mariadb: true });
  startedLab = lab;
  const regionSpecs = Array.from({ length: regions }, (_, r) => ({
    name: `r${r + 1}`,
    location: r + 1,
    hosts: specs.filter((s) => s.region === `r${r + 1}`).map((s) => s.name),
  }));
  return { lab, site: await deploySite(lab, { ...extra, regions: regionSpecs }) };
}

/** Grows rm and cm by about `mb` MB together: a filler table of ~1 KB rows in each, written from a sequence in chunks
 *  (no INSERT ... SELECT from the table itself: that goes through a temporary table). */
async function growMetaDb(site: Site, mb: number): Promise<void> {
  const conn = await rootConnection(site);
  const rows = Math.ceil((mb / 2) * 1024);
  const chunk = 65536;
  try {
    for (const db of [site.databases.rm, site.databases.cm]) {
      await conn.query(`CREATE TABLE \`${db}\`.bench_filler (id BIGINT AUTO_INCREMENT PRIMARY KEY, pad VARCHAR(1000)) ENGINE=InnoDB`);
      for (let done = 0; done < rows; done += chunk) {
        const n = Math.min(chunk, rows - done);
        await conn.query(`INSERT INTO \`${db}\`.bench_filler (pad) SELECT REPEAT(MD5(seq + ${done}), 31) FROM mysql.seq_1_to_${n}`);
      }
    }
  } finally {
    await conn.end();
  }
}

// Interrupted (Ctrl-C, a timeout): the lab's hosts, dockerds and MariaDB go with it.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    log(`${sig}: stopping the lab`);
    void (startedLab && !opt['keep-lab'] ? startedLab.stop() : Promise.resolve()).finally(() => process.exit(130));
  });
}

main()
  .then(
    () => 0,
    (e) => {
      log(`failed: ${(e as Error).stack ?? e}`);
      return 1;
    },
  )
  .then(async (code) => {
    if (startedLab && !opt['keep-lab']) await startedLab.stop();
    process.exit(code);
  });
