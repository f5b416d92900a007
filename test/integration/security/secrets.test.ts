/**
 * Secrets end to end (issue 7, "Security"): a MetaDB password full of shell and SQL metacharacters and a
 * newline, and a sudo password with the same characters but the newline, work through `omsplay run` on a lab
 * host (sudo through user admin; SQL from the control node and through an SSH tunnel; oms.param; a dump and a
 * restore on the host), and canary tokens inside them never appear in stdout, stderr, `--json` output, the
 * journal, error messages (failures that print the passwords on stderr), or the process list of the target
 * and of the control node, polled the whole time the runs last.
 *
 * The simulated OMS's config.yaml renders the password as a YAML single-quoted scalar, where a newline folds
 * into a space, and the simulated OMS reads only the first line: a site cannot be deployed with it. The MetaDB
 * path is therefore exercised with a MetaDB user of its own having that password.
 */
import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLab } from '../../lab/context.js';
import { type CliResult, omsplay } from '../../support/omsplay.js';
import { ProcessWatch, filesUnder, leaks } from './helpers.js';

const lab = getLab();
const H = 'h1';
const metadb = (() => {
  if (!lab.mariadb) throw new Error('the lab runs without MariaDB: these tests need it');
  return lab.mariadb;
})();
const DIR = join(import.meta.dirname, 'playbooks');

// Canary tokens: one per line of the MetaDB password, one in the sudo password. Any leak of any form of a
// password (whole, one line of it, JSON-escaped, shell-quoted) carries at least one of them.
const META_PW = `KNRYtop7 '"$HOME;|&\\ \`id\` $(id) %s\nKNRYbot7'; DROP TABLE notes; -- "#`;
const SUDO_PW = `SUDOKN9 '"$HOME;|&\\ \`id\` $(id) x`;
const TOKENS = ['KNRYtop7', 'KNRYbot7', 'SUDOKN9'];
const META_USER = 'omsplay_sec';
const DB = 'omsplay_sec_db';
const DUMP_DIR = '/var/tmp/omsplay-sec-dumps';
const SUDO_ENV = 'OMSPLAY_SEC_SUDO_PASS';

let admin: mysql.Connection;
let home: string;
let inventory: string;

async function run(playbook: string, ...args: string[]): Promise<{ r: CliResult; watch: ProcessWatch }> {
  const watch = new ProcessWatch(lab, [H]);
  try {
    const r = await omsplay(['run', join(DIR, playbook), '-i', inventory, ...args], { env: { OMSPLAY_HOME: home, [SUDO_ENV]: SUDO_PW } });
    return { r, watch };
  } finally {
    await watch.stop();
  }
}

function explain(r: CliResult): string {
  return `exit ${r.code}\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`;
}

/** No token in the run's output, in any file under OMSPLAY_HOME, or in a process list line. */
async function expectNoLeak(r: CliResult, watch: ProcessWatch): Promise<void> {
  expect(leaks(r.stdout, TOKENS), 'stdout').toEqual([]);
  expect(leaks(r.stderr, TOKENS), 'stderr').toEqual([]);
  const files = await filesUnder(home);
  expect(files.some((f) => f.path.endsWith('journal.jsonl'))).toBe(true);
  for (const f of files) expect(leaks(f.text, TOKENS), f.path).toEqual([]);
  expect(watch.lines(new RegExp(TOKENS.join('|'))), 'process lists').toEqual([]);
}

beforeAll(async () => {
  home = await mkdtemp(join(lab.dir, 'sec-secrets-home-'));
  admin = await mysql.createConnection({ host: metadb.host, port: metadb.port, user: 'root', password: metadb.rootPassword });
  await admin.query(`DROP USER IF EXISTS ${META_USER}@'%'`);
  await admin.query(`CREATE USER ${META_USER}@'%' IDENTIFIED BY ?`, [META_PW]);
  await admin.query(`GRANT ALL ON *.* TO ${META_USER}@'%'`);
  await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
  await admin.query(`CREATE DATABASE ${DB}`);
  await admin.query(`CREATE TABLE ${DB}.notes (id int PRIMARY KEY, v varchar(200))`);
  await admin.query(`CREATE TABLE ${DB}.oms_normal_config (id int AUTO_INCREMENT PRIMARY KEY, cfg_name varchar(64) UNIQUE, cfg_value text)`);
  await admin.query(`INSERT INTO ${DB}.oms_normal_config (cfg_name, cfg_value) VALUES ('ha.config', '{"enable":true,"refetchStoreIntervalMin":120}')`);
  // Enough rows that mysqldump runs for a while under the process-list watch.
  await admin.query(`CREATE TABLE ${DB}.big (id bigint PRIMARY KEY, pad varchar(120))`);
  await admin.query(`INSERT INTO ${DB}.big SELECT seq, REPEAT('x', 100) FROM ${DB}.seq_1_to_300000`);
  // The admin user's login and sudo password becomes the metacharacter one (restored afterwards).
  await lab.exec(H, ['chpasswd'], { stdin: `admin:${SUDO_PW}\n`, check: true });
  await lab.exec(H, ['rm', '-rf', DUMP_DIR]);
  inventory = await lab.inventory({
    file: join(lab.dir, 'sec-secrets-inventory.yml'),
    hosts: [H],
    user: 'admin',
    become: true,
    becomePasswordEnv: SUDO_ENV,
    vars: {
      meta_user: META_USER,
      meta_password: META_PW,
      metadb_control: metadb.host,
      metadb_port: metadb.port,
      sec_db: DB,
      dump_dir: DUMP_DIR,
      note: SUDO_PW,
    },
  });
});

afterAll(async () => {
  await lab.exec(H, ['chpasswd'], { stdin: `admin:${lab.users.admin.password}\n` });
  await lab.exec(H, ['rm', '-rf', DUMP_DIR]);
  await admin?.query(`DROP DATABASE IF EXISTS ${DB}`);
  await admin?.query(`DROP USER IF EXISTS ${META_USER}@'%'`);
  await admin?.end();
});

describe('passwords full of metacharacters', () => {
  it('work end to end: sudo through admin, SQL direct and tunnelled, oms.param, dump and restore', async () => {
    const { r, watch } = await run('secrets.yml', '--json');
    expect(r.code, explain(r)).toBe(0);
    const ok = r.events.filter((e) => e.type === 'task_result' && e.status !== 'failed').map((e) => e.task);
    expect(ok).toEqual(expect.arrayContaining(['sudo with the password works', 'dump on the host as root', 'restore it']));
    // The server stored the password byte for byte (the playbook's assert compared it; read it back here too).
    const [rows] = await admin.query(`SELECT v FROM ${DB}.notes WHERE id = 1`);
    expect((rows as Array<{ v: string }>)[0]?.v).toBe(META_PW);
    const [cfg] = await admin.query(`SELECT cfg_value FROM ${DB}.oms_normal_config WHERE cfg_name = 'ha.config'`);
    expect(JSON.parse((cfg as Array<{ cfg_value: string }>)[0]!.cfg_value)).toEqual({ enable: false, refetchStoreIntervalMin: 120 });
    // The password was there to leak: the debug message and the selected row are masked, not dropped.
    const debug = r.events.find((e) => e.type === 'task_result' && e.task === 'show what a careless playbook would print');
    expect(JSON.stringify(debug?.result)).toContain('the MetaDB password is ********');
    // Passwords given to commands through env arrive intact (sha256 of what the command read).
    const sha = createHash('sha256').update(META_PW).digest('hex');
    for (const task of [
      'the password in a shell\'s env, as the shell module advises for values',
      'the password in a command\'s env, through sudo as another user',
      'the password in env and data on stdin, both arriving intact',
    ]) {
      const res = r.events.find((e) => e.type === 'task_result' && e.task === task);
      expect(res?.result.stdout, task).toMatch(new RegExp(`^${sha}`));
    }
    expect(watch.lines(/sleep 3/).length, 'the env commands were seen').toBeGreaterThan(0);
    // The watch really looked while the dump and the become command ran.
    expect(watch.lines(/mysqldump|mariadb-dump/).length, 'a mysqldump process was seen').toBeGreaterThan(0);
    expect(watch.lines(/^sudo .*sleep 2/).length, 'the become command was seen').toBeGreaterThan(0);
    await expectNoLeak(r, watch);
  });

  it('never show up in failures: stderr echoing them, a failed assert, a failed dump (plain output, verbose)', async () => {
    const { r, watch } = await run('secrets-fail.yml', '--plain', '-v');
    expect(r.code, explain(r)).toBe(2);
    expect(r.stdout).toContain('no_such_database_sec');
    expect(r.stdout).toContain('********');
    await expectNoLeak(r, watch);
  });

  it('never show up in failures with --json either', async () => {
    const { r, watch } = await run('secrets-fail.yml', '--json');
    expect(r.code, explain(r)).toBe(2);
    const shell = r.events.find((e) => e.type === 'task_result' && e.task.startsWith('a failing command'));
    expect(shell?.status).toBe('failed');
    expect(shell?.result.stderr).toContain('********');
    const dump = r.events.find((e) => e.type === 'task_result' && e.task.startsWith('a dump that fails'));
    expect(dump?.status).toBe('failed');
    expect(JSON.stringify(dump?.result)).toMatch(/no_such_database_sec/);
    await expectNoLeak(r, watch);
  });

  it('are masked in output even in their shell-quoted form, when a playbook puts them on a command line', async () => {
    // No process-list check here: a password written into argv is visible in ps by the playbook's own choice.
    const { r } = await run('secrets-argv.yml', '--json');
    expect(r.code, explain(r)).toBe(2);
    const results = r.events.filter((e) => e.type === 'task_result' && e.status === 'failed');
    expect(results.length).toBe(2);
    for (const e of results) expect(e.result.cmd).toContain('********');
    const plain = await run('secrets-argv.yml', '--plain', '-v');
    expect(plain.r.code).toBe(2);
    for (const out of [r.stdout, r.stderr, plain.r.stdout, plain.r.stderr]) expect(leaks(out, TOKENS)).toEqual([]);
    for (const f of await filesUnder(home)) expect(leaks(f.text, TOKENS), f.path).toEqual([]);
  });

  it('are masked by `omsplay inventory --list / --host / --graph` and `omsplay runs --json`', async () => {
    for (const args of [['--list'], ['--host', H], ['--graph']]) {
      const r = await omsplay(['inventory', '-i', inventory, ...args], { env: { OMSPLAY_HOME: home, [SUDO_ENV]: SUDO_PW } });
      expect(r.code, explain(r)).toBe(0);
      expect(leaks(`${r.stdout}${r.stderr}`, TOKENS), args.join(' ')).toEqual([]);
    }
    const host = await omsplay(['inventory', '-i', inventory, '--host', H], { env: { OMSPLAY_HOME: home } });
    expect(JSON.parse(host.stdout).meta_password).toBe('********');
    const runs = await omsplay(['runs', '--json'], { env: { OMSPLAY_HOME: home } });
    expect(runs.code, explain(runs)).toBe(0);
    expect(leaks(`${runs.stdout}${runs.stderr}`, TOKENS)).toEqual([]);
  });
});

