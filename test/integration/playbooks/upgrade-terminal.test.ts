/**
 * The shipped upgrade.yml at a terminal (a pseudo-terminal, as an operator runs it) on the lab's simulated OMS
 * site: the final report — an ok result with a message — reaches the terminal view, whole, under its host row.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getSite } from '../../lab/oms/context.js';
import { writeSiteInventory } from '../../lab/oms/inventory.js';
import { resetSite } from '../../lab/oms/site.js';
import { inTerminal } from '../../support/terminal.js';

const { lab, site } = getSite();

afterAll(async () => {
  await resetSite(lab, site);
});

describe('upgrade.yml in the terminal view', () => {
  it("shows the upgrade's final report: browser cache, where the backups are, the rollback command", async () => {
    await resetSite(lab, site);
    const inv = await writeSiteInventory(lab, site, { file: join(lab.dir, 'upgrade-terminal.yml'), vars: { oms_health_timeout: 60 } });
    const r = inTerminal(['run', 'upgrade.yml', '-i', inv], { home: join(lab.dir, 'omsplay-home-upgrade-terminal'), cols: 200, timeoutMs: 600_000 });
    const screen = r.screen;
    expect(r.status, screen.slice(-3000)).toBe(0);
    const last = screen.slice(screen.lastIndexOf('✔ TASK Report: what is left to do'));
    const first = site.hosts[0]!.name;
    const report = last.slice(0, last.indexOf('RECAP')).replace(/\s+/g, ' ');
    expect(report).toMatch(new RegExp(`✔ ${first} ok \\d+ ms › OMS is now ${site.newVersion.replace(/\./g, '\\.')}\\S* on ${site.hosts.map((h) => h.name).join(', ')}\\.`));
    expect(report).toContain('Clear the browser cache before you log on to the OMS console.');
    expect(report).toMatch(/The MetaDB backups of this run are in \S+\/\d{8}T\d{6}Z-\w+ on \S+\./);
    expect(report).toMatch(new RegExp(`To roll back: omsplay run rollback\\.yml -i ${inv.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} --from-run \\d{8}T\\d{6}Z-\\w+`));
  }, 600_000);
});
