/**
 * A host lost after the backup (its sshd, PID 1 of the host, killed): the rescue puts back what it can reach, leaves
 * HA off while a region has no running OMS, reports the lost host as unreachable (not failed) with the steps to
 * finish; a rollback attempted while the host is still away refuses before any database is dropped, naming the host
 * and its containers; once the host is back, following the printed steps in order (the lock, then the rollback)
 * brings the whole site back. No database is dropped at any point: marker tables created after the backup survive.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getSite } from '../../lab/oms/context.js';
import { writeSiteInventory } from '../../lab/oms/inventory.js';
import { rootConnection } from '../../lab/oms/seed.js';
import { haConfig, inspectContainer, resetSite, schemaVersion } from '../../lab/oms/site.js';
import { omsplay } from '../../support/omsplay.js';
import { explain, metadbChecksums, startOmsplay } from './helpers.js';

const { lab, site } = getSite();
const env = { OMSPLAY_HOME: join(lab.dir, 'omsplay-home-lost-host') };
const LOST = 'h3';
const MARKER = 'omsplay_lost_host_marker';

async function markers(action: 'create' | 'count' | 'drop'): Promise<number> {
  const conn = await rootConnection(site);
  try {
    let n = 0;
    for (const db of site.databases.all) {
      const t = `${conn.escapeId(db)}.${conn.escapeId(MARKER)}`;
      if (action === 'create') await conn.query(`CREATE TABLE ${t} (id INT)`);
      if (action === 'drop') await conn.query(`DROP TABLE IF EXISTS ${t}`);
      if (action === 'count') {
        const [rows] = await conn.query('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name = ?', [db, MARKER]);
        n += Number((rows as { n: number }[])[0]?.n ?? 0);
      }
    }
    return n;
  } finally {
    await conn.end();
  }
}

describe('a host lost after the backup', () => {
  afterAll(async () => {
    if (!(await lab.isUp(LOST))) await lab.restart(LOST);
    await markers('drop');
    await resetSite(lab, site);
  });

  it('no database is dropped beside a running OMS; the recap says unreachable; the printed steps bring the site back', async () => {
    await resetSite(lab, site);
    const inv = await writeSiteInventory(lab, site, { file: join(lab.dir, 'faults-lost-host.yml'), vars: { oms_health_timeout: 60 } });
    const before = await metadbChecksums(site);
    const haBefore = await haConfig(site);

    const live = startOmsplay(['run', 'upgrade.yml', '-i', inv, '--json'], { env });
    await live.waitFor((e) => e.type === 'task_end' && e.task === 'Back up: done');
    process.kill(live.pid, 'SIGSTOP');
    try {
      expect(await lab.kill(LOST)).toBe(true);
      // Written after the backup: a restore from the dumps (or any DROP DATABASE) would remove them.
      await markers('create');
    } finally {
      process.kill(live.pid, 'SIGCONT');
    }
    const r = await live.done;
    expect(r.code, explain(r)).toBe(3);
    const runId = r.events.find((e) => e.type === 'run_start')!.run_id;

    // The recap: the lost host is unreachable, not failed.
    const recap = r.events.find((e) => e.type === 'recap')!;
    expect(recap.hosts[LOST].unreachable).toBeGreaterThan(0);
    expect(recap.hosts[LOST].failed).toBe(0);

    // The reachable hosts are back on the old version; HA stays off: region sh has no running OMS.
    for (const h of ['h1', 'h2']) expect((await inspectContainer(lab, h, site.containers.old))?.State.Running, h).toBe(true);
    expect((await haConfig(site)).enable).toBe(false);

    // The manual steps, printed (each item's message is in plain output too), in the order to follow.
    const manual = r.events.find((e) => e.type === 'task_result' && e.task === 'Rescue: manual steps for a host that was not put back')!;
    const msg = (manual.result.results as Array<{ lost: string; msg: string }>).find((i) => i.lost === LOST)!.msg;
    expect(msg).toMatch(/^h3 was NOT put back: it could not be reached/);
    expect(msg).toContain('HA was left off: sh had no running OMS');
    const commands = [...msg.matchAll(/`(omsplay [^`]+)`/g)].map((m) => m[1]!);
    expect(commands).toEqual([`omsplay unlock oms-upgrade -i ${inv} -l ${LOST}`, `omsplay run rollback.yml -i ${inv} --from-run ${runId} --yes`]);

    // A rollback while h3 is still away: refused before anything is dropped, naming the host and its containers.
    const early = await omsplay(['run', 'rollback.yml', '-i', inv, '--from-run', runId, '--yes', '--plain'], { env });
    expect(early.code, early.stdout).toBe(3);
    expect(early.stdout).toContain(`${LOST} could not be reached to make sure ${site.containers.old} and ${site.containers.new} are stopped there`);
    expect(early.stdout).not.toContain('TASK [Rollback: restore each database]');
    expect(early.stdout).toMatch(/h3\s+: ok=\d+\s+changed=\d+\s+unreachable=[1-9]\d*\s+failed=0/);
    expect(await markers('count')).toBe(site.databases.all.length);

    // h3 is back (its disk kept): follow the printed steps, in order.
    await lab.restart(LOST);
    for (const c of commands) {
      const step = await omsplay([...c.split(' ').slice(1), '--json'].filter((a) => !(c.startsWith('omsplay unlock') && a === '--json')), { env });
      expect(step.code, `${c}\n${step.stdout}${step.stderr}`).toBe(0);
    }

    // The whole site is back on the old version, HA as before, and no database was ever dropped.
    for (const h of site.hosts) {
      const old = await inspectContainer(lab, h.name, site.containers.old);
      expect(old?.State.Running, h.name).toBe(true);
      expect(old?.HostConfig.RestartPolicy.Name).toBe(site.restartPolicy);
      expect(await inspectContainer(lab, h.name, site.containers.new), h.name).toBeUndefined();
    }
    expect(await markers('count')).toBe(site.databases.all.length);
    await markers('drop');
    const cfg = (t: string) => t.endsWith('.oms_normal_config');
    const strip = (x: Record<string, number | null>) => Object.fromEntries(Object.entries(x).filter(([t]) => !cfg(t)));
    expect(strip(await metadbChecksums(site))).toEqual(strip(before));
    expect((await schemaVersion(site)).rm).toBe(site.oldVersion);
    const ha = await haConfig(site);
    for (const [k, v] of Object.entries(haBefore)) if (k !== 'refetchStoreIntervalMin') expect(ha[k], `ha.config ${k}`).toEqual(v);
  }, 400_000);

  it('after docker_init.sh, h3 cut off from the control node while its OMS keeps writing: no restore until it is stopped', async () => {
    await resetSite(lab, site);
    const inv = await writeSiteInventory(lab, site, { file: join(lab.dir, 'faults-lost-host.yml'), vars: { oms_health_timeout: 60 } });
    const before = await metadbChecksums(site);
    const haBefore = await haConfig(site);
    // SSH from the control node is reset (the established connection too); h3 and its containers run on.
    const rule = `INPUT -p tcp --dport 22 -s ${site.metadb.host} -j REJECT --reject-with tcp-reset`;
    const partition = (on: boolean) => lab.sh(LOST, `iptables ${on ? '-I' : '-D'} ${rule}`, { check: true });

    const live = startOmsplay(['run', 'upgrade.yml', '-i', inv, '--json'], { env });
    await live.waitFor((e) => e.type === 'task_start' && e.task === 'Verify: the new container is healthy');
    process.kill(live.pid, 'SIGSTOP');
    try {
      await partition(true);
      await markers('create');
    } finally {
      process.kill(live.pid, 'SIGCONT');
    }
    const r = await live.done;
    expect(r.code, explain(r)).toBe(3);
    const runId = r.events.find((e) => e.type === 'run_start')!.run_id;
    expect(r.events.find((e) => e.type === 'recap')!.hosts[LOST]).toMatchObject({ failed: 0 });
    // h3's new OMS still runs (and writes to the MetaDB): the rescue restored nothing and stopped what it reached.
    expect((await inspectContainer(lab, LOST, site.containers.new))?.State.Running).toBe(true);
    expect(r.events.some((e) => e.type === 'task_start' && e.task === 'Rollback: restore each database')).toBe(false);
    expect(await markers('count')).toBe(site.databases.all.length);
    for (const h of ['h1', 'h2']) expect((await inspectContainer(lab, h, site.containers.new))?.State.Running, h).toBe(false);
    expect((await haConfig(site)).enable).toBe(false);
    const manual = r.events.find((e) => e.type === 'task_result' && e.task === 'Rescue: manual steps for a host that was not put back')!;
    const msg = (manual.result.results as Array<{ lost: string; msg: string }>).find((i) => i.lost === LOST)!.msg;
    expect(msg).toContain("stops every OMS container of the site, restores the MetaDB from this run's dumps");
    const commands = [...msg.matchAll(/`(omsplay [^`]+)`/g)].map((m) => m[1]!);
    expect(commands).toEqual([`omsplay unlock oms-upgrade -i ${inv} -l ${LOST}`, `omsplay run rollback.yml -i ${inv} --from-run ${runId} --yes`]);

    // Still cut off: the rollback refuses, naming h3 and its containers; nothing dropped.
    const early = await omsplay(['run', 'rollback.yml', '-i', inv, '--from-run', runId, '--yes', '--plain'], { env });
    expect(early.code, early.stdout).toBe(3);
    expect(early.stdout).toContain(`${LOST} could not be reached to make sure ${site.containers.old} and ${site.containers.new} are stopped there`);
    expect(await markers('count')).toBe(site.databases.all.length);

    // Reachable again: the printed steps, in order. The restore starts only once no OMS container runs anywhere.
    await partition(false);
    const unlock = await omsplay(commands[0]!.split(' ').slice(1), { env });
    expect(unlock.code, unlock.stdout + unlock.stderr).toBe(0);
    const back = startOmsplay([...commands[1]!.split(' ').slice(1), '--json'], { env });
    await back.waitFor((e) => e.type === 'task_start' && e.task === 'Rollback: restore each database');
    process.kill(back.pid, 'SIGSTOP');
    try {
      for (const h of site.hosts) {
        const ps = await lab.docker(h.name, ['ps', '--format', '{{.Names}}']);
        expect(ps.stdout.trim(), `OMS containers running on ${h.name} when the restore starts`).toBe('');
      }
    } finally {
      process.kill(back.pid, 'SIGCONT');
    }
    const done = await back.done;
    expect(done.code, explain(done)).toBe(0);
    expect(await markers('count')).toBe(0);
    // ha.config's table is compared through its value (refetchStoreIntervalMin is recomputed on the way back).
    const cfg = (t: string) => t.endsWith('.oms_normal_config');
    const strip = (x: Record<string, number | null>) => Object.fromEntries(Object.entries(x).filter(([t]) => !cfg(t)));
    expect(strip(await metadbChecksums(site))).toEqual(strip(before));
    for (const h of site.hosts) expect((await inspectContainer(lab, h.name, site.containers.old))?.State.Running, h.name).toBe(true);
    const ha = await haConfig(site);
    for (const [k, v] of Object.entries(haBefore)) if (k !== 'refetchStoreIntervalMin') expect(ha[k], `ha.config ${k}`).toEqual(v);
  }, 400_000);
});
