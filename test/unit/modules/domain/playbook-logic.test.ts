/**
 * The decisions that used to be Handlebars expressions or shell inside the upgrade playbooks, now modules:
 * the dumps fit on the backup disk (mysql.dump_space), where docker_init.sh runs (oms.init_mode), a dump is the one
 * the upgrade wrote (mysql.verify_dump), and what a person must do for a host the rescue could not put back
 * (oms.rescue_steps), and when rollback.yml itself stopped (oms.rollback_stopped). The modules that read the host run over a real local connection.
 */
import { writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freeBytesAt, parseFreeBytes } from '../../../../lib/commands/disk.js';
import { TaskFailedError } from '../../../../lib/errors.js';
import { dumpSpace, mysqlDumpSpace } from '../../../../lib/modules/mysql/dump-space.js';
import { dumpProblem, mysqlVerifyDump } from '../../../../lib/modules/mysql/verify-dump.js';
import { haValueAfterRollback, omsHaValue } from '../../../../lib/modules/oms/ha-value.js';
import { initMode, omsInitMode } from '../../../../lib/modules/oms/init-mode.js';
import { type RescueStepsArgs, rescueSteps } from '../../../../lib/modules/oms/rescue-steps.js';
import { rollbackStoppedText } from '../../../../lib/modules/oms/rollback-stopped.js';
import { makeContext, tempDir } from '../generic/context.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

async function failure(p: Promise<unknown>): Promise<TaskFailedError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TaskFailedError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

describe('mysql.dump_space', () => {
  const sizes = [
    { db: 'rm', bytes: 1000 },
    { db: 'cm', bytes: '500' },
    { db: 'other', bytes: 10_000_000 },
  ];

  it('counts only the databases dumped, times the margin, against the free bytes', () => {
    expect(dumpSpace(3001, sizes, ['rm', 'cm'], 2)).toEqual({ bytes: 1500, needed: 3000, fits: true, unsized: [] });
    expect(dumpSpace(3000, sizes, ['rm', 'cm'], 2).fits).toBe(false);
    expect(dumpSpace(1800, sizes, ['rm', 'cm', 'hb'], 1.2)).toEqual({ bytes: 1500, needed: 1800, fits: false, unsized: ['hb'] });
  });

  it('measures the nearest existing directory of a path not created yet', async () => {
    const out = await makeContext().exec({ argv: freeBytesAt(join(tmp.dir, 'backups', 'run-1')) });
    const { dir, free } = parseFreeBytes(out.stdout);
    expect(dir).toBe(tmp.dir);
    expect(free).toBeGreaterThan(0);
  });

  it('passes with the figures when the dumps fit, fails naming them when not', async () => {
    const ok = await mysqlDumpSpace.run({ dir: join(tmp.dir, 'x'), sizes, databases: ['rm'], margin: 2 }, makeContext());
    expect(ok).toMatchObject({ changed: false, bytes: 1000, needed: 2000, fits: true, measured_dir: tmp.dir });
    const e = await failure(mysqlDumpSpace.run({ dir: tmp.dir, sizes: [{ db: 'rm', bytes: 1e18 }], databases: ['rm'], margin: 2 }, makeContext()));
    expect(e.message).toMatch(new RegExp(`^\\d+ bytes free at ${tmp.dir} \\(${tmp.dir}\\); the databases take 1000000000000000000 bytes and the margin is 2x: the dumps may not fit$`));
    expect(e.result).toMatchObject({ fits: false, needed: 2e18 });
    expect((await failure(mysqlDumpSpace.run({ dir: tmp.dir, sizes, databases: ['rm'], margin: '0' }, makeContext()))).message).toContain('margin must be a positive number');
  });
});

describe('oms.init_mode', () => {
  it('auto: once per region when every node has the same config.yaml, else on every node', () => {
    expect(initMode('auto', ['a', 'a', 'a']).mode).toBe('region');
    expect(initMode('auto', ['a']).mode).toBe('region');
    expect(initMode('auto', ['a', 'b'])).toEqual({ mode: 'node', reason: "the region's nodes have 2 different config.yaml files" });
    // A node whose config was not read cannot be shown to share it.
    expect(initMode('auto', ['a', null]).mode).toBe('node');
    expect(initMode('auto', []).mode).toBe('node');
  });

  it('region or node set by oms_docker_init wins over the configs', () => {
    expect(initMode('node', ['a', 'a']).mode).toBe('node');
    expect(initMode('region', ['a', 'b']).mode).toBe('region');
  });

  it('the module says which and why; an unknown setting (from the inventory) fails', async () => {
    expect(await omsInitMode.run({ setting: 'auto', configs: ['s', 's'] }, makeContext())).toMatchObject({ mode: 'region', msg: "docker_init.sh: once per region (the region's 2 node(s) share one config.yaml)" });
    expect((await failure(omsInitMode.run({ setting: 'every', configs: [] }, makeContext()))).message).toBe('oms_docker_init must be auto, region or node (got every)');
  });
});

describe('mysql.verify_dump', () => {
  const DUMP = '-- MySQL dump\nCREATE TABLE t (id int);\n-- Dump completed on 2026-01-01 10:00:00\n';
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  const file = (name: string, text: string) => {
    const p = join(tmp.dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('the decision: missing or empty, checksum, trailer, in that order', () => {
    expect(dumpProblem('/d.sql', undefined, 'x')).toBe('missing or empty: /d.sql');
    expect(dumpProblem('/d.sql', { size: 0, sha256: 'e', tail: '' }, 'e')).toBe('missing or empty: /d.sql');
    expect(dumpProblem('/d.sql', { size: 5, sha256: 'a', tail: '-- Dump completed on x' }, 'b')).toBe('checksum mismatch: /d.sql (sha256 a, recorded b)');
    expect(dumpProblem('/d.sql', { size: 5, sha256: 'a', tail: 'INSERT' }, 'a')).toBe('truncated (no completion trailer): /d.sql');
    expect(dumpProblem('/d.sql', { size: 5, sha256: 'a', tail: '-- Dump completed on 2026-01-01 10:00:00\n' }, 'a')).toBeUndefined();
  });

  it('verifies a real file; each fault fails with its reason and the path', async () => {
    const good = file('good.sql', DUMP);
    expect(await mysqlVerifyDump.run({ path: good, sha256: sha(DUMP) }, makeContext())).toMatchObject({ changed: false, completed: true, size: DUMP.length, sha256: sha(DUMP) });
    expect((await failure(mysqlVerifyDump.run({ path: join(tmp.dir, 'none.sql'), sha256: sha(DUMP) }, makeContext()))).message).toBe(`missing or empty: ${join(tmp.dir, 'none.sql')}`);
    const altered = file('altered.sql', `${DUMP}-- changed after the backup\n`);
    expect((await failure(mysqlVerifyDump.run({ path: altered, sha256: sha(DUMP) }, makeContext()))).message).toMatch(new RegExp(`^checksum mismatch: ${altered} `));
    const cut = DUMP.slice(0, 30);
    const truncated = file('cut.sql', cut);
    expect((await failure(mysqlVerifyDump.run({ path: truncated, sha256: sha(cut) }, makeContext()))).message).toBe(`truncated (no completion trailer): ${truncated}`);
  });
});

describe('oms.rescue_steps', () => {
  const base: RescueStepsArgs = {
    host: 'h3',
    unreachable: true,
    unreachable_reason: 'connection to 10.0.0.3 lost',
    phase: 'backed_up',
    site: { old_container: 'oms_331', new_container: 'oms_400', old_restart_policy: 'unless-stopped' },
    inventory_file: 'prod.yml',
    run_id: 'RUN1',
    ha_left_off: '',
  };
  const commands = (t: string) => [...t.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

  it('an unreachable host: the lock, then the rollback (or the same by hand), in order', () => {
    const t = rescueSteps(base);
    expect(t).toMatch(/^h3 was NOT put back: it could not be reached \(connection to 10\.0\.0\.3 lost\)\. /);
    expect(commands(t)).toEqual([
      'omsplay unlock oms-upgrade -i prod.yml -l h3',
      'omsplay run rollback.yml -i prod.yml --from-run RUN1 --yes',
      'sudo docker rm -f oms_400',
      'sudo docker update --restart unless-stopped oms_331',
      'sudo docker start oms_331',
      'sudo docker logs --tail 1 oms_331',
    ]);
    expect(t).toContain('it stops the new containers, removes');
    expect(t).not.toContain('HA was left off');
  });

  it('from init_started on, the rollback it names restores the MetaDB; HA left off is said', () => {
    const t = rescueSteps({ ...base, phase: 'init_started', ha_left_off: 'sh' });
    expect(t).toContain("it stops every OMS container of the site, restores the MetaDB from this run's dumps, removes");
    expect(t).toContain('(HA was left off: sh had no running OMS)');
    expect(rescueSteps({ ...base, phase: '' })).toContain('it stops the new containers, removes');
  });

  it('a host a rescue step failed on: start docker, then the containers by hand', () => {
    const t = rescueSteps({ ...base, unreachable: false, failed_reason: 'task "Rollback: x": docker daemon not running' });
    expect(t).toMatch(/^h3 was NOT put back: task "Rollback: x": docker daemon not running\. /);
    expect(commands(t)).toEqual(['sudo systemctl start docker', 'sudo docker rm -f oms_400', 'sudo docker update --restart unless-stopped oms_331', 'sudo docker start oms_331', 'sudo docker logs --tail 1 oms_331']);
  });

  it('without what preflight recorded, placeholders; an unknown phase fails', () => {
    const t = rescueSteps({ ...base, site: undefined, unreachable_reason: '' });
    expect(t).toContain('(unreachable during the rescue)');
    expect(t).toContain('`sudo docker start <old container>`');
    expect(() => rescueSteps({ ...base, phase: 'backedup' })).toThrow('did you mean `backed_up`?');
  });
});

describe('oms.rollback_stopped', () => {
  const base = { task: 'Rollback: every host of the site can be reached', reason: 'h3 unreachable', inventory_file: 'prod.yml', run_id: 'RUN1' };

  it('names each unreachable host with the containers that may still run there, then how to go on', () => {
    const t = rollbackStoppedText({ ...base, unreachable: ['h3', 'h4'], hosts: { h3: { site: { old_container: 'oms_331', new_container: 'oms_400' } } } });
    expect(t).toMatch(/^The rollback stopped at "Rollback: every host of the site can be reached": h3 unreachable\. /);
    expect(t).toContain('h3 could not be reached to make sure oms_331 and oms_400 are stopped there: no database is dropped until that is sure.');
    // A host the upgrade recorded nothing for: no containers to name, so no OMS container may run there.
    expect(t).toContain('h4 could not be reached to make sure no OMS container runs there (run RUN1 recorded no containers for it)');
    expect(t).toMatch(/omsplay unlock oms-upgrade -i prod\.yml -l HOST, after checking its run is gone\), run the same rollback again: omsplay run rollback\.yml -i prod\.yml --from-run RUN1 --yes$/);
  });

  it('a stop with every host reachable says only where, why and how to go on', () => {
    const t = rollbackStoppedText({ ...base, unreachable: [] });
    expect(t).not.toContain('could not be reached');
    expect(t).toContain('--from-run RUN1 --yes');
  });

  it('without the run id (no --from-run) it refuses rather than print a rollback command naming no run', () => {
    expect(() => rollbackStoppedText({ ...base, run_id: ' ' })).toThrow('How to go on cannot be said: run_id is empty (was rollback.yml run without --from-run?)');
  });
});

describe('oms.ha_value', () => {
  const T1 = '2026-01-01T10:00:00Z';
  const on = { enable: true, perceiveStoreClientCheckpoint: false, refetchStoreIntervalMin: 5, other: 'kept' };

  it('HA on without perceiveStoreClientCheckpoint: refetchStoreIntervalMin = ceil(minutes since T1) + margin, other fields kept', () => {
    expect(haValueAfterRollback(on, T1, 30, '2026-01-01T10:41:10Z')).toEqual({ value: { ...on, refetchStoreIntervalMin: 72 }, refetch_minutes: 72 });
    expect(haValueAfterRollback(on, T1, 0, '2026-01-01T10:05:00Z').refetch_minutes).toBe(5);
  });

  it('HA off, perceiveStoreClientCheckpoint on, or no T1: the value goes back as it was', () => {
    const now = '2026-01-01T11:00:00Z';
    expect(haValueAfterRollback({ ...on, enable: false }, T1, 30, now)).toEqual({ value: { ...on, enable: false }, refetch_minutes: null });
    expect(haValueAfterRollback({ ...on, perceiveStoreClientCheckpoint: true }, T1, 30, now).refetch_minutes).toBeNull();
    expect(haValueAfterRollback(on, '', 30, now)).toEqual({ value: on, refetch_minutes: null });
  });

  it('the module takes the recorded value as an object or JSON text; a bad T1 fails clearly', async () => {
    const r = await omsHaValue.run({ before: JSON.stringify(on), t1: T1, margin: '30', now: '2026-01-01T10:10:00Z' }, makeContext());
    expect(r).toMatchObject({ value: { refetchStoreIntervalMin: 40, other: 'kept' }, refetch_minutes: 40, msg: 'ha.config goes back with refetchStoreIntervalMin 40' });
    expect((await failure(omsHaValue.run({ before: on, t1: 'yesterday' }, makeContext()))).message).toContain('cannot compute refetchStoreIntervalMin: minutes_between: "yesterday" is not a time');
    expect((await failure(omsHaValue.run({ before: '[1]' }, makeContext()))).message).toContain('before is not a JSON object');
  });
});
