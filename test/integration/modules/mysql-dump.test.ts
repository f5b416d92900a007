import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalConnection } from '../../../lib/connection/local.js';
import { mysqlDump } from '../../../lib/modules/mysql/dump.js';
import { mysqlRestore } from '../../../lib/modules/mysql/restore.js';
import { getLab } from '../../lab/context.js';
import { omsplay } from '../../support/omsplay.js';
import { type Target, ctxFor, getTarget } from './target.js';

// A password with every shell-special character the issue names, spaces and a comment sign.
const PW = `p a'"$;|& #x\\ `;
const USER = 'omsplay_mod';
const DB = 'omsplay_mod_db';
const DIR = '/tmp/omsplay-mod-4-dumps';

let t: Target;
let admin: mysql.Connection;

const login = () => ({ login_host: t.db.host, login_port: t.db.port, login_user: USER, login_password: PW });

async function checksums(db: string): Promise<Record<string, string>> {
  const [tables] = await admin.query('SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1', [db]);
  const names = (tables as Array<{ n: string }>).map((r) => `\`${db}\`.\`${r.n}\``);
  const [rows] = await admin.query(`CHECKSUM TABLE ${names.join(', ')}`);
  return Object.fromEntries((rows as Array<{ Table: string; Checksum: string }>).map((r) => [r.Table, String(r.Checksum)]));
}

beforeAll(async () => {
  t = await getTarget();
  admin = await t.admin();
  await admin.query(`DROP USER IF EXISTS ${USER}@'%'`);
  await admin.query(`CREATE USER ${USER}@'%' IDENTIFIED BY ?`, [PW]);
  await admin.query(`GRANT ALL ON *.* TO ${USER}@'%'`);
  await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
  await admin.query(`CREATE DATABASE ${DB} CHARACTER SET latin1 COLLATE latin1_swedish_ci`);
  await admin.query(`CREATE TABLE ${DB}.heatbeat_sequence (id bigint AUTO_INCREMENT PRIMARY KEY, gmt_created datetime, gmt_modified datetime) ENGINE=InnoDB`);
  await admin.query(`INSERT INTO ${DB}.heatbeat_sequence (gmt_created, gmt_modified) SELECT NOW(), NOW() FROM ${DB}.seq_1_to_300000`);
  await admin.query(`CREATE TABLE ${DB}.oms_normal_config (id int PRIMARY KEY, cfg_name varchar(64), cfg_value text) CHARACTER SET utf8mb4`);
  await admin.query(`INSERT INTO ${DB}.oms_normal_config VALUES (1, 'ha.config', '{"enable":true,"note":"ünïcødé ✓"}'), (2, 'x', 'it''s "quoted"')`);
  await admin.query(`CREATE TABLE ${DB}.aria_t (a int, b varchar(10)) ENGINE=Aria`);
  await admin.query(`INSERT INTO ${DB}.aria_t VALUES (1, 'x'), (2, NULL)`);
  await admin.query(`CREATE TRIGGER ${DB}.trg BEFORE INSERT ON ${DB}.aria_t FOR EACH ROW SET NEW.b = 'trig'`);
  await t.sh(['rm', '-rf', DIR]);
});

afterAll(async () => {
  await admin?.query(`DROP DATABASE IF EXISTS ${DB}`);
  await admin?.query(`DROP USER IF EXISTS ${USER}@'%'`);
  await admin?.end();
  await t?.sh(['rm', '-rf', DIR]);
});

describe('mysql.dump and mysql.restore', () => {
  let dump: Record<string, unknown>;

  it('dumps with the password never visible in ps, into a verified 0600 file', async () => {
    const ctx = ctxFor(t);
    let polling = true;
    let sawDump = 0;
    const leaks: string[] = [];
    const poll = (async () => {
      while (polling) {
        const r = await t.sh(['ps', '-eo', 'args']);
        for (const line of r.stdout.split('\n')) {
          if (/mysqldump|mariadb-dump/.test(line) && line.includes(DB)) sawDump++;
          if (line.includes(PW.trim()) || line.includes("a'\"$;|&")) leaks.push(line);
        }
      }
    })();
    try {
      dump = await mysqlDump.run({ ...login(), databases: DB, dest: `${DIR}/db.sql`, triggers: false, single_transaction: true }, ctx);
    } finally {
      polling = false;
      await poll;
    }
    expect(sawDump).toBeGreaterThan(0); // the poll did see mysqldump running
    expect(leaks).toEqual([]);
    expect(dump).toMatchObject({ changed: true, path: `${DIR}/db.sql`, completed: true, databases: [DB] });
    expect(dump.size).toBeGreaterThan(1_000_000);
    const sha = await t.sh(['sha256sum', `${DIR}/db.sql`]);
    expect(sha.stdout.split(' ')[0]).toBe(dump.sha256);
    expect((await t.sh(['stat', '-c', '%a', `${DIR}/db.sql`])).stdout.trim()).toBe('600');
    // --triggers=false: no trigger in the dump
    expect((await t.sh(['grep', '-c', 'CREATE.*TRIGGER', `${DIR}/db.sql`])).stdout.trim()).toBe('0');
    // the option file and its directory are gone, and no command line held the password
    const cnf = ctx.commands.flat().find((a) => a.startsWith('--defaults-extra-file='))!.slice('--defaults-extra-file='.length);
    expect((await t.sh(['test', '-e', cnf])).exitCode).not.toBe(0);
    expect((await t.sh(['test', '-e', cnf.replace(/\/my\.cnf$/, '')])).exitCode).not.toBe(0);
    expect(JSON.stringify(ctx.commands)).not.toContain("a'\"$;|&");
    expect(ctx.masker.mask(`x${PW}y`)).toBe('x********y');
    // progress in bytes reached the reporter, ending at the file size
    expect(ctx.events.at(-1)).toMatchObject({ unit: 'bytes', done: dump.size, total: dump.size });
    // a second dump to the same file is refused rather than replacing a backup
    await expect(mysqlDump.run({ ...login(), databases: DB, dest: `${DIR}/db.sql` }, ctxFor(t))).rejects.toThrow(/already exists/);
  });

  it('restores with identical table checksums and the original charset', async () => {
    const before = await checksums(DB);
    await admin.query(`DELETE FROM ${DB}.heatbeat_sequence WHERE id > 10`);
    await admin.query(`UPDATE ${DB}.oms_normal_config SET cfg_value = '{}'`);
    await admin.query(`CREATE TABLE ${DB}.added_later (a int)`);
    expect(await checksums(DB)).not.toEqual(before);
    let polling = true;
    let sawClient = 0;
    const leaks: string[] = [];
    const poll = (async () => {
      while (polling) {
        for (const line of (await t.sh(['ps', '-eo', 'args'])).stdout.split('\n')) {
          if (/^(mysql|mariadb) --defaults-extra-file/.test(line)) sawClient++;
          if (line.includes("a'\"$;|&")) leaks.push(line);
        }
      }
    })();
    let r: Awaited<ReturnType<typeof mysqlRestore.run>>;
    try {
      r = await mysqlRestore.run({ ...login(), database: DB, src: String(dump.path), sha256: String(dump.sha256) }, ctxFor(t));
    } finally {
      polling = false;
      await poll;
    }
    expect(sawClient).toBeGreaterThan(0);
    expect(leaks).toEqual([]);
    expect(r).toMatchObject({ changed: true, charset: 'latin1', collation: 'latin1_swedish_ci', existed_before: true, tables: 3 });
    expect(await checksums(DB)).toEqual(before);
    const [s] = await admin.query('SELECT DEFAULT_CHARACTER_SET_NAME AS c, DEFAULT_COLLATION_NAME AS k FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [DB]);
    expect((s as Array<{ c: string; k: string }>)[0]).toEqual({ c: 'latin1', k: 'latin1_swedish_ci' });
  });

  it('refuses a truncated dump, a changed dump and a missing dump before dropping anything', async () => {
    const before = await checksums(DB);
    const size = Number(dump.size);
    await t.sh(['sh', '-c', `head -c ${Math.floor(size / 2)} ${DIR}/db.sql > ${DIR}/truncated.sql`]);
    const trunc = await t.sh(['sha256sum', `${DIR}/truncated.sql`]);
    const truncSha = trunc.stdout.split(' ')[0]!;
    // right checksum of a truncated file: refused for the missing trailer
    await expect(mysqlRestore.run({ ...login(), database: DB, src: `${DIR}/truncated.sql`, sha256: truncSha }, ctxFor(t))).rejects.toThrow(
      /truncated .*nothing was dropped/,
    );
    // the recorded checksum of the good dump against the truncated file
    await expect(mysqlRestore.run({ ...login(), database: DB, src: `${DIR}/truncated.sql`, sha256: String(dump.sha256) }, ctxFor(t))).rejects.toThrow(
      /expected .*nothing was dropped/,
    );
    await expect(mysqlRestore.run({ ...login(), database: DB, src: `${DIR}/nope.sql`, sha256: String(dump.sha256) }, ctxFor(t))).rejects.toThrow(
      /cannot read .*nothing was dropped/,
    );
    // a multi-database dump would load into its own databases, not into DB
    const multi = await mysqlDump.run({ ...login(), databases: [DB, 'mysql'], dest: `${DIR}/multi.sql`, extra_args: ['--no-data'] }, ctxFor(t));
    await expect(mysqlRestore.run({ ...login(), database: DB, src: `${DIR}/multi.sql`, sha256: String(multi.sha256) }, ctxFor(t))).rejects.toThrow(
      /selects its own database.*nothing was dropped/,
    );
    expect(await checksums(DB)).toEqual(before);
  });

  it('says what it would do in check mode, changing nothing', async () => {
    await admin.query(`INSERT INTO ${DB}.oms_normal_config VALUES (3, 'later', 'v')`);
    const before = await checksums(DB);
    const r = await mysqlRestore.run({ ...login(), database: DB, src: String(dump.path), sha256: String(dump.sha256) }, ctxFor(t, { check: true }));
    expect(r.msg).toMatch(/^would drop omsplay_mod_db, CREATE DATABASE/);
    expect(await checksums(DB)).toEqual(before);
    const d = await mysqlDump.run({ ...login(), databases: DB, dest: `${DIR}/check.sql` }, ctxFor(t, { check: true }));
    expect(d.changed).toBe(true);
    expect((await t.sh(['test', '-e', `${DIR}/check.sql`])).exitCode).not.toBe(0);
  });

  it('dumps compressed and restores from it', async () => {
    const ctx = ctxFor(t);
    // a directory name with a space and a quote: values travel as positional parameters, never re-quoted by hand
    const dest = `${DIR}/it's a dir/db.sql.gz`;
    const z = await mysqlDump.run({ ...login(), databases: [DB], dest, gzip: true, triggers: false }, ctx);
    expect(z).toMatchObject({ completed: true, gzip: true });
    expect((await t.sh(['gzip', '-t', dest])).exitCode).toBe(0);
    const before = await checksums(DB);
    await admin.query(`DROP TABLE ${DB}.aria_t`);
    await mysqlRestore.run({ ...login(), database: DB, src: dest, sha256: String(z.sha256) }, ctxFor(t));
    expect(await checksums(DB)).toEqual(before);
  });

  it('removes the option file and the partial dump when interrupted (Ctrl-C)', async () => {
    const ctx = ctxFor(t);
    const running = mysqlDump.run({ ...login(), databases: DB, dest: `${DIR}/interrupted.sql` }, ctx);
    // abort once mysqldump runs on the host
    for (let i = 0; i < 200; i++) {
      if ((await t.sh(['pgrep', '-f', 'interrupted.sql.partial'])).exitCode === 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    ctx.abort();
    await expect(running).rejects.toThrow(/interrupted/);
    const cnf = ctx.commands.flat().find((a) => a.startsWith('--defaults-extra-file='))!.slice('--defaults-extra-file='.length);
    expect((await t.sh(['test', '-e', cnf])).exitCode).not.toBe(0);
    expect((await t.sh(['ls', DIR])).stdout).not.toMatch(/interrupted/);
    expect((await t.sh(['pgrep', '-f', 'interrupted.sql'])).exitCode).not.toBe(0);
  });

  it('dumps on the control node too (delegate_to: localhost, through the engine)', async () => {
    const lab = getLab();
    const local = new LocalConnection();
    const dest = `/tmp/omsplay-mod-4-local-${process.pid}/db.sql`;
    const inv = await lab.inventory({ file: join(lab.dir, 'mod-dump-delegate.yml'), hosts: [t.host], vars: { db_login: login() } });
    const pb = join(lab.dir, 'mod-dump-delegate-pb.yml');
    await writeFile(
      pb,
      `- hosts: ${t.host}
  tasks:
    - name: dump on the control node
      mysql.dump:
        login_host: "{{ db_login.login_host }}"
        login_port: "{{ db_login.login_port }}"
        login_user: "{{ db_login.login_user }}"
        login_password: "{{ db_login.login_password }}"
        databases: ${DB}
        dest: ${dest}
        triggers: false
      delegate_to: localhost
`,
    );
    await t.sh(['rm', '-rf', dest]);
    try {
      const r = await omsplay(['run', pb, '-i', inv, '--json'], { env: { OMSPLAY_HOME: join(lab.dir, 'omsplay-home-mod-dump') } });
      expect(r.code, r.stderr).toBe(0);
      const res = r.events.find((e) => e.type === 'task_result' && e.task === 'dump on the control node')!;
      expect(res).toMatchObject({ host: t.host, delegated_to: 'localhost', status: 'changed' });
      expect(res.result).toMatchObject({ completed: true, path: dest });
      // The dump is on the control node, and not on the task's host.
      const sha = await local.exec({ argv: ['sha256sum', dest] });
      expect(sha.stdout.split(' ')[0]).toBe(res.result.sha256);
      expect((await t.sh(['test', '-e', dest])).exitCode).not.toBe(0);
    } finally {
      await local.exec({ argv: ['rm', '-rf', dirname(dest)] });
    }
  });

  it("gives its progress events the databases' size as total (--json), while the dump is held on a table lock", async () => {
    const lab = getLab();
    const dest = `${DIR}/progress.sql`;
    const inv = await lab.inventory({ file: join(lab.dir, 'mod-dump-progress.yml'), hosts: [t.host], vars: { db_login: login() } });
    const pb = join(lab.dir, 'mod-dump-progress-pb.yml');
    await writeFile(
      pb,
      `- hosts: ${t.host}
  tasks:
    - name: dump with progress
      mysql.dump:
        login_host: "{{ db_login.login_host }}"
        login_port: "{{ db_login.login_port }}"
        login_user: "{{ db_login.login_user }}"
        login_password: "{{ db_login.login_password }}"
        databases: ${DB}
        dest: ${dest}
`,
    );
    await t.sh(['rm', '-f', dest]);
    // What the server says the database holds (data + index; InnoDB's figures are its statistics, brought up to
    // date here after the restores above recreated the table): the seed's 300,000 rows make a few MB.
    await admin.query(`ANALYZE TABLE ${DB}.heatbeat_sequence`);
    const [size] = await admin.query('SELECT SUM(DATA_LENGTH + INDEX_LENGTH) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [DB]);
    const expected = Number((size as Array<{ n: string }>)[0]!.n);
    expect(expected).toBeGreaterThan(1_000_000);
    // A write lock held 5 s (the CLI takes a second or two to start) keeps mysqldump (LOCK TABLES ... READ) waiting, so the once-a-second poll reports mid-dump.
    const locker = await t.admin();
    await locker.query(`LOCK TABLES ${DB}.heatbeat_sequence WRITE`);
    const unlock = setTimeout(() => void locker.query('UNLOCK TABLES'), 5000);
    try {
      const r = await omsplay(['run', pb, '-i', inv, '--json'], { env: { OMSPLAY_HOME: join(lab.dir, 'omsplay-home-mod-dump') } });
      expect(r.code, r.stderr).toBe(0);
      const progress = r.events.filter((e) => e.type === 'progress' && e.task === 'dump with progress');
      const res = r.events.find((e) => e.type === 'task_result' && e.task === 'dump with progress')!;
      // mid-dump events carry the estimate (not the final size), positive, and no more than it is done
      const mid = progress.filter((e) => e.total !== res.result.size);
      expect(mid.length, JSON.stringify(progress)).toBeGreaterThan(0);
      for (const e of mid) expect(e).toMatchObject({ unit: 'bytes', total: expected });
      for (const e of mid) expect(e.done).toBeLessThanOrEqual(e.total);
      // the last one is the verified file's size
      expect(progress.at(-1)).toMatchObject({ done: res.result.size, total: res.result.size });
      expect(JSON.stringify(r.events)).not.toContain("a'\"$;|&");
    } finally {
      clearTimeout(unlock);
      await locker.query('UNLOCK TABLES');
      await locker.end();
      await t.sh(['rm', '-f', dest]);
    }
  });

  it('fails clearly with a wrong password, leaving no partial file', async () => {
    await expect(
      mysqlDump.run({ ...login(), login_password: 'wrong pass', databases: DB, dest: `${DIR}/bad.sql` }, ctxFor(t)),
    ).rejects.toThrow(/mysqldump of omsplay_mod_db failed .*Access denied/);
    expect((await t.sh(['sh', '-c', `ls ${DIR}`])).stdout).not.toMatch(/bad\.sql/);
  });
});
