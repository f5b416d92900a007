/**
 * Fault: the docker daemon of one host goes down during the upgrade, after the old containers were
 * stopped (the host stays reachable by SSH). The upgrade fails on that host; the rescue returns the
 * other hosts to the old version, puts HA back, and reports that host with the exact manual steps —
 * which, followed once its docker is back, bring it back too. MetaDB compared table by table.
 */
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { getSite } from '../../lab/oms/context.js';
import { writeSiteInventory } from '../../lab/oms/inventory.js';
import { haConfig, inspectContainer, resetSite, schemaVersion, waitHealthy } from '../../lab/oms/site.js';
import { explain, metadbChecksums, sleep, startOmsplay } from './helpers.js';

const { lab, site } = getSite();
const env = { OMSPLAY_HOME: join(lab.dir, 'omsplay-home-faults') };
const DOWN = 'h3';
const cfgTable = (t: string) => t.endsWith('.oms_normal_config');
const withoutCfg = (sums: Record<string, number | null>) => Object.fromEntries(Object.entries(sums).filter(([t]) => !cfgTable(t)));

async function dockerdPid(host: string): Promise<string> {
  return (await lab.exec(host, ['cat', '/run/docker.pid'])).stdout.trim();
}

describe('the docker daemon down on one host during the upgrade', () => {
  beforeEach(async () => {
    await resetSite(lab, site);
  });
  afterAll(async () => {
    // The host's docker back for the next tests: boot the host again (same disk).
    if ((await lab.exec(DOWN, ['docker', 'info'])).code !== 0) {
      await lab.kill(DOWN);
      await lab.restart(DOWN);
    }
  });

  it('the other hosts go back to the old version; that host is reported with manual steps that work', async () => {
    const inv = await writeSiteInventory(lab, site, { file: join(lab.dir, 'faults-docker-down.yml'), vars: { oms_health_timeout: 60 } });
    const before = await metadbChecksums(site);
    const haBefore = await haConfig(site);
    const live = startOmsplay(['run', 'upgrade.yml', '-i', inv, '--json'], { env });
    // Right after the old containers stopped, h3's dockerd goes down (SIGTERM, as a crash of the service would end it).
    await live.waitFor((e) => e.type === 'task_end' && e.task === 'Stop old containers: docker stop, restart policy no');
    process.kill(live.pid, 'SIGSTOP');
    try {
      const pid = await dockerdPid(DOWN);
      expect(pid).toMatch(/^\d+$/);
      await lab.exec(DOWN, ['kill', pid], { check: true });
      const deadline = Date.now() + 20_000;
      while ((await lab.exec(DOWN, ['kill', '-0', pid])).code === 0) {
        if (Date.now() > deadline) throw new Error('dockerd did not stop');
        await sleep(100);
      }
    } finally {
      process.kill(live.pid, 'SIGCONT');
    }
    const r = await live.done;
    expect(r.code, explain(r)).toBe(2);
    const failed = r.events.find((e) => e.type === 'task_result' && e.status === 'failed')!;
    expect(failed).toMatchObject({ host: DOWN, task: 'Load image: docker load -i' });
    expect(JSON.stringify(failed.result)).toMatch(/docker daemon/i);
    expect(r.events.some((e) => e.type === 'on_failure')).toBe(true);

    // The others: old version, running, restart policy back; no new container.
    for (const h of site.hosts.map((x) => x.name).filter((n) => n !== DOWN)) {
      const old = await inspectContainer(lab, h, site.containers.old);
      expect(old?.State.Running, `${site.containers.old} runs again on ${h}`).toBe(true);
      expect(old.HostConfig.RestartPolicy.Name).toBe(site.restartPolicy);
      expect(await inspectContainer(lab, h, site.containers.new)).toBeUndefined();
    }
    // The MetaDB: nothing changed (heartbeat tables aside); ha.config back as it was, but HA left off: region sh
    // (h3 alone, its docker down) has no running OMS.
    expect(withoutCfg(await metadbChecksums(site))).toEqual(withoutCfg(before));
    const version = await schemaVersion(site);
    expect([version.rm, version.cm]).toEqual([site.oldVersion, site.oldVersion]);
    const ha = await haConfig(site);
    for (const [k, v] of Object.entries(haBefore)) if (k !== 'refetchStoreIntervalMin' && k !== 'enable') expect(ha[k], `ha.config ${k}`).toEqual(v);
    expect(ha.enable).toBe(false);

    // h3 is reported, with why and the exact steps.
    const manual = r.events.filter((e) => e.type === 'task_result' && e.task === 'Rescue: manual steps for a host that was not put back');
    expect(manual).toHaveLength(1);
    const items = manual[0]!.result.results as Array<{ lost: string; msg: string }>;
    expect(items.map((i) => i.lost)).toEqual([DOWN]);
    const msg = items[0]!.msg;
    expect(msg).toMatch(new RegExp(`^${DOWN} was NOT put back: task "Rollback: .*": .*docker daemon`, 'i'));
    const steps = [...msg.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    expect(steps).toEqual([
      'sudo systemctl start docker',
      `sudo docker rm -f ${site.containers.new}`,
      `sudo docker update --restart ${site.restartPolicy} ${site.containers.old}`,
      `sudo docker start ${site.containers.old}`,
      `sudo docker logs --tail 1 ${site.containers.old}`,
    ]);

    // Following them brings h3 back: its docker up again (the lab boots the host), then the steps as root.
    await lab.kill(DOWN);
    await lab.restart(DOWN);
    for (const step of steps.slice(1, 4)) await lab.sh(DOWN, step.replace(/^sudo /, ''));
    await waitHealthy(lab, site, DOWN, site.containers.old);
    const old = await inspectContainer(lab, DOWN, site.containers.old);
    expect(old.State.Running).toBe(true);
    expect(old.HostConfig.RestartPolicy.Name).toBe(site.restartPolicy);
  });
});
