import { describe, expect, it } from 'vitest';
import { runsInCheckMode, statementKind } from '../../../../lib/commands/sql/statement-kind.js';
import { statementChanged } from '../../../../lib/modules/mysql/query.js';
import { changedFields, mergeParam } from '../../../../lib/modules/oms/param.js';
import { judge } from '../../../../lib/modules/oms/servers.js';
import { healthOk, lastLine } from '../../../../lib/modules/oms/health.js';

describe('statement kinds', () => {
  it.each([
    ['SELECT 1', 'read'],
    ['  -- comment\n select * from t', 'read'],
    ['/* hi */ SHOW TABLES', 'read'],
    ['(SELECT 1) UNION (SELECT 2)', 'read'],
    ['SELECT MAX(id) INTO @m FROM heatbeat_sequence', 'read'],
    ["SELECT * FROM t INTO OUTFILE '/tmp/x'", 'other'],
    ['WITH x AS (SELECT 1) SELECT * FROM x', 'read'],
    ['WITH x AS (SELECT 1) DELETE FROM t WHERE id IN (SELECT * FROM x)', 'dml'],
    ['delete from heatbeat_sequence where id < @m', 'dml'],
    ['UPDATE t SET a=1', 'dml'],
    ['CREATE TABLE t (id int)', 'ddl'],
    ['drop database x', 'ddl'],
    ['SET @a = 1', 'session'],
    ['SET NAMES utf8mb4', 'session'],
    ['SET GLOBAL max_connections = 10', 'ddl'],
    ['BEGIN', 'transaction'],
  ])('%s -> %s', (sql, kind) => {
    expect(statementKind(sql)).toBe(kind);
  });

  it('runs only reads and session statements in check mode', () => {
    expect(runsInCheckMode('read')).toBe(true);
    expect(runsInCheckMode('session')).toBe(true);
    expect(runsInCheckMode('dml')).toBe(false);
    expect(runsInCheckMode('ddl')).toBe(false);
  });

  it('means changed for DDL and for DML that touched rows', () => {
    expect(statementChanged({ sql: '', kind: 'ddl', affected_rows: 0 })).toBe(true);
    expect(statementChanged({ sql: '', kind: 'dml', affected_rows: 0 })).toBe(false);
    expect(statementChanged({ sql: '', kind: 'dml', affected_rows: 3 })).toBe(true);
    expect(statementChanged({ sql: '', kind: 'read', rows: [] })).toBe(false);
  });
});

describe('oms.param merge', () => {
  const ha = { enable: true, refetchStoreIntervalMin: 30, perceiveStoreClientCheckpoint: false, enableStore: true };
  it('sets fields and keeps the others (and their order)', () => {
    const after = mergeParam(ha, { enable: false }, undefined);
    expect(after).toEqual({ ...ha, enable: false });
    expect(Object.keys(after)).toEqual(Object.keys(ha));
    expect(changedFields(ha, after)).toEqual(['enable']);
  });
  it('finds nothing to change when the fields already match', () => {
    expect(changedFields(ha, mergeParam(ha, { enable: true, refetchStoreIntervalMin: 30 }, undefined))).toEqual([]);
  });
  it('puts a whole value back', () => {
    expect(changedFields({ ...ha, enable: false, extra: 1 }, mergeParam({ ...ha, enable: false, extra: 1 }, undefined, ha))).toEqual(['enable', 'extra']);
  });
});

describe('server and health judgement', () => {
  it('defines Online as registered AND a recent region heartbeat', () => {
    expect(judge('10.0.0.1', { region: 'hz' }, 'hb1', 5, 120).online).toBe(true);
    expect(judge('10.0.0.1', undefined, 'hb1', 5, 120).reason).toBe('not registered in cm.host');
    expect(judge('10.0.0.1', { region: 'hz' }, 'hb1', 500, 120).reason).toMatch(/500s ago/);
    expect(judge('10.0.0.1', { region: 'hz' }, 'hb1', null, 120).reason).toMatch(/no heartbeat/);
    expect(judge('10.0.0.1', { region: 'hz' }, null, null, 120).reason).toMatch(/no heartbeat database/);
  });
  it('reads data.healthy and the last log line', () => {
    expect(healthOk('{"success":true,"data":{"healthy":true}}').ok).toBe(true);
    expect(healthOk('{"data":{"healthy":"true"}}').ok).toBe(false);
    expect(healthOk('<html>').ok).toBe(false);
    expect(lastLine('a\nOMS service start successfully\n\n', 'warn\n')).toBe('OMS service start successfully');
    expect(lastLine('', 'only err\n')).toBe('only err');
  });
});
