/**
 * The figures beside the runner comparison: omsplay's cold start (`--version`, `validate` of the shipped upgrade
 * playbook) and `mysql.dump` of a >= 200 MB MetaDB through omsplay versus mysqldump run by hand on the same host.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import type { Lab } from '../test/lab/lab.js';
import { measure, type Measured } from './measure.js';

const run = promisify(execFile);

export interface Sample {
  ms: number;
  rssMb: number;
}

const sample = (m: Measured): Sample => ({ ms: round(m.ms), rssMb: round(m.rssMb) });
export const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

function mustSucceed(what: string, m: Measured): void {
  if (m.code !== 0) throw new Error(`${what} exited ${m.code}: ${(m.stderr || m.stdout).trim().slice(-2000)}`);
}

/** An inventory the upgrade playbook validates against (group `oms` over two regions, its settings set). */
export async function validateInventory(dir: string, keyFile: string): Promise<string> {
  const file = join(dir, 'validate-inventory.yml');
  const doc = {
    vars: {
      oms_old_container: 'oms-old',
      oms_new_container: 'oms-new',
      oms_target_version: '4.0.0-CE',
      oms_image_tar: '/data/oms/oms-4.0.0-ce.tar.gz',
      oms_backup_dir: '/var/backups/oms',
    },
    connection: { user: 'root', key_file: keyFile },
    regions: {
      hangzhou: { hosts: { 'oms-hz-1': { address: '10.0.0.11' }, 'oms-hz-2': { address: '10.0.0.12' } } },
      shanghai: { hosts: { 'oms-sh-1': { address: '10.0.1.11' } } },
    },
    groups: { oms: { hosts: ['oms-hz-1', 'oms-hz-2', 'oms-sh-1'] } },
  };
  await mkdir(dir, { recursive: true });
  await writeFile(file, stringify(doc));
  return file;
}

export async function startup(repo: string, scratch: string, keyFile: string, reps: number): Promise<{ version: Sample[]; validate: Sample[] }> {
  const bin = join(repo, 'bin/omsplay.js');
  const inv = await validateInventory(scratch, keyFile);
  const version: Sample[] = [];
  const validate: Sample[] = [];
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, OMSPLAY_HOME: join(scratch, 'omsplay-home') };
  for (let i = 0; i < reps; i++) {
    const v = await measure({ argv: [process.execPath, bin, '--version'], env, cwd: repo }, scratch);
    mustSucceed('omsplay --version', v);
    version.push(sample(v));
    const va = await measure({ argv: [process.execPath, bin, 'validate', join(repo, 'playbooks/upgrade.yml'), '-i', inv], env, cwd: repo }, scratch);
    mustSucceed('omsplay validate', va);
    validate.push(sample(va));
  }
  return { version, validate };
}

// ---- mysql.dump ----

const DUMP_DB = 'benchmeta';
const DUMP_DIR = '/tmp/omsplay-bench-dump';

async function sql(lab: Lab, statement: string, db?: string): Promise<string> {
  const m = lab.mariadb!;
  const args = [`--socket=${m.socket}`, '-uroot', '--batch', '--skip-column-names', '-e', statement];
  if (db) args.push(db);
  const { stdout } = await run('mariadb', args, { env: { ...process.env, MYSQL_PWD: m.rootPassword }, maxBuffer: 16 << 20 });
  return stdout.trim();
}

/** A database of at least `mb` MB of row data (InnoDB), grown by INSERT ... SELECT doubling. Returns its size in MB. */
export async function seedMetadb(lab: Lab, mb: number, log: (s: string) => void): Promise<number> {
  const size = async () =>
    Number(await sql(lab, `SELECT COALESCE(SUM(data_length), 0) FROM information_schema.tables WHERE table_schema = '${DUMP_DB}'`)) / 1048576;
  await sql(lab, `CREATE DATABASE IF NOT EXISTS ${DUMP_DB}`);
  await sql(
    lab,
    'CREATE TABLE IF NOT EXISTS heartbeat_log (id BIGINT AUTO_INCREMENT PRIMARY KEY, task_id INT NOT NULL, host VARCHAR(64), payload TEXT, gmt_modified DATETIME) ENGINE=InnoDB',
    DUMP_DB,
  );
  if (Number(await sql(lab, 'SELECT COUNT(*) FROM heartbeat_log', DUMP_DB)) === 0) {
    await sql(lab, "INSERT INTO heartbeat_log (task_id, host, payload, gmt_modified) VALUES (1, 'oms-hz-1', REPEAT(MD5(RAND()), 25), NOW())", DUMP_DB);
  }
  const started = performance.now();
  let mbNow = await size();
  // data_length lags behind (statistics); count rows too: ~900 bytes a row.
  while (mbNow < mb) {
    const rows = Number(await sql(lab, 'SELECT COUNT(*) FROM heartbeat_log', DUMP_DB));
    if ((rows * 900) / 1048576 >= mb) {
      await sql(lab, 'ANALYZE TABLE heartbeat_log', DUMP_DB);
      mbNow = await size();
      if (mbNow >= mb) break;
    }
    await sql(
      lab,
      'INSERT INTO heartbeat_log (task_id, host, payload, gmt_modified) SELECT task_id + 1, CONCAT(\'oms-\', id % 97), REPEAT(MD5(RAND()), 25), NOW() FROM heartbeat_log',
      DUMP_DB,
    );
    mbNow = await size();
  }
  log(`MetaDB ${DUMP_DB}: ${mbNow.toFixed(0)} MB (seeded in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return mbNow;
}

export interface DumpResult {
  dbMb: number;
  dumpMb: number;
  omsplay: Sample[];
  hand: Sample[];
}

export async function dumpBench(lab: Lab, repo: string, scratch: string, reps: number, log: (s: string) => void): Promise<DumpResult> {
  const m = lab.mariadb!;
  const host = lab.hosts[0]!;
  const dbMb = await seedMetadb(lab, 200, log);
  await mkdir(scratch, { recursive: true });
  // The hand-run side uses an option file for the password too, as an operator (and omsplay) would.
  await lab.sh(host.name, `mkdir -p ${DUMP_DIR} && umask 077 && printf '[client]\\npassword=%s\\n' '${m.password}' > /root/.bench-my.cnf`, { check: true });
  const inventory = await lab.inventory({ file: join(scratch, 'dump-inventory.yml'), hosts: [host.name] });
  const playbook = join(scratch, 'dump.yml');
  await writeFile(
    playbook,
    stringify([
      {
        name: 'dump the MetaDB',
        hosts: host.name,
        vars: { metadb_password: m.password },
        tasks: [
          {
            name: 'mysql.dump',
            'mysql.dump': {
              login_host: m.host,
              login_port: m.port,
              login_user: m.user,
              login_password: '{{ metadb_password }}',
              databases: DUMP_DB,
              dest: `${DUMP_DIR}/omsplay.sql`,
              triggers: false,
            },
          },
        ],
      },
    ]),
  );
  const handCommand = `mysqldump --defaults-extra-file=/root/.bench-my.cnf --host=${m.host} --port=${m.port} --user=${m.user} --triggers=false --result-file=${DUMP_DIR}/hand.sql ${DUMP_DB}`;
  const [sshCmd, ...sshArgs] = lab.sshArgs(host.name);
  const omsplay: Sample[] = [];
  const hand: Sample[] = [];
  let dumpMb = 0;
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, OMSPLAY_HOME: join(scratch, 'omsplay-home') };
  const runHand = async () => {
    const h = await measure({ argv: [sshCmd!, ...sshArgs, handCommand], timeoutMs: 600_000 }, scratch);
    mustSucceed('hand-run mysqldump', h);
    return sample(h);
  };
  const runOmsplay = async () => {
    const o = await measure({ argv: [process.execPath, join(repo, 'bin/omsplay.js'), 'run', playbook, '-i', inventory, '--plain'], env, cwd: repo, timeoutMs: 600_000 }, scratch);
    mustSucceed('omsplay mysql.dump', o);
    return sample(o);
  };
  // One untimed dump first: both sides then read from a warm buffer pool and page cache.
  await runHand();
  for (let i = 0; i < reps; i++) {
    await lab.exec(host.name, ['rm', '-f', `${DUMP_DIR}/omsplay.sql`, `${DUMP_DIR}/hand.sql`], { check: true });
    // Alternate which side goes first.
    if (i % 2 === 0) {
      hand.push(await runHand());
      omsplay.push(await runOmsplay());
    } else {
      omsplay.push(await runOmsplay());
      hand.push(await runHand());
    }
    const sizes = await lab.exec(host.name, ['stat', '-c', '%s', `${DUMP_DIR}/omsplay.sql`, `${DUMP_DIR}/hand.sql`], { check: true });
    dumpMb = Number(sizes.stdout.trim().split('\n')[0]) / 1048576;
  }
  await lab.exec(host.name, ['rm', '-rf', DUMP_DIR]);
  return { dbMb: round(dbMb), dumpMb: round(dumpMb), omsplay, hand };
}
