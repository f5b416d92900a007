/**
 * Fault: two `omsplay run upgrade.yml` against the same site at the same time. The upgrade (and the
 * rollback) take the run lock `oms-upgrade` (play keyword `lock:`) on every host before anything else;
 * a second run refuses at once, naming who holds it, and changes nothing. The lock goes when the run
 * ends (success, Ctrl-C); a run killed outright leaves it, and `omsplay unlock` breaks it.
 */
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { getSite } from '../../lab/oms/context.js';
import { writeSiteInventory } from '../../lab/oms/inventory.js';
import { haConfig, resetSite } from '../../lab/oms/site.js';
import { omsplay } from '../../support/omsplay.js';
import { explain, metadbChecksums, startOmsplay } from './helpers.js';
import { hostname, userInfo } from 'node:os';

const { lab, site } = getSite();
const env = { OMSPLAY_HOME: join(lab.dir, 'omsplay-home-faults') };
const HOSTS = site.hosts.map((h) => h.name);
const LOCK = '/var/lock/omsplay/oms-upgrade';

async function lockOwners(): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  for (const h of HOSTS) {
    const r = await lab.exec(h, ['cat', `${LOCK}/owner`]);
    out[h] = r.code === 0 ? r.stdout : null;
  }
  return out;
}

describe('the run lock of upgrade.yml / rollback.yml', () => {
  let inv: string;
  beforeEach(async () => {
    await resetSite(lab, site);
    inv = await writeSiteInventory(lab, site, { file: join(lab.dir, 'faults-lock.yml'), vars: { oms_health_timeout: 60 } });
    for (const h of HOSTS) await lab.exec(h, ['rm', '-rf', LOCK]);
  });

  it('a second upgrade refuses at once naming the holder, changes nothing, and the lock goes when the first ends', async () => {
    const before = await metadbChecksums(site);
    const haBefore = await haConfig(site);
    // The first run: preflight only (changes nothing), held still right after it took the lock.
    const first = startOmsplay(['run', 'upgrade.yml', '-i', inv, '--tags', 'preflight', '--json'], { env });
    const taken = await first.waitFor((e) => e.type === 'lock' && e.state === 'acquired');
    expect(taken.hosts).toEqual(HOSTS);
    process.kill(first.pid, 'SIGSTOP');
    let second: Awaited<ReturnType<typeof omsplay>>;
    let refusedMs: number;
    try {
      const owners = await lockOwners();
      const firstRun = first.events.find((e) => e.type === 'run_start')!.run_id;
      for (const h of HOSTS) {
        expect(owners[h], h).toContain(`run=${firstRun}\n`);
        expect(owners[h]).toContain(`pid=${first.pid}\n`);
        expect(owners[h]).toContain(`owner=${userInfo().username}@${hostname()}\n`);
      }
      const t0 = performance.now();
      second = await omsplay(['run', 'upgrade.yml', '-i', inv], { env });
      refusedMs = performance.now() - t0;
      expect(second.code, second.stdout + second.stderr).toBe(1);
      // Names who holds it, and how to break it.
      expect(second.stderr).toContain(`locked: "oms-upgrade" is locked on h1 by ${userInfo().username}@${hostname()} (run ${firstRun}, pid ${first.pid}, since `);
      expect(second.stderr).toContain(`omsplay unlock oms-upgrade -i ${inv}`);
      expect(second.stderr).toContain(`rm -rf ${LOCK}`);
      // Refused before any task: nothing ran.
      expect(second.stdout).not.toContain('TASK [');
      // The holder's lock is untouched.
      expect(await lockOwners()).toEqual(owners);
    } finally {
      process.kill(first.pid, 'SIGCONT');
    }
    // "At once": the whole CLI process (start-up, inventory, playbook, 3 SSH connections) in a few seconds.
    expect(refusedMs).toBeLessThan(15_000);
    const r = await first.done;
    expect(r.code, explain(r)).toBe(0);
    expect([...r.events.find((e) => e.type === 'lock' && e.state === 'released')!.hosts].sort()).toEqual(HOSTS);
    expect(await lockOwners()).toEqual({ h1: null, h2: null, h3: null });
    expect(await metadbChecksums(site)).toEqual(before);
    expect(await haConfig(site)).toEqual(haBefore);
  });

  it('Ctrl-C gives the lock back; a run killed outright leaves it, and omsplay unlock breaks it', async () => {
    const interrupted = startOmsplay(['run', 'upgrade.yml', '-i', inv, '--tags', 'preflight', '--json'], { env });
    await interrupted.waitFor((e) => e.type === 'lock' && e.state === 'acquired');
    process.kill(interrupted.pid, 'SIGINT');
    expect((await interrupted.done).code).toBe(99);
    expect(await lockOwners()).toEqual({ h1: null, h2: null, h3: null });

    const killed = startOmsplay(['run', 'upgrade.yml', '-i', inv, '--tags', 'preflight', '--json'], { env });
    await killed.waitFor((e) => e.type === 'lock' && e.state === 'acquired');
    process.kill(killed.pid, 'SIGKILL');
    await killed.done;
    const stale = await omsplay(['run', 'upgrade.yml', '-i', inv, '--tags', 'preflight'], { env });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(`pid ${killed.pid}`);

    const unlock = await omsplay(['unlock', 'oms-upgrade', '-i', inv], { env });
    expect(unlock.code, unlock.stdout + unlock.stderr).toBe(0);
    for (const h of HOSTS) expect(unlock.stdout).toMatch(new RegExp(`^${h}: removed ${LOCK}, held by .*pid ${killed.pid}`, 'm'));
    expect(await lockOwners()).toEqual({ h1: null, h2: null, h3: null });
    const again = await omsplay(['run', 'upgrade.yml', '-i', inv, '--tags', 'preflight'], { env });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(await lockOwners()).toEqual({ h1: null, h2: null, h3: null });
  });
});
