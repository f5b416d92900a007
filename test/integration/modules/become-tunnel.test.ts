import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerContainer } from '../../../lib/modules/docker/container.js';
import { dockerInfo } from '../../../lib/modules/docker/info.js';
import { mysqlDump } from '../../../lib/modules/mysql/dump.js';
import { mysqlQuery } from '../../../lib/modules/mysql/query.js';
import { type Target, ctxFor, getTarget } from './target.js';

let t: Target;
let admin: mysql.Connection;
const NAME = 'omsplay_mod_become';
const PW = `b 'x"$;|&`;
const USER = 'omsplay_mod_b';
const DB = 'omsplay_mod_b_db';

beforeAll(async () => {
  t = await getTarget();
  admin = await t.admin();
  await t.sh(['docker', 'rm', '-f', NAME]);
  await admin.query(`DROP USER IF EXISTS ${USER}@'%'`);
  await admin.query(`CREATE USER ${USER}@'%' IDENTIFIED BY ?`, [PW]);
  await admin.query(`GRANT ALL ON *.* TO ${USER}@'%'`);
  await admin.query(`CREATE DATABASE IF NOT EXISTS ${DB}`);
  await admin.query(`CREATE TABLE IF NOT EXISTS ${DB}.t (a int)`);
});
afterAll(async () => {
  await t?.sh(['docker', 'rm', '-f', NAME]);
  await t?.sh(['rm', '-rf', '/tmp/omsplay-mod-4-become']);
  await admin?.query(`DROP DATABASE IF EXISTS ${DB}`);
  await admin?.query(`DROP USER IF EXISTS ${USER}@'%'`);
  await admin?.end();
});

describe('become', () => {
  it('tells a user without access to the docker socket to use become, and works with it', async () => {
    const a = t.asAdmin();
    await expect(dockerInfo.run({ name: NAME }, ctxFor(t, { conn: a.conn }))).rejects.toThrow(/permission denied on the docker socket .*/);
    const r = await dockerContainer.run({ name: NAME, image: t.baseImage, command: ['sleep', '600'] }, ctxFor(t, { conn: a.conn, become: a.become }));
    expect(r).toMatchObject({ changed: true, state: 'running' });
    const info = await dockerInfo.run({ name: NAME }, ctxFor(t, { conn: a.conn, become: a.become }));
    expect(info).toMatchObject({ exists: true, running: true });
  });

  it('dumps as root through sudo, the option file written and removed as root', async () => {
    const a = t.asAdmin();
    const ctx = ctxFor(t, { conn: a.conn, become: a.become });
    const r = await mysqlDump.run(
      { login_host: t.db.host, login_port: t.db.port, login_user: USER, login_password: PW, databases: DB, dest: '/tmp/omsplay-mod-4-become/b.sql' },
      ctx,
    );
    expect(r).toMatchObject({ completed: true });
    expect((await t.sh(['stat', '-c', '%U %a', '/tmp/omsplay-mod-4-become/b.sql'])).stdout.trim()).toBe('root 600');
    const cnf = ctx.commands.flat().find((x) => x.startsWith('--defaults-extra-file='))!.split('=')[1]!;
    expect((await t.sh(['test', '-e', cnf])).exitCode).not.toBe(0);
  });
});

describe('mysql.query via an SSH tunnel', () => {
  it('reaches the MetaDB through the named host', async () => {
    const r = await mysqlQuery.run(
      { login_host: t.db.host, login_port: t.db.port, login_user: USER, login_password: PW, via: t.host, statements: ["SELECT SUBSTRING_INDEX(USER(), '@', -1) AS client"] },
      ctxFor(t),
    );
    // the server sees the connection coming from the lab host, not from the control node
    const [rows] = await admin.query('SELECT SUBSTRING_INDEX(USER(), "@", -1) AS client');
    const me = (rows as Array<{ client: string }>)[0]!.client;
    expect((r.rows as Array<{ client: string }>)[0]!.client).not.toBe(me);
    expect(r.rows).toHaveLength(1);
  });

  it('fails the task (the tunnel host is fine) when the MetaDB port is closed', async () => {
    const err = await mysqlQuery
      .run({ login_host: t.db.host, login_port: 1, login_user: USER, login_password: PW, via: t.host, statements: ['SELECT 1'] }, ctxFor(t))
      .catch((e: Error) => e);
    expect((err as Error).constructor.name).toBe('TaskFailedError');
    expect((err as Error).message).toMatch(/cannot (open a tunnel to|connect to the MetaDB at) .*:1 via h1/);
  });
});
