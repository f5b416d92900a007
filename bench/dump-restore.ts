/**
 * mysql.dump and mysql.restore through omsplay against mysqldump and mysql run by hand over ssh on the same lab host,
 * on MetaDBs of several sizes (constant memory on the control node is read from omsplay's peak RSS at each size).
 *
 *   npx tsx bench/dump-restore.ts --lab-id 18 --mb 50,200 --runs 3 --out bench/results
 *
 * Writes dump-restore.json and dump-restore.md (with the machine's load average before and after each figure).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { startLab } from '../test/lab/lab.js';
import type { Lab } from '../test/lab/lab.js';
import { round, seedMetadb } from './extras.js';
import { measure } from './measure.js';

const { values: opt } = parseArgs({
  options: { 'lab-id': { type: 'string' }, mb: { type: 'string' }, runs: { type: 'string' }, out: { type: 'string' }, 'no-build': { type: 'boolean' } },
});
const repo = resolve(import.meta.dirname, '..');
const labId = Number(opt['lab-id'] ?? process.env.LAB_ID ?? 7);
const sizes = (opt.mb ?? '50,200').split(',').map(Number);
const runs = Number(opt.runs ?? 3);
const outDir = resolve(opt.out ?? join(repo, 'bench/results'));
const scratch = join(os.tmpdir(), `omsplay-bench-dr-${labId}`);
const DB = 'benchmeta';
const TO = 'benchmeta_restored';
const DIR = '/tmp/omsplay-bench-dr';
const log = (s: string) => process.stderr.write(`[dump-restore] ${s}\n`);
const load = () => os.loadavg().map((x) => round(x, 2));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Side {
  ms: number;
  rssMb: number;
  load: number[];
}
interface SizeResult {
  dbMb: number;
  dumpMb: number;
  dump: { omsplay: Side[]; hand: Side[] };
  restore: { omsplay: Side[]; hand: Side[] };
}

async function playbook(lab: Lab, file: string, host: string, task: Record<string, unknown>): Promise<void> {
  const m = lab.mariadb!;
  const login = { login_host: m.host, login_port: m.port, login_user: m.user, login_password: '{{ metadb_password }}' };
  const name = Object.keys(task)[0]!;
  await writeFile(file, stringify([{ name, hosts: host, vars: { metadb_password: m.password }, tasks: [{ name, [name]: { ...login, ...(task[name] as object) } }] }]));
}

async function main(): Promise<void> {
  if (!opt['no-build']) execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  log(`starting lab ${labId} (1 host, MariaDB)`);
  const lab = await startLab({ id: labId, hosts: 1, mariadb: true });
  const started = { date: new Date().toISOString(), load: load() };
  const results: SizeResult[] = [];
  try {
    const m = lab.mariadb!;
    const host = lab.hosts[0]!;
    const inventory = await lab.inventory({ file: join(scratch, 'inventory.yml'), hosts: [host.name] });
    await lab.sh(host.name, `mkdir -p ${DIR} && umask 077 && printf '[client]\\npassword=%s\\n' '${m.password}' > /root/.bench-my.cnf`, { check: true });
    const [sshCmd, ...sshArgs] = lab.sshArgs(host.name);
    const conn = `--defaults-extra-file=/root/.bench-my.cnf --host=${m.host} --port=${m.port} --user=${m.user}`;
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, OMSPLAY_HOME: join(scratch, 'omsplay-home') };
    const dumpPb = join(scratch, 'dump.yml');
    const restorePb = join(scratch, 'restore.yml');
    await playbook(lab, dumpPb, host.name, { 'mysql.dump': { databases: DB, dest: `${DIR}/omsplay.sql`, triggers: false } });
    const side = async (what: string, argv: string[]): Promise<Side> => {
      const before = load();
      const r = await measure({ argv, env, cwd: repo, timeoutMs: 1_800_000 }, scratch);
      if (r.code !== 0) throw new Error(`${what} exited ${r.code}: ${(r.stderr || r.stdout).slice(-2000)}`);
      return { ms: Math.round(r.ms), rssMb: round(r.rssMb), load: before };
    };
    const omsplay = (pb: string) => [process.execPath, join(repo, 'bin/omsplay.js'), 'run', pb, '-i', inventory, '--plain'];
    const hand = (cmd: string) => [sshCmd!, ...sshArgs, cmd];
    for (const mb of sizes) {
      const dbMb = await seedMetadb(lab, mb, log);
      const r: SizeResult = { dbMb: round(dbMb), dumpMb: 0, dump: { omsplay: [], hand: [] }, restore: { omsplay: [], hand: [] } };
      const handDump = () => side('mysqldump by hand', hand(`mysqldump ${conn} --triggers=false --result-file=${DIR}/hand.sql ${DB}`));
      await handDump(); // warms the buffer pool and page cache for both sides
      for (let i = 0; i < runs; i++) {
        await lab.exec(host.name, ['rm', '-f', `${DIR}/omsplay.sql`, `${DIR}/hand.sql`], { check: true });
        const o = () => side('omsplay mysql.dump', omsplay(dumpPb));
        if (i % 2 === 0) {
          r.dump.hand.push(await handDump());
          r.dump.omsplay.push(await o());
        } else {
          r.dump.omsplay.push(await o());
          r.dump.hand.push(await handDump());
        }
      }
      const sha = (await lab.exec(host.name, ['sha256sum', `${DIR}/omsplay.sql`], { check: true })).stdout.split(' ')[0]!;
      r.dumpMb = round(Number((await lab.exec(host.name, ['stat', '-c', '%s', `${DIR}/omsplay.sql`], { check: true })).stdout) / 1048576);
      await playbook(lab, restorePb, host.name, { 'mysql.restore': { database: TO, src: `${DIR}/omsplay.sql`, sha256: sha } });
      // By hand, as the vendor's guide has it: drop and create, then load the file.
      const handRestore = () =>
        side('mysql by hand', hand(`mysql ${conn} -e 'DROP DATABASE IF EXISTS ${TO}; CREATE DATABASE ${TO}' && mysql ${conn} ${TO} < ${DIR}/omsplay.sql`));
      for (let i = 0; i < runs; i++) {
        const o = () => side('omsplay mysql.restore', omsplay(restorePb));
        if (i % 2 === 0) {
          r.restore.hand.push(await handRestore());
          r.restore.omsplay.push(await o());
        } else {
          r.restore.omsplay.push(await o());
          r.restore.hand.push(await handRestore());
        }
      }
      results.push(r);
      const med = (s: Side[]) => median(s.map((x) => x.ms));
      log(
        `${r.dbMb} MB: dump omsplay ${med(r.dump.omsplay)} ms / hand ${med(r.dump.hand)} ms; restore omsplay ${med(r.restore.omsplay)} ms / hand ${med(r.restore.hand)} ms`,
      );
      await save(started, results);
    }
    await lab.exec(host.name, ['rm', '-rf', DIR]);
  } finally {
    await lab.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

async function save(started: { date: string; load: number[] }, results: SizeResult[]): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
  const doc = { ...started, commit, loadAtEnd: load(), cpus: os.cpus().length, runs, results };
  await writeFile(join(outDir, 'dump-restore.json'), `${JSON.stringify(doc, null, 2)}\n`);
  const med = (s: Side[], k: 'ms' | 'rssMb') => median(s.map((x) => x[k]));
  const row = (r: SizeResult, what: 'dump' | 'restore') => {
    const o = med(r[what].omsplay, 'ms');
    const h = med(r[what].hand, 'ms');
    const loads = [...r[what].omsplay, ...r[what].hand].map((x) => x.load[0]!);
    return `| ${what} | ${r.dbMb} MB (dump ${r.dumpMb} MB) | ${(o / 1000).toFixed(2)} s | ${(h / 1000).toFixed(2)} s | ${(o / h).toFixed(2)}× | ${med(r[what].omsplay, 'rssMb')} MB | ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} |`;
  };
  const md = [
    '# mysql.dump and mysql.restore against the same commands by hand',
    '',
    `${started.date}, commit ${commit}, ${os.cpus().length} cores, median of ${runs} runs each, order alternating. Load average (1 min) at the start ${started.load[0]}, at the end ${doc.loadAtEnd[0]}.`,
    'omsplay: a cold `omsplay run` of one task (start, connection, option file, dump with sha256 while it streams, rename; restore: sha256/trailer verification of the file, drop, create, load, counts).',
    'By hand: `mysqldump --result-file` / `mysql -e "DROP…; CREATE…" && mysql db < file` over ssh on the same lab host, with an option file.',
    '',
    '| step | MetaDB | omsplay | by hand | ratio | omsplay peak RSS (control node) | load avg during |',
    '|---|---|---|---|---|---|---|',
    ...results.flatMap((r) => [row(r, 'dump'), row(r, 'restore')]),
    '',
  ].join('\n');
  await writeFile(join(outDir, 'dump-restore.md'), md);
}

main().catch((e) => {
  log(`failed: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
