/**
 * The lab's MetaDB: a MariaDB server of its own (datadir under the lab directory, never /var/lib/mysql, which the
 * overlay hosts see as their lower layer), listening on the bridge address so the control node and the hosts reach it.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { LAB_PASSWORDS } from './credentials.js';
import { runOk } from './run.js';
import type { LabMariadb } from './types.js';

export const MARIADB_PORT = 3306;
export const MARIADB_USER = 'omsplay';

function sqlString(s: string): string {
  return `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** Runs at every server start (--init-file), so it must be idempotent. */
function initSql(): string {
  const root = sqlString(LAB_PASSWORDS.mariadbRoot);
  const user = sqlString(LAB_PASSWORDS.mariadbUser);
  return [
    `ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD(${root}) OR unix_socket;`,
    `CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY ${root};`,
    `GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;`,
    `CREATE USER IF NOT EXISTS '${MARIADB_USER}'@'%' IDENTIFIED BY ${user};`,
    `GRANT ALL PRIVILEGES ON *.* TO '${MARIADB_USER}'@'%' WITH GRANT OPTION;`,
    'FLUSH PRIVILEGES;',
    '',
  ].join('\n');
}

export function mariadbDescriptor(labDir: string, address: string): LabMariadb {
  const dir = `${labDir}/mariadb`;
  return {
    host: address,
    port: MARIADB_PORT,
    rootPassword: LAB_PASSWORDS.mariadbRoot,
    user: MARIADB_USER,
    password: LAB_PASSWORDS.mariadbUser,
    socket: `${dir}/mariadbd.sock`,
    pidFile: `${dir}/mariadbd.pid`,
    logFile: `${dir}/mariadbd.err`,
  };
}

const CACHE = '/var/tmp/omsplay-lab-cache';
/** Redo log size used both when initialising and when running (a mismatch would make the server resize it). */
const LOG_FILE_SIZE = '--innodb-log-file-size=16M';

/**
 * A pristine datadir for this mariadbd build, made once (mariadb-install-db takes 0.5-1.7 s here) and copied per
 * lab (~30 ms). Built in a temporary directory and renamed, so concurrent labs never see half a template.
 */
async function template(): Promise<string> {
  const st = await stat('/usr/sbin/mariadbd');
  const dir = `${CACHE}/mariadb-${st.size}-${Math.floor(st.mtimeMs)}`;
  if (existsSync(dir)) return dir;
  await mkdir(CACHE, { recursive: true });
  const tmp = await mkdtemp(`${CACHE}/tmp-`);
  try {
    await runOk(
      'mariadb-install-db',
      ['--no-defaults', '--user=root', `--datadir=${tmp}/data`, '--skip-test-db', '--skip-name-resolve', LOG_FILE_SIZE],
      { timeoutMs: 120_000 },
    );
    await rename(tmp, dir).catch(async (e) => {
      if (!existsSync(dir)) throw e;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return dir;
}

/** Gives the lab a fresh datadir. Can run before the bridge exists. */
export async function initMariadb(labDir: string): Promise<void> {
  const dir = `${labDir}/mariadb`;
  await mkdir(dir, { recursive: true });
  await writeFile(`${dir}/init.sql`, initSql(), { mode: 0o600 });
  await runOk('cp', ['-a', `${await template()}/data`, `${dir}/data`]);
}

/** Starts mariadbd detached (needs the bridge address to exist) and waits until it greets on its socket. */
export async function startMariadb(labDir: string, db: LabMariadb, timeoutMs = 30_000): Promise<void> {
  const dir = `${labDir}/mariadb`;
  const out = openSync(`${dir}/mariadbd.out`, 'a');
  try {
    const child = spawn(
      '/usr/sbin/mariadbd',
      [
        '--no-defaults',
        '--user=root',
        `--datadir=${dir}/data`,
        `--socket=${db.socket}`,
        `--pid-file=${db.pidFile}`,
        `--port=${db.port}`,
        `--bind-address=${db.host}`,
        `--log-error=${db.logFile}`,
        `--init-file=${dir}/init.sql`,
        '--skip-name-resolve',
        '--character-set-server=utf8mb4',
        '--collation-server=utf8mb4_general_ci',
        '--max-connections=1000',
        LOG_FILE_SIZE,
      ],
      { detached: true, stdio: ['ignore', out, out] },
    );
    child.on('error', () => {});
    child.unref();
  } finally {
    closeSync(out);
  }
  const deadline = Date.now() + timeoutMs;
  while (!(await greets(db.socket))) {
    if (Date.now() > deadline) throw new Error(`MariaDB did not start in ${timeoutMs} ms; see ${db.logFile}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** True when the server sends its handshake on the socket (it does so only once it accepts connections). */
function greets(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(socket);
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.once('data', () => done(true));
    s.once('error', () => done(false));
    s.setTimeout(1000, () => done(false));
  });
}
