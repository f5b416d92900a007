/**
 * The same shipped playbooks on the other deployments the procedure covers: a single node, and two
 * nodes in one region (the vendor document's own example), each upgraded and rolled back.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getSite } from '../../lab/oms/context.js';
import { writeSiteInventory } from '../../lab/oms/inventory.js';
import { deploySite, dockerInitRuns, inspectContainer, resetSite, schemaVersion } from '../../lab/oms/site.js';
import type { RegionSpec } from '../../lab/oms/types.js';
import { type CliResult, omsplay } from '../../support/omsplay.js';

const { lab, site: defaultSite } = getSite();
const env = { OMSPLAY_HOME: join(lab.dir, 'omsplay-home-topologies') };

function explain(r: CliResult): string {
  const failed = r.events.filter((e) => e.type === 'task_result' && (e.status === 'failed' || e.status === 'unreachable'));
  return `exit ${r.code}\n${r.stderr}\n${failed.map((e) => `${e.host} ${e.task}: ${JSON.stringify(e.result).slice(0, 600)}`).join('\n')}`;
}

const topologies: Array<{ name: string; regions: RegionSpec[]; initRuns: number }> = [
  { name: 'a single node', regions: [{ name: 'hz', location: 1, hosts: ['h1'] }], initRuns: 1 },
  { name: 'two nodes in one region sharing one config.yaml', regions: [{ name: 'hz', location: 1, hosts: ['h1', 'h2'] }], initRuns: 1 },
  { name: 'two nodes in one region, one config.yaml each', regions: [{ name: 'hz', location: 1, hosts: ['h1', 'h2'], sharedConfig: false }], initRuns: 2 },
];

describe('upgrade and rollback on other deployments', () => {
  afterAll(async () => {
    // Leave the default 3-host site for the files that follow.
    await resetSite(lab, defaultSite);
  });

  for (const t of topologies) {
    it(`${t.name}: upgraded, then rolled back`, async () => {
      const site = await deploySite(lab, { regions: t.regions });
      const inv = await writeSiteInventory(lab, site, { file: join(lab.dir, `topology-${t.regions[0]!.hosts.length}.yml`), vars: { oms_health_timeout: 60 } });

      const up = await omsplay(['run', 'upgrade.yml', '-i', inv, '--json'], { env });
      expect(up.code, explain(up)).toBe(0);
      for (const h of site.hosts) {
        expect((await inspectContainer(lab, h.name, site.containers.new)).State.Running).toBe(true);
        expect((await inspectContainer(lab, h.name, site.containers.old)).State.Running).toBe(false);
      }
      expect((await schemaVersion(site)).rm).toBe(site.newVersion);
      expect(await dockerInitRuns(site, 'hz')).toHaveLength(t.initRuns);

      const back = await omsplay(['run', 'rollback.yml', '-i', inv, '--from-run', 'last', '--yes', '--json'], { env });
      expect(back.code, explain(back)).toBe(0);
      for (const h of site.hosts) {
        const old = await inspectContainer(lab, h.name, site.containers.old);
        expect(old.State.Running).toBe(true);
        expect(old.HostConfig.RestartPolicy.Name).toBe(site.restartPolicy);
      }
      expect((await schemaVersion(site)).rm).toBe(site.oldVersion);
    });
  }
});
