import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlQuery } from '../../../lib/modules/mysql/query.js';
import { omsParam } from '../../../lib/modules/oms/param.js';
import { omsServers } from '../../../lib/modules/oms/servers.js';
import { type Target, ctxFor, getTarget } from './target.js';

const PW = `q 'x"$;|&`;
const USER = 'omsplay_mod_q';
const RM = 'omsplay_mod_rm';
const CM = 'omsplay_mod_cm';
const HB1 = 'omsplay_mod_hb_1';
const HB2 = 'omsplay_mod_hb_2';

const HA = {
  enable: true,
  checkRequestIntervalSec: 600,
  enableHost: false,
  enableStore: true,
  subtopicStoreNumberThreshold: 5,
  refetchStoreIntervalMin: 30,
  perceiveStoreClientCheckpoint: false,
  clearAbnormalResourceHours: 72,
  enableConnector: true,
};

let t: Target;
let admin: mysql.Connection;
const login = () => ({ login_host: t.db.host, login_port: t.db.port, login_user: USER, login_password: PW });
const haNow = async () => {
  const [r] = await admin.query(`SELECT cfg_value FROM ${RM}.oms_normal_config WHERE cfg_name = 'ha.config'`);
  return JSON.parse((r as Array<{ cfg_value: string }>)[0]!.cfg_value);
};

beforeAll(async () => {
  t = await getTarget();
  admin = await t.admin();
  await admin.query(`DROP USER IF EXISTS ${USER}@'%'`);
  await admin.query(`CREATE USER ${USER}@'%' IDENTIFIED BY ?`, [PW]);
  await admin.query(`GRANT ALL ON *.* TO ${USER}@'%'`);
  for (const db of [RM, CM, HB1, HB2]) {
    await admin.query(`DROP DATABASE IF EXISTS ${db}`);
    await admin.query(`CREATE DATABASE ${db}`);
  }
  await admin.query(`CREATE TABLE ${RM}.oms_normal_config (id int AUTO_INCREMENT PRIMARY KEY, cfg_name varchar(128) UNIQUE, cfg_value text NOT NULL, gmt_modified datetime NOT NULL DEFAULT '2020-01-01 00:00:00')`);
  await admin.query(`INSERT INTO ${RM}.oms_normal_config (cfg_name, cfg_value) VALUES ('ha.config', ?), ('oms.alarm.enable', 'false')`, [JSON.stringify(HA)]);
  await admin.query(`CREATE TABLE ${CM}.resource_group (id bigint AUTO_INCREMENT PRIMARY KEY, name varchar(64))`);
  await admin.query(`INSERT INTO ${CM}.resource_group (id, name) VALUES (1, 'hangzhou'), (2, 'beijing')`);
  await admin.query(`CREATE TABLE ${CM}.host (id bigint AUTO_INCREMENT PRIMARY KEY, resource_group_id bigint, ip varchar(64))`);
  await admin.query(`INSERT INTO ${CM}.host (resource_group_id, ip) VALUES (1, '10.77.4.11'), (1, '10.77.4.12'), (2, '10.77.4.13')`);
  for (const db of [HB1, HB2]) {
    await admin.query(`CREATE TABLE ${db}.heatbeat_sequence (id bigint AUTO_INCREMENT PRIMARY KEY, gmt_created datetime, gmt_modified datetime)`);
  }
  await admin.query(`INSERT INTO ${HB1}.heatbeat_sequence (gmt_created, gmt_modified) SELECT NOW() - INTERVAL seq MINUTE, NOW() - INTERVAL seq MINUTE FROM ${HB1}.seq_0_to_99`);
  await admin.query(`INSERT INTO ${HB2}.heatbeat_sequence (gmt_created, gmt_modified) VALUES (NOW() - INTERVAL 1 HOUR, NOW() - INTERVAL 1 HOUR)`);
});

afterAll(async () => {
  for (const db of [RM, CM, HB1, HB2]) await admin?.query(`DROP DATABASE IF EXISTS ${db}`);
  await admin?.query(`DROP USER IF EXISTS ${USER}@'%'`);
  await admin?.end();
});

describe('mysql.query', () => {
  it('reads with bound parameters and reports rows', async () => {
    const r = await mysqlQuery.run({ ...login(), statements: [{ sql: `SELECT ip FROM ${CM}.host WHERE resource_group_id = ? ORDER BY ip`, params: [1] }] }, ctxFor(t));
    expect(r).toMatchObject({ changed: false, rows: [{ ip: '10.77.4.11' }, { ip: '10.77.4.12' }] });
    // a parameter is never pasted into the SQL
    const inj = await mysqlQuery.run({ ...login(), statements: [{ sql: `SELECT COUNT(*) AS n FROM ${CM}.host WHERE ip = ?`, params: ["x' OR '1'='1"] }] }, ctxFor(t));
    expect(inj.rows).toEqual([{ n: 0 }]);
  });

  // MySQL refuses the vendor's `delete ... where id < (select max(id) from heatbeat_sequence)` with
  // error 1093 (MariaDB >= 10.3.1 accepts it); reading the max first into a session variable works on both.
  it('cleans the heartbeat table in a form MySQL and MariaDB accept', async () => {
    const stmts = ['SELECT MAX(id) INTO @hb_max FROM heatbeat_sequence', 'DELETE FROM heatbeat_sequence WHERE id < @hb_max'];
    const check = await mysqlQuery.run({ ...login(), database: HB1, transaction: true, statements: stmts }, ctxFor(t, { check: true }));
    expect(check).toMatchObject({ changed: true });
    expect(check.msg).toMatch(/would run 1 statement\(s\): DELETE/);
    const [[c0]] = (await admin.query(`SELECT COUNT(*) AS n FROM ${HB1}.heatbeat_sequence`)) as unknown as [[{ n: number }]];
    expect(c0.n).toBe(100);
    const r = await mysqlQuery.run({ ...login(), database: HB1, transaction: true, statements: stmts }, ctxFor(t));
    expect(r).toMatchObject({ changed: true, affected_rows: 99 });
    const [[c1]] = (await admin.query(`SELECT COUNT(*) AS n, MAX(id) AS m FROM ${HB1}.heatbeat_sequence`)) as unknown as [[{ n: number; m: number }]];
    expect(c1).toEqual({ n: 1, m: 100 });
    const again = await mysqlQuery.run({ ...login(), database: HB1, transaction: true, statements: stmts }, ctxFor(t));
    expect(again).toMatchObject({ changed: false, affected_rows: 0 });
  });

  it('rolls a transaction back when a statement fails, and counts DDL as changed', async () => {
    await expect(
      mysqlQuery.run({ ...login(), database: RM, transaction: true, statements: ["UPDATE oms_normal_config SET cfg_value = 'x' WHERE cfg_name = 'oms.alarm.enable'", 'SELECT * FROM no_such_table'] }, ctxFor(t)),
    ).rejects.toThrow(/no_such_table/);
    const [[v]] = (await admin.query(`SELECT cfg_value AS v FROM ${RM}.oms_normal_config WHERE cfg_name = 'oms.alarm.enable'`)) as unknown as [[{ v: string }]];
    expect(v.v).toBe('false');
    const ddl = await mysqlQuery.run({ ...login(), database: RM, statements: ['CREATE TABLE t_ddl (a int)', 'DROP TABLE t_ddl'] }, ctxFor(t));
    expect(ddl.changed).toBe(true);
  });

  it('fails clearly with a wrong password, without showing it', async () => {
    const ctx = ctxFor(t);
    const err = await mysqlQuery.run({ ...login(), login_password: 'wrong pass 123', statements: ['SELECT 1'] }, ctx).catch((e: Error) => e);
    expect(String((err as Error).message)).toMatch(/cannot connect to the MetaDB .*Access denied/);
    expect(ctx.masker.mask('wrong pass 123')).toBe('********');
  });
});

describe('oms.param', () => {
  const args = () => ({ ...login(), rm_database: RM, name: 'ha.config' });

  it('changes the named fields and keeps every other field intact', async () => {
    const check = await omsParam.run({ ...args(), set: { enable: false } }, ctxFor(t, { check: true, diff: true }));
    expect(check).toMatchObject({ changed: true, changed_fields: ['enable'] });
    expect(check.diff?.before).toContain('"enable": true');
    expect(check.diff?.after).toContain('"enable": false');
    expect(await haNow()).toEqual(HA); // check mode wrote nothing

    const r = await omsParam.run({ ...args(), set: { enable: false } }, ctxFor(t));
    expect(r).toMatchObject({ changed: true, before: HA, value: { ...HA, enable: false }, changed_fields: ['enable'] });
    const [[m]] = (await admin.query(`SELECT gmt_modified > NOW() - INTERVAL 1 MINUTE AS recent FROM ${RM}.oms_normal_config WHERE cfg_name = 'ha.config'`)) as unknown as [[{ recent: number }]];
    expect(m.recent).toBe(1);
    expect(await haNow()).toEqual({ ...HA, enable: false });
    expect(Object.keys(await haNow())).toEqual(Object.keys(HA));

    const again = await omsParam.run({ ...args(), set: { enable: false } }, ctxFor(t));
    expect(again).toMatchObject({ changed: false, changed_fields: [] });

    const two = await omsParam.run({ ...args(), set: { enable: true, refetchStoreIntervalMin: 95 } }, ctxFor(t));
    expect(two.changed_fields).toEqual(['enable', 'refetchStoreIntervalMin']);
    expect(await haNow()).toEqual({ ...HA, refetchStoreIntervalMin: 95 });

    // the whole value put back, as the rollback does
    const back = await omsParam.run({ ...args(), value: r.before as Record<string, unknown> }, ctxFor(t));
    expect(back.changed_fields).toEqual(['refetchStoreIntervalMin']);
    expect(await haNow()).toEqual(HA);
    // the other parameters untouched
    const [[o]] = (await admin.query(`SELECT cfg_value AS v FROM ${RM}.oms_normal_config WHERE cfg_name = 'oms.alarm.enable'`)) as unknown as [[{ v: string }]];
    expect(o.v).toBe('false');
  });

  it('reads only without set/value, and fails on a missing parameter', async () => {
    const r = await omsParam.run(args(), ctxFor(t));
    expect(r).toMatchObject({ changed: false, value: HA });
    await expect(omsParam.run({ ...args(), name: 'no.such' }, ctxFor(t))).rejects.toThrow(/not found/);
  });
});

describe('oms.servers', () => {
  const args = () => ({ ...login(), cm_database: CM, heartbeat_databases: { hangzhou: HB1, beijing: HB2 }, max_age: 120 });

  it('says Online for registered servers with a recent region heartbeat', async () => {
    await admin.query(`INSERT INTO ${HB1}.heatbeat_sequence (gmt_created, gmt_modified) VALUES (NOW(), NOW())`);
    const r = await omsServers.run({ ...args(), servers: ['10.77.4.11', '10.77.4.12'] }, ctxFor(t));
    expect(r).toMatchObject({ changed: false, online: true, offline: [] });
    expect((r.servers as Array<{ region: string }>)[0]!.region).toBe('hangzhou');
  });

  it('fails listing the offline servers and why', async () => {
    const err = (await omsServers.run({ ...args(), servers: ['10.77.4.11', '10.77.4.13', '10.77.4.99'] }, ctxFor(t)).catch((e) => e)) as Error & {
      result: { offline: string[] };
    };
    expect(err.message).toMatch(/2 of 3 OMS server\(s\) not Online/);
    expect(err.message).toMatch(/10\.77\.4\.13 \(last heartbeat \d+s ago/);
    expect(err.message).toMatch(/10\.77\.4\.99 \(not registered in cm.host\)/);
    expect(err.result.offline).toEqual(['10.77.4.13', '10.77.4.99']);
  });

  it('waits until the heartbeat comes back within the timeout', async () => {
    setTimeout(() => void admin.query(`INSERT INTO ${HB2}.heatbeat_sequence (gmt_created, gmt_modified) VALUES (NOW(), NOW())`), 1500);
    const r = await omsServers.run({ ...args(), servers: ['10.77.4.13'], timeout: 10, interval: 1 }, ctxFor(t));
    expect(r.online).toBe(true);
    expect(r.attempts).toBeGreaterThan(1);
  });
});
