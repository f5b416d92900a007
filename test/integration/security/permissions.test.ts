/**
 * Owner-only files (issue 7, "Security"), through `omsplay run` on lab host h1:
 * - a dump is 0600 in a 0700 directory; the MySQL option file holding the password lives 0600 in a 0700
 *   private directory while the dump runs (watched from inside the host the whole time); the journal's
 *   directories are 0700 and its files 0600;
 * - temporary credential files (option files, a container's secret env file) are gone after the run, also when
 *   every kind of client task fails: wrong password, missing database, a dump ended by its task timeout while
 *   blocked on a table lock, a restore refused by its checksum, a restore whose client fails — as root and as a
 *   sudoer through become. /tmp on the host is listed before and after.
 */
import { mkdtemp, stat } from 'node:fs/promises';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLab } from '../../lab/context.js';
import { type CliResult, omsplay } from '../../support/omsplay.js';
import { filesUnder } from './helpers.js';

const lab = getLab();
const H = 'h1';
const DIR = join(import.meta.dirname, 'playbooks');
const metadb = (() => {
  if (!lab.mariadb) throw new Error('the lab runs without MariaDB: these tests need it');
  return lab.mariadb;
})();
const META_USER = 'omsplay_perm';
const META_PW = `perm 'pw" $x;`;
const DB = 'omsplay_sec_perm_db';
const PERM_DIR = '/var/tmp/omsplay-sec-perm';
const SUDO_ENV = 'OMSPLAY_SEC_PERM_SUDO';

let admin: mysql.Connection;
let busybox: string;

async function inventory(user: 'root' | 'admin'): Promise<string> {
  return lab.inventory({
    file: join(lab.dir, `sec-perm-${user}.yml`),
    hosts: [H],
    user,
    become: user === 'admin',
    becomePasswordEnv: SUDO_ENV,
    vars: { meta_user: META_USER, meta_password: META_PW, metadb_port: metadb.port, perm_db: DB, perm_dir: PERM_DIR, busybox },
  });
}

async function run(playbook: string, user: 'root' | 'admin', home: string): Promise<CliResult> {
  return omsplay(['run', join(DIR, playbook), '-i', await inventory(user), '--json'], {
    env: { OMSPLAY_HOME: home, [SUDO_ENV]: lab.users.admin.password ?? '' },
  });
}

/** `mode owner type path` of everything under /tmp on the host (two levels), sorted. */
async function tmpListing(): Promise<string[]> {
  const r = await lab.exec(H, ['find', '/tmp', '-mindepth', '1', '-maxdepth', '2', '-printf', '%m %u %y %p\\n'], { check: true });
  return r.stdout.split('\n').filter(Boolean).sort();
}

/** Polls /tmp/omsplay.* on the host until stopped: every private directory and file seen, with its mode. */
function watchPrivateDirs(): { stop(): Promise<Set<string>> } {
  const seen = new Set<string>();
  let on = true;
  const loop = (async () => {
    while (on) {
      const r = await lab.exec(H, ['sh', '-c', "find /tmp -maxdepth 2 -path '/tmp/omsplay.*' -printf '%m %u %y %p\\n' 2>/dev/null; true"], { check: false });
      for (const l of r.stdout.split('\n')) if (l) seen.add(l);
    }
  })();
  return {
    async stop() {
      on = false;
      await loop;
      return seen;
    },
  };
}

function statusByTask(r: CliResult): Record<string, string> {
  return Object.fromEntries(r.events.filter((e) => e.type === 'task_result').map((e) => [e.task, e.status]));
}

/** Every directory under dir is 0700 and every file 0600 (dir itself included). */
async function expectOwnerOnly(dir: string): Promise<void> {
  expect(((await stat(dir)).mode & 0o777).toString(8), dir).toBe('700');
  const { readdir } = await import('node:fs/promises');
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const p = join(e.parentPath, e.name);
    const mode = ((await stat(p)).mode & 0o777).toString(8);
    expect(mode, p).toBe(e.isDirectory() ? '700' : '600');
  }
}

beforeAll(async () => {
  busybox = await lab.importBusybox(H);
  admin = await mysql.createConnection({ host: metadb.host, port: metadb.port, user: 'root', password: metadb.rootPassword });
  await admin.query(`DROP USER IF EXISTS ${META_USER}@'%'`);
  await admin.query(`CREATE USER ${META_USER}@'%' IDENTIFIED BY ?`, [META_PW]);
  await admin.query(`GRANT ALL ON *.* TO ${META_USER}@'%'`);
  await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
  await admin.query(`CREATE DATABASE ${DB}`);
  await admin.query(`CREATE TABLE ${DB}.big (id bigint PRIMARY KEY, pad varchar(120))`);
  await admin.query(`INSERT INTO ${DB}.big SELECT seq, REPEAT('p', 100) FROM ${DB}.seq_1_to_200000`);
  await lab.exec(H, ['rm', '-rf', PERM_DIR]);
  await lab.docker(H, ['rm', '-f', 'omsplay_sec_perm'], { check: false });
});

afterAll(async () => {
  await lab.docker(H, ['rm', '-f', 'omsplay_sec_perm'], { check: false });
  await lab.exec(H, ['rm', '-rf', PERM_DIR]);
  await admin?.query(`DROP DATABASE IF EXISTS ${DB}`);
  await admin?.query('DROP DATABASE IF EXISTS omsplay_sec_perm_scratch');
  await admin?.query(`DROP USER IF EXISTS ${META_USER}@'%'`);
  await admin?.end();
});

describe('owner-only files', () => {
  it('a dump is 0600 in a 0700 directory, its option file 0600 in a 0700 private dir, removed after; the journal is 0700/0600', async () => {
    const home = join(await mkdtemp(join(lab.dir, 'sec-perm-')), 'omsplay-home');
    const before = await tmpListing();
    const watch = watchPrivateDirs();
    const r = await run('perms.yml', 'root', home);
    const seen = [...(await watch.stop())];
    expect(r.code, `${r.stderr}\n${r.stdout.slice(-3000)}`).toBe(0);

    const dump = r.events.find((e) => e.type === 'task_result' && e.task === 'dump')?.result;
    const file = await lab.exec(H, ['stat', '-c', '%a %U', dump.path], { check: true });
    expect(file.stdout.trim()).toBe('600 root');
    const dir = await lab.exec(H, ['stat', '-c', '%a %U', dump.path.replace(/\/[^/]+$/, '')], { check: true });
    expect(dir.stdout.trim()).toBe('700 root');

    // While the dump ran, the option file existed, owner-only, in an owner-only directory.
    const cnf = seen.filter((l) => l.endsWith('/my.cnf'));
    expect(cnf.length, `private files seen:\n${seen.join('\n')}`).toBeGreaterThan(0);
    for (const l of cnf) expect(l).toMatch(/^600 root f \/tmp\/omsplay\.\w+\/my\.cnf$/);
    for (const l of seen.filter((x) => / d /.test(x))) expect(l).toMatch(/^700 root d /);
    // And nothing of it is left: /tmp is as it was.
    expect(await tmpListing()).toEqual(before);

    await expectOwnerOnly(home);
    const journal = (await filesUnder(home)).map((f) => f.path);
    expect(journal.some((p) => p.endsWith('journal.jsonl'))).toBe(true);
    expect(journal.some((p) => p.endsWith('meta.json'))).toBe(true);
  });

  it.each([['root'], ['admin']] as const)('temporary credential files are removed when every kind of client task fails (as %s)', async (user) => {
    const home = join(await mkdtemp(join(lab.dir, 'sec-perm-')), 'omsplay-home');
    await lab.exec(H, ['rm', '-rf', `${PERM_DIR}/fail`]);
    const before = await tmpListing();
    // Hold a write lock so the timed-out dump is blocked inside mysqldump (its option file in use) when it is ended.
    const locker = await mysql.createConnection({ host: metadb.host, port: metadb.port, user: 'root', password: metadb.rootPassword });
    let r: CliResult;
    try {
      await locker.query(`LOCK TABLES ${DB}.big WRITE`);
      r = await run('perms-fail.yml', user, home);
    } finally {
      await locker.end();
    }
    expect(r.code, `${r.stderr}\n${r.stdout.slice(-3000)}`).toBe(2);
    expect(statusByTask(r)).toMatchObject({
      'dump with a wrong password': 'failed',
      'dump of a database that does not exist': 'failed',
      'dump ended by the task timeout (its table is locked)': 'failed',
      'restore with a wrong checksum': 'failed',
      'restore that fails in the client': 'failed',
      'a failing dump ends the run': 'failed',
    });
    const timedOut = r.events.find((e) => e.type === 'task_result' && e.task.startsWith('dump ended by the task timeout'));
    expect(JSON.stringify(timedOut?.result)).toMatch(/time|interrupt/i);
    expect(await tmpListing()).toEqual(before);
    const partial = await lab.exec(H, ['find', `${PERM_DIR}/fail`, '-name', '*.partial'], { check: false });
    expect(partial.stdout.trim(), 'no partial dump left').toBe('');
    await expectOwnerOnly(home);
  });
});
