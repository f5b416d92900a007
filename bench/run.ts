/**
 * `npm run bench`: omsplay against tuned Ansible, Ansible + Mitogen and the raw ssh2 limit on the same lab hosts,
 * plus omsplay's cold start and mysql.dump against a hand-run mysqldump. See bench/README.md.
 *
 *   npm run bench                                   # the full run (~25 min), results to bench/results/
 *   npm run bench -- --smoke                        # 2 hosts, 3 tasks, every runner, 1 run (~30 s)
 *   npm run bench -- --runners omsplay,raw --hosts 10,200 --workloads a --runs 5
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Lab, startLab } from '../test/lab/lab.js';
import { dumpBench, round, startup } from './extras.js';
import { reportBench, reportBenchMarkdown } from './report-render.js';
import { measure } from './measure.js';
import { ensurePackages, versions } from './packages.js';
import { type ConfigWorkload, median, medians, type Results, type RunRecord, targets, writeResults } from './report.js';
import { ALL_RUNNERS, type BenchHost, checkOutput, prepare, RUNNER_LABELS, type RunnerId, type Target } from './runners.js';
import { COPY_DEST, commandsWorkload, mixedWorkload, type Workload } from './workloads.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const USAGE = `npm run bench -- [options]
  --smoke                 2 hosts, 3 tasks (a loop of 3 in (b)), every runner, 1 run, no dump (what npm test runs)
  --runners LIST          omsplay,ansible,mitogen,raw,raw-argv (default all; raw-argv = the raw runner sending
                          omsplay's command lines, workload (a) only)
  --workloads LIST        a,b,report,upgrade (default all; a runs at every --hosts count, b at --ref-hosts; report:
                          the run report of 200 hosts × 30 tasks opened in headless Chromium, no lab needed;
                          upgrade: the shipped upgrade and rollback on the simulated OMS site beside the vendor's
                          order by hand, at 3 hosts in 2 regions and 30 hosts in 3 regions, on lab --lab-id + 1)
  --upgrade-hosts LIST    host counts of the upgrade workload (default 3,30; --smoke 3)
  --hosts LIST            host counts for workload (a) (default 1,10,20,50,100,200)
  --ansible-max-hosts N   largest count Ansible and Mitogen run (default 50)
  --ref-hosts N           H: hosts of workload (b) and of the "at 20 hosts" targets (default 20)
  --tasks N               command tasks in workload (a) (default 30)
  --runs N                runs per configuration (default 3)
  --startup-runs N        runs of --version / validate (default 10; 0 skips)
  --no-dump               skip the mysql.dump comparison
  --dump-runs N           runs of the dump comparison (default 3)
  --lab-id N              lab to start (default 7)
  --keep-lab              leave the lab running at the end
  --no-build              use the existing dist/ (default: npm run build first)
  --out DIR               results directory (default bench/results; with --smoke a temp dir)
  --render DIR            only rewrite DIR/results.md and DIR/chart.svg from DIR/results.json`;

const { values: opt } = parseArgs({
  options: {
    smoke: { type: 'boolean' },
    runners: { type: 'string' },
    workloads: { type: 'string' },
    'upgrade-hosts': { type: 'string' },
    hosts: { type: 'string' },
    'ansible-max-hosts': { type: 'string' },
    'ref-hosts': { type: 'string' },
    tasks: { type: 'string' },
    runs: { type: 'string' },
    'startup-runs': { type: 'string' },
    'no-dump': { type: 'boolean' },
    'dump-runs': { type: 'string' },
    'lab-id': { type: 'string' },
    'keep-lab': { type: 'boolean' },
    'no-build': { type: 'boolean' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
    render: { type: 'string' },
  },
});
if (opt.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const smoke = !!opt.smoke;
const list = (s: string | undefined, dflt: string) => (s ?? dflt).split(',').map((x) => x.trim()).filter(Boolean);
const int = (s: string | undefined, dflt: number) => {
  const n = s === undefined ? dflt : Number(s);
  if (!Number.isInteger(n) || n < 0) throw new Error(`not a count: ${s}\n${USAGE}`);
  return n;
};
const runners = list(opt.runners, ALL_RUNNERS.join(',')) as RunnerId[];
for (const r of runners) if (!ALL_RUNNERS.includes(r)) throw new Error(`unknown runner ${r}\n${USAGE}`);
const workloads = list(opt.workloads, 'a,b,report,upgrade');
const upgradeHosts = list(opt['upgrade-hosts'], smoke ? '3' : '3,30').map((s) => int(s, 3));
const refHosts = int(opt['ref-hosts'], smoke ? 2 : 20);
const hostCounts = list(opt.hosts, smoke ? '2' : '1,10,20,50,100,200').map((s) => int(s, 0));
const ansibleMax = int(opt['ansible-max-hosts'], 50);
const tasks = int(opt.tasks, smoke ? 3 : 30);
const runs = int(opt.runs, smoke ? 1 : 3);
const startupRuns = int(opt['startup-runs'], smoke ? 2 : 10);
const dumpRuns = smoke || opt['no-dump'] ? 0 : int(opt['dump-runs'], 3);
const labId = int(opt['lab-id'], 7);
const outDir = resolve(opt.out ?? (smoke ? join(os.tmpdir(), `omsplay-bench-smoke-${labId}`) : join(repo, 'bench/results')));
const scratch = join(os.tmpdir(), `omsplay-bench-${labId}`);

const t0 = performance.now();
const log = (s: string) => process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${s}\n`);

interface Config {
  workload: ConfigWorkload;
  hosts: number;
  runners: RunnerId[];
}

function plan(): Config[] {
  const configs: Config[] = [];
  const peers = (n: number) => runners.filter((r) => (r === 'ansible' || r === 'mitogen' ? n <= ansibleMax : true));
  if (workloads.includes('a')) for (const n of hostCounts) configs.push({ workload: 'a', hosts: n, runners: peers(n) });
  if (workloads.includes('b')) {
    const b = peers(refHosts).filter((r) => r !== 'raw-argv');
    configs.push({ workload: 'b-changed', hosts: refHosts, runners: b });
    configs.push({ workload: 'b-unchanged', hosts: refHosts, runners: b });
  }
  return configs;
}

function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'lib', 'bin', 'bench'], { cwd: repo, encoding: 'utf8' }).trim();
    return dirty ? `${sha}+local-changes` : sha;
  } catch {
    return 'unknown';
  }
}

function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    hostname: os.hostname(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim(),
    memGb: round(os.totalmem() / 1024 ** 3),
    kernel: os.release(),
    platform: `${os.type()} ${os.arch()}`,
    loadavgAtStart: os.loadavg().map((x) => round(x, 2)),
  };
}

async function removeCopyDest(lab: Lab, hosts: BenchHost[]): Promise<void> {
  await Promise.all(hosts.map((h) => lab.exec(h.name, ['rm', '-f', COPY_DEST], { check: true })));
}

/**
 * The upgrade workload runs in its own process (bench/upgrade-outage.ts) on its own lab (the simulated OMS site needs
 * docker hosts and MariaDB, the other workloads sshd-only hosts). At full size: heartbeat tables of a million rows and
 * rm + cm grown by 1 GB, as the issue asks; --smoke: the lab's small site, one run.
 */
async function upgradeWorkload(hosts: number): Promise<void> {
  log(`workload upgrade: ${hosts} hosts, omsplay beside the vendor's order by hand`);
  const args = ['--import', 'tsx', join(repo, 'bench/upgrade-outage.ts'), '--no-build', '--lab-id', String(labId + 1), '--out', outDir];
  args.push('--hosts', String(hosts), '--runs', String(smoke ? 1 : runs), '--label', `upgrade-outage-${hosts}`);
  if (!smoke) args.push('--heartbeat-rows', '1000000', '--metadb-mb', '1000', '--image-mb', '1000');
  const r = spawnSync(process.execPath, args, { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`the upgrade workload at ${hosts} hosts failed (exit ${r.status})`);
}

async function main(): Promise<void> {
  const needsPeers = runners.some((r) => r === 'ansible' || r === 'mitogen');
  await ensurePackages(log);
  if (!needsPeers) log('Ansible and Mitogen not selected');
  if (!opt['no-build']) {
    log('npm run build');
    const b = spawnSync('npm', ['run', 'build'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
    if (b.status !== 0) throw new Error('npm run build failed');
  }
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  await mkdir(outDir, { recursive: true });

  if (workloads.includes('report')) {
    log('workload report: the run report of 200 hosts × 30 tasks in headless Chromium');
    const r = await reportBench(repo, { hosts: smoke ? 10 : 200, tasks: smoke ? 3 : 30, runs, log });
    const date = new Date().toISOString();
    await writeFile(join(outDir, 'report-render.json'), `${JSON.stringify({ date, commit: gitCommit(), ...r }, null, 2)}\n`);
    await writeFile(join(outDir, 'report-render.md'), reportBenchMarkdown(r, date, gitCommit()));
    if (workloads.every((w) => w === 'report')) return;
  }
  if (workloads.includes('upgrade')) {
    for (const n of upgradeHosts) await upgradeWorkload(n);
    if (workloads.every((w) => w === 'report' || w === 'upgrade')) return;
  }
  const configs = plan();
  const maxHosts = Math.max(1, ...configs.map((c) => c.hosts));
  log(`starting lab ${labId} with ${maxHosts} hosts${dumpRuns ? ' and MariaDB' : ''}`);
  const lab = await startLab({ id: labId, hosts: maxHosts, mariadb: dumpRuns > 0 });
  log(`lab up in ${(lab.descriptor.startupMs / 1000).toFixed(1)} s`);

  const res: Omit<Results, 'targets'> & { targets: Results['targets'] } = {
    date: new Date().toISOString(),
    commit: gitCommit(),
    machine: machine(),
    versions: await versions(),
    options: { smoke, runners, workloads, hostCounts, ansibleMaxHosts: ansibleMax, refHosts, tasks, runs, startupRuns, dumpRuns, labId },
    runs: [],
    medians: [],
    targets: [],
  };
  const save = async () => {
    res.medians = medians(res.runs);
    res.durationS = Math.round((performance.now() - t0) / 1000);
    res.machine.loadavgAtEnd = os.loadavg().map((x) => round(x, 2));
    res.targets = targets(res, refHosts);
    await writeResults(outDir, res as Results, refHosts);
  };

  try {
    if (startupRuns > 0) {
      log(`cold start: --version and validate, ${startupRuns} runs each`);
      const s = await startup(repo, join(scratch, 'startup'), lab.keys.root, startupRuns);
      res.startup = { ...s, versionMs: median(s.version.map((x) => x.ms)), validateMs: median(s.validate.map((x) => x.ms)) };
      log(`--version ${res.startup.versionMs.toFixed(0)} ms, validate ${res.startup.validateMs.toFixed(0)} ms`);
    }

    const inventories = new Map<number, string>();
    const targetFor = async (n: number): Promise<Target> => {
      const hosts = lab.hosts.slice(0, n).map((h) => ({ name: h.name, address: h.address, port: h.port }));
      if (!inventories.has(n)) inventories.set(n, await lab.inventory({ file: join(scratch, `inventory-${n}.yml`), hosts: hosts.map((h) => h.name) }));
      return { hosts, user: 'root', keyFile: lab.keys.root, knownHostsFile: lab.knownHostsFile, omsplayInventory: inventories.get(n)! };
    };
    const workloadFor = (w: ConfigWorkload): Workload => (w === 'a' ? commandsWorkload(tasks) : mixedWorkload(smoke ? 3 : 10));

    let seq = 0;
    for (let rep = 1; rep <= runs; rep++) {
      for (const c of configs) {
        // b-unchanged follows b-changed runner by runner (the file the changed run wrote is still there).
        if (c.workload === 'b-unchanged') continue;
        const target = await targetFor(c.hosts);
        for (const runner of c.runners) {
          const steps: ConfigWorkload[] = c.workload === 'a' ? ['a'] : ['b-changed', 'b-unchanged'];
          // A failed run (kept in the JSON, left out of the medians) is tried once more, so each cell keeps its runs.
          for (let attempt = 1; attempt <= 2; attempt++) {
            let failed = false;
            for (const w of steps) {
              if (w === 'b-changed') await removeCopyDest(lab, target.hosts);
              const dir = join(scratch, `${runner}-${w}-${c.hosts}-${rep}-${++seq}`);
              const p = prepare(runner, { repo, dir, target, workload: workloadFor(w), forks: c.hosts, timeoutMs: 20 * 60_000 });
              const cmd = await p.command();
              const m = await measure(cmd, scratch);
              await p.after?.();
              const error = checkOutput(runner, m.code, m.stdout, m.stderr, c.hosts);
              const rec: RunRecord = { runner, workload: w, hosts: c.hosts, rep, ms: Math.round(m.ms), rssMb: round(m.rssMb), ok: !error };
              if (error) rec.error = error;
              if ((runner === 'raw' || runner === 'raw-argv') && !error) rec.detail = JSON.parse(m.stdout.trim().split('\n').pop()!);
              res.runs.push(rec);
              log(`${RUNNER_LABELS[runner].padEnd(18)} (${w}) ${String(c.hosts).padStart(3)} hosts run ${rep}: ${error ? `FAILED ${error.split('\n').slice(-3).join(' / ')}` : `${(m.ms / 1000).toFixed(2)} s, ${m.rssMb.toFixed(0)} MB`}`);
              await rm(dir, { recursive: true, force: true });
              if (error) {
                failed = true;
                break;
              }
            }
            if (!failed) break;
          }
        }
        await save();
      }
    }

    if (dumpRuns > 0) {
      log(`mysql.dump vs hand-run mysqldump, ${dumpRuns} runs`);
      const d = await dumpBench(lab, repo, join(scratch, 'dump'), dumpRuns, log);
      const omsplayMs = median(d.omsplay.map((x) => x.ms));
      const handMs = median(d.hand.map((x) => x.ms));
      res.dump = { ...d, omsplayMs, handMs, ratio: round(omsplayMs / handMs, 3) };
      log(`dump: omsplay ${(omsplayMs / 1000).toFixed(2)} s, by hand ${(handMs / 1000).toFixed(2)} s`);
    }
    await save();
    log(`results in ${outDir}`);
    process.stdout.write(await readFile(join(outDir, 'results.md'), 'utf8'));
  } finally {
    if (!opt['keep-lab']) await lab.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

async function render(dir: string): Promise<void> {
  const res = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as Results;
  res.targets = targets(res, Number(res.options.refHosts));
  await writeResults(dir, res, Number(res.options.refHosts));
}

(opt.render ? render(resolve(opt.render)) : main()).catch((e) => {
  log(`failed: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
