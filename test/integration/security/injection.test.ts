/**
 * Shell injection (issue 7, "Security"): inventory variables and extra variables (-e JSON and -e key=value)
 * carrying `$(...)`, backticks, `;`, quote-breaking, `&&`, `|` and newlines reach commands as plain data
 * through `omsplay run` on a lab host: command argv and env, shell env (also through sudo as another user),
 * command's free-form string, copy content and dest, a command delegated to the control node, docker.container
 * env and command, docker.exec argv and env, mysql.query parameters, and mysql.dump / mysql.restore of a
 * database (and to a file) named like an injection, with a MetaDB password that is one too. Each task checks
 * the program received the payload byte for byte; afterwards no file a payload would create exists on the
 * target, inside its container, or on the control node.
 */
import { mkdtemp } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLab } from '../../lab/context.js';
import { omsplay } from '../../support/omsplay.js';

const lab = getLab();
const H = 'h1';
const DIR = join(import.meta.dirname, 'playbooks');
const metadb = (() => {
  if (!lab.mariadb) throw new Error('the lab runs without MariaDB: these tests need it');
  return lab.mariadb;
})();

const MARK = 'omsplay-pwned';
/** Payloads that, run by a shell, create /tmp/omsplay-pwned-N. */
const PAYLOADS = [
  `$(touch /tmp/${MARK}-1)`,
  `\`touch /tmp/${MARK}-2\``,
  `; touch /tmp/${MARK}-3`,
  `'; touch /tmp/${MARK}-4; echo '`,
  `" && touch /tmp/${MARK}-5 && echo "`,
  `| touch /tmp/${MARK}-6`,
  `x\ntouch /tmp/${MARK}-7\ny`,
  `$(touch /tmp/${MARK}-8)\`touch /tmp/${MARK}-9\` & touch /tmp/${MARK}-10 #`,
];
/** The same without slashes, for file and database names (a shell would create ./omsplay-pwned-nN). */
const NAMES = [`n$(touch ${MARK}-n1)`, `n\`touch ${MARK}-n2\``, `n;touch ${MARK}-n3;`, `n'; touch ${MARK}-n4; '`, `n" && touch ${MARK}-n5 "`];
const EXTRA_JSON = `$(touch /tmp/${MARK}-e1)\`touch /tmp/${MARK}-e2\`; touch /tmp/${MARK}-e3`;
const EXTRA_KV = `;touch /tmp/${MARK}-kv`;
const INJ_DB = `o$(touch ${MARK}-db1)\`touch ${MARK}-db2\`;x'`;
const META_USER = 'omsplay_inj';
const META_PW = `$(touch /tmp/${MARK}-pw)\`touch /tmp/${MARK}-pw2\``;

let admin: mysql.Connection;
let home: string;
let inventory: string;
let busybox: string;

const sqlId = (s: string) => `\`${s.replace(/`/g, '``')}\``;

/** Files named like a payload's, on the target (and in its container) or on the control node. */
async function pwnedOnTarget(): Promise<string[]> {
  const r = await lab.exec(H, ['sh', '-c', `find / -xdev -maxdepth 3 -name '${MARK}*' 2>/dev/null; find /tmp /root /home /var/tmp -name '${MARK}*' 2>/dev/null`], { check: false });
  const inside = await lab.docker(H, ['exec', 'omsplay_sec_inj', 'sh', '-c', `find / -xdev -maxdepth 3 -name '${MARK}*' 2>/dev/null; true`], { check: false });
  return [...r.stdout.split('\n'), ...inside.stdout.split('\n').map((l) => (l ? `container:${l}` : ''))].filter(Boolean);
}

async function pwnedOnControl(): Promise<string[]> {
  const dirs = ['/tmp', process.cwd(), homedir(), lab.dir, home];
  const r = await promisify(execFile)('sh', ['-c', `find ${dirs.map((d) => `'${d}'`).join(' ')} -maxdepth 2 -name '${MARK}*' 2>/dev/null; true`]);
  return r.stdout.split('\n').filter(Boolean);
}

beforeAll(async () => {
  home = await mkdtemp(join(lab.dir, 'sec-inj-home-'));
  busybox = await lab.importBusybox(H);
  admin = await mysql.createConnection({ host: metadb.host, port: metadb.port, user: 'root', password: metadb.rootPassword });
  await admin.query(`DROP USER IF EXISTS ${META_USER}@'%'`);
  await admin.query(`CREATE USER ${META_USER}@'%' IDENTIFIED BY ?`, [META_PW]);
  await admin.query(`GRANT ALL ON *.* TO ${META_USER}@'%'`);
  await admin.query(`DROP DATABASE IF EXISTS ${sqlId(INJ_DB)}`);
  await admin.query(`CREATE DATABASE ${sqlId(INJ_DB)}`);
  await admin.query(`CREATE TABLE ${sqlId(INJ_DB)}.t (id int AUTO_INCREMENT PRIMARY KEY, v varchar(200))`);
  await lab.exec(H, ['sh', '-c', `rm -rf /tmp/omsplay-inj /tmp/${MARK}* /root/${MARK}* /${MARK}*`]);
  await lab.docker(H, ['rm', '-f', 'omsplay_sec_inj'], { check: false });
  expect(await pwnedOnControl(), 'no leftovers on the control node before the run').toEqual([]);
  inventory = await lab.inventory({
    file: join(lab.dir, 'sec-injection-inventory.yml'),
    hosts: [H],
    vars: { meta_user: META_USER, meta_password: META_PW, metadb_control: metadb.host, metadb_port: metadb.port, busybox },
    hostVars: { [H]: { payloads: PAYLOADS, names: NAMES, inj_db: INJ_DB } },
  });
});

afterAll(async () => {
  await lab.docker(H, ['rm', '-f', 'omsplay_sec_inj'], { check: false });
  await lab.exec(H, ['rm', '-rf', '/tmp/omsplay-inj']);
  await admin?.query(`DROP DATABASE IF EXISTS ${sqlId(INJ_DB)}`);
  await admin?.query(`DROP USER IF EXISTS ${META_USER}@'%'`);
  await admin?.end();
});

describe('variables carrying shell injection', () => {
  it('reach commands, files, containers and SQL as plain data; nothing they carry is executed', async () => {
    const r = await omsplay(['run', join(DIR, 'injection.yml'), '-i', inventory, '--json', '-e', JSON.stringify({ extra_json: EXTRA_JSON }), '-e', `extra_kv=${EXTRA_KV}`], {
      env: { OMSPLAY_HOME: home },
    });
    const failed = r.events.filter((e) => e.type === 'task_result' && e.status === 'failed' && !e.ignored);
    expect(r.code, `${r.stderr}\n${JSON.stringify(failed).slice(0, 3000)}`).toBe(0);

    // Every checking task ran (an assert that never ran would prove nothing).
    const asserted = r.events.filter((e) => e.type === 'task_result' && e.task === 'assert' && e.status === 'ok');
    expect(asserted.length).toBeGreaterThanOrEqual(7);

    // Free-form command: either the payload was passed as words, or the task was refused; never run by a shell.
    const free = r.events.find((e) => e.type === 'task_result' && e.task.startsWith('command free-form'));
    for (const item of free?.result.results ?? []) {
      if (item.failed) expect(item.msg ?? item.stderr).toMatch(/no shell|operator|refused|quote/i);
    }

    // The copies: one file per payload name, with the payload as its content.
    const listed = await lab.exec(H, ['find', '/tmp/omsplay-inj', '-maxdepth', '1', '-type', 'f', '-printf', '%f\\0'], { check: true });
    const files = listed.stdout.split('\0').filter(Boolean);
    for (const n of NAMES) {
      expect(files).toContain(n);
      const content = await lab.exec(H, ['cat', `/tmp/omsplay-inj/${n}`], { check: true });
      expect(content.stdout).toBe(n);
    }
    // The SQL rows and the restored database hold the payloads as they were.
    const [rows] = await admin.query(`SELECT v FROM ${sqlId(INJ_DB)}.t ORDER BY id`);
    expect((rows as Array<{ v: string }>).map((x) => x.v)).toEqual(PAYLOADS);
    // The container got its env and command as given.
    const inspect = await lab.docker(H, ['inspect', 'omsplay_sec_inj', '--format', '{{json .Config}}'], { check: true });
    const config = JSON.parse(inspect.stdout);
    expect(config.Env).toEqual(expect.arrayContaining([`INJ0=${PAYLOADS[0]}`, `INJ1=${PAYLOADS[1]}`, `INJ3=${PAYLOADS[3]}`]));
    expect(config.Cmd).toEqual(['sh', '-c', 'sleep 600', PAYLOADS[2]]);

    expect(await pwnedOnTarget(), 'files created by a payload on the target').toEqual([]);
    expect(await pwnedOnControl(), 'files created by a payload on the control node').toEqual([]);
  });

  it('the check itself works: the same payload given to a shell does create the file', async () => {
    await lab.exec(H, ['sh', '-c', `echo ${PAYLOADS[0]}`]);
    expect(await pwnedOnTarget()).toContain(`/tmp/${MARK}-1`);
    await lab.exec(H, ['rm', '-f', `/tmp/${MARK}-1`]);
  });
});
