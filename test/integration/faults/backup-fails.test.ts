/**
 * Fault: mysqldump fails during the upgrade (#5's failure model: after the old containers stopped,
 * before docker_init.sh). Two real causes:
 *  - a wrong password: the MetaDB has a stale account for the backup host ('oms'@<control node>, an old
 *    password) while the SQL steps reach the MetaDB through h1 (oms_metadb_via), where the right one applies;
 *  - the backup directory's filesystem full: a small tmpfs on the control node, filled by something else
 *    between preflight's free-space check and the backup.
 * Each time: nothing dropped or changed in the MetaDB (table by table, heartbeat tables aside), the rescue
 * started the old containers again (restart policy back) and put HA back, the message says which database
 * and why, no partial dump is left, and the run lock is released.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import { getSite } from '../../lab/oms/context.js';
import { writeSiteInventory } from '../../lab/oms/inventory.js';
import { rootConnection } from '../../lab/oms/seed.js';
import { haConfig, inspectContainer, resetSite, schemaVersion } from '../../lab/oms/site.js';
import type { CliResult } from '../../support/omsplay.js';
import { type Event, explain, metadbChecksums, startOmsplay } from './helpers.js';

const run = promisify(execFile);
const { lab, site } = getSite();
const env = { OMSPLAY_HOME: join(lab.dir, 'omsplay-home-faults') };
const HOSTS = site.hosts.map((h) => h.name);
const BACKUP_TASK = 'Back up: mysqldump --triggers=false each database';
const cfgTable = (t: string) => t.endsWith('.oms_normal_config');
const withoutCfg = (sums: Record<string, number | null>) => Object.fromEntries(Object.entries(sums).filter(([t]) => !cfgTable(t)));

/** The site is on the old version again, with the MetaDB as before (ha.config compared field by field). */
async function expectSiteBack(r: CliResult, before: Record<string, number | null>, haBefore: Record<string, unknown>): Promise<void> {
  expect(r.events.some((e) => e.type === 'on_failure'), 'the rescue ran').toBe(true);
  for (const h of HOSTS) {
    const old = await inspectContainer(lab, h, site.containers.old);
    expect(old?.State.Running, `${site.containers.old} runs again on ${h}`).toBe(true);
    expect(old.HostConfig.RestartPolicy.Name).toBe(site.restartPolicy);
    expect(await inspectContainer(lab, h, site.containers.new), `no ${site.containers.new} on ${h}`).toBeUndefined();
  }
  const rescued = r.events.filter((e) => e.type === 'task_result' && e.task === 'Rollback: the old container is healthy');
  expect(rescued.map((e) => e.status).sort()).toEqual(HOSTS.map(() => 'ok'));
  const version = await schemaVersion(site);
  expect([version.rm, version.cm, ...Object.values(version.heartbeat)]).toEqual([site.oldVersion, site.oldVersion, ...site.regions.map(() => site.oldVersion)]);
  expect(withoutCfg(await metadbChecksums(site))).toEqual(withoutCfg(before));
  // HA back on, every field as it was; refetchStoreIntervalMin covers the time since T1 (README, #5).
  const ha = await haConfig(site);
  for (const [k, v] of Object.entries(haBefore)) if (k !== 'refetchStoreIntervalMin') expect(ha[k], `ha.config ${k}`).toEqual(v);
  expect(r.events.find((e) => e.type === 'lock' && e.state === 'released')?.hosts.length).toBe(HOSTS.length);
}

function backupFailure(r: CliResult): Event {
  const failed = r.events.find((e) => e.type === 'task_result' && e.status === 'failed');
  expect(failed?.task, explain(r)).toBe(BACKUP_TASK);
  return failed!;
}

describe('mysqldump fails during the upgrade', () => {
  beforeEach(async () => {
    await resetSite(lab, site);
  });

  it('a wrong password for the backup host: which database and why, nothing changed, the site put back', async () => {
    const control = lab.mariadb!.host;
    const db = await rootConnection(site);
    // A stale account for the control node (where mysqldump runs): MySQL picks it over 'oms'@'%' for that address.
    await db.query(`CREATE USER IF NOT EXISTS 'oms'@'${control}' IDENTIFIED BY 'an old password'`);
    const backupDir = join(lab.dir, 'faults-backups-password');
    try {
      const inv = await writeSiteInventory(lab, site, {
        file: join(lab.dir, 'faults-backup-password.yml'),
        backupDir,
        vars: { oms_health_timeout: 60, oms_metadb_via: 'h1' },
      });
      const before = await metadbChecksums(site);
      const haBefore = await haConfig(site);
      const r = await startOmsplay(['run', 'upgrade.yml', '-i', inv, '--json'], { env }).done;
      expect(r.code, explain(r)).toBe(2);
      const failed = backupFailure(r);
      // Which database and why, in the message a person reads.
      expect(failed.result.msg).toMatch(/^4 of 4 items failed — oms_rm: command failed: mysqldump of oms_rm failed \(exit 2\): .*Access denied for user 'oms'@'[\d.]+' \(using password: YES\)/);
      expect(failed.result.msg).toContain('check login_user and login_password');
      expect(failed.result.msg).not.toContain(site.metadb.password);
      await expectSiteBack(r, before, haBefore);
      // No dump, partial or not, was left to be taken for a good one.
      const runId = r.events.find((e) => e.type === 'run_start')!.run_id;
      expect(await readdir(join(backupDir, runId))).toEqual([]);
    } finally {
      await db.query(`DROP USER IF EXISTS 'oms'@'${control}'`);
      await db.end();
    }
  });

  it('one dump fails while the others run in parallel: the upgrade stops before the new version touches the MetaDB, the site put back', async () => {
    const db = await rootConnection(site);
    const cm = site.databases.cm;
    // A view over a table that is gone: mysqldump of that one database fails (error 1356) part-way, the others succeed.
    await db.query(`CREATE TABLE ${db.escapeId(cm)}.omsplay_gone (a int)`);
    await db.query(`CREATE VIEW ${db.escapeId(cm)}.omsplay_broken AS SELECT a FROM ${db.escapeId(cm)}.omsplay_gone`);
    await db.query(`DROP TABLE ${db.escapeId(cm)}.omsplay_gone`);
    const backupDir = join(lab.dir, 'faults-backups-one');
    try {
      const inv = await writeSiteInventory(lab, site, { file: join(lab.dir, 'faults-backup-one.yml'), backupDir, vars: { oms_health_timeout: 60 } });
      const before = await metadbChecksums(site);
      const haBefore = await haConfig(site);
      const r = await startOmsplay(['run', 'upgrade.yml', '-i', inv, '--json'], { env }).done;
      expect(r.code, explain(r)).toBe(2);
      const failed = backupFailure(r);
      expect(failed.result.msg).toMatch(new RegExp(`^1 of 4 items failed — ${cm}: command failed: mysqldump of ${cm} failed \\(exit \\d+\\): .*omsplay_broken`));
      // The others ran to the end, each verified (sha256, trailer) — and nothing after the backup ran.
      const items = (failed.result.results as Array<Record<string, unknown>>).filter((x) => !x.failed);
      expect(items.map((x) => [x.completed, typeof x.sha256])).toEqual([[true, 'string'], [true, 'string'], [true, 'string']]);
      expect(r.events.some((e) => e.type === 'task_result' && /^(Start new|docker_init)/.test(String(e.task)))).toBe(false);
      await expectSiteBack(r, before, haBefore);
      const runId = r.events.find((e) => e.type === 'run_start')!.run_id;
      expect((await readdir(join(backupDir, runId))).filter((f) => f.endsWith('.partial')), 'no partial dump').toEqual([]);
    } finally {
      await db.query(`DROP VIEW IF EXISTS ${db.escapeId(cm)}.omsplay_broken`);
      await db.end();
    }
  });

  it('the backup filesystem full: which database and why, nothing changed, the site put back', async () => {
    const mnt = join(lab.dir, 'faults-full-tmpfs');
    await mkdir(mnt, { recursive: true });
    await run('mount', ['-t', 'tmpfs', '-o', 'size=32m,mode=0700', 'faults-full', mnt]);
    try {
      const inv = await writeSiteInventory(lab, site, { file: join(lab.dir, 'faults-backup-full.yml'), backupDir: mnt, vars: { oms_health_timeout: 60 } });
      const before = await metadbChecksums(site);
      const haBefore = await haConfig(site);
      const live = startOmsplay(['run', 'upgrade.yml', '-i', inv, '--json'], { env });
      // Preflight found enough room. Before the backup, something else fills the disk.
      await live.waitFor((e) => e.type === 'task_start' && e.task === 'Disable HA: set ha.config enable=false');
      process.kill(live.pid, 'SIGSTOP');
      try {
        const { stdout } = await run('df', ['-PB1', mnt]);
        const free = Number(stdout.trim().split('\n')[1]!.split(/\s+/)[3]);
        await run('fallocate', ['-l', String(free), join(mnt, 'something-else')]);
      } finally {
        process.kill(live.pid, 'SIGCONT');
      }
      const r = await live.done;
      expect(r.code, explain(r)).toBe(2);
      const failed = backupFailure(r);
      expect(failed.result.msg).toMatch(/^4 of 4 items failed — oms_rm: command failed: mysqldump of oms_rm failed \(exit \d+\): tee: \S+\/oms_rm\.sql\.partial: No space left on device\n {2}hint: the filesystem the file is written to is full/);
      await expectSiteBack(r, before, haBefore);
      const runId = r.events.find((e) => e.type === 'run_start')!.run_id;
      const left = await readdir(join(mnt, runId));
      expect(left.filter((f) => f.endsWith('.partial')), 'partial dumps removed').toEqual([]);
    } finally {
      await run('umount', [mnt]);
      await rm(mnt, { recursive: true, force: true });
    }
  });
});
