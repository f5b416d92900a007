/**
 * A whole simulated OMS site for trying the upgrade by hand:
 *   npx tsx test/lab/oms/cli.ts up     [--id N] [--https] [--password P] [--profile friendly|hostile]
 *                                                                          lab + 3 hosts in 2 regions running 3.3.1
 *   npx tsx test/lab/oms/cli.ts reset  [--id N]                            back to the pristine 3.3.1 site
 *   npx tsx test/lab/oms/cli.ts status [--id N]
 *   npx tsx test/lab/oms/cli.ts down   [--id N]
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { cleanupLab } from '../cleanup.js';
import { defaultLabOptions } from '../default-lab.js';
import { loadLab, startLab } from '../lab.js';
import { defaultLabId, labDir } from '../names.js';
import { writeSiteInventory } from './inventory.js';
import { HOSTILE_SUDO_PASSWORD_ENV, HOSTILE_USERS, hostileEnv, profileSiteOptions, SITE_PROFILES, type SiteProfile, writeHostileInventory } from './profiles.js';
import { deploySite, health, lastLogLine, resetSite, schemaVersion } from './site.js';
import type { Site } from './types.js';

const USAGE = 'usage: cli.ts up|reset|status|down [--id N] [--https] [--password P] [--profile friendly|hostile]';
const siteFile = (id: number) => `${labDir(id)}/oms-site.json`;

async function loadSite(id: number): Promise<Site> {
  const f = siteFile(id);
  if (!existsSync(f)) throw new Error(`no simulated OMS site in lab ${id} (run: npx tsx test/lab/oms/cli.ts up --id ${id})`);
  return JSON.parse(await readFile(f, 'utf8')) as Site;
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      id: { type: 'string' },
      https: { type: 'boolean', default: false },
      password: { type: 'string' },
      profile: { type: 'string', default: 'friendly' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const cmd = positionals[0];
  if (values.help || !cmd) {
    console.log(USAGE);
    return values.help ? 0 : 5;
  }
  const id = values.id === undefined ? defaultLabId() : Number(values.id);
  const profile = values.profile as SiteProfile;
  if (!SITE_PROFILES.includes(profile)) {
    console.error(`unknown --profile ${values.profile} (friendly or hostile)\n${USAGE}`);
    return 5;
  }
  switch (cmd) {
    case 'up': {
      const t0 = Date.now();
      const lab = await startLab({ ...defaultLabOptions(id), log: (l) => console.error(l) });
      const site = await deploySite(lab, { https: values.https, metaPassword: values.password, ...profileSiteOptions(profile), log: (l) => console.error(l) });
      await writeFile(siteFile(id), `${JSON.stringify(site, null, 2)}\n`);
      const file = `${lab.dir}/oms-inventory.yml`;
      const inv = profile === 'hostile' ? await writeHostileInventory(lab, site, { file }) : await writeSiteInventory(lab, site, { file });
      console.log(`simulated OMS ${site.oldVersion} site (${profile} profile) up in ${((Date.now() - t0) / 1000).toFixed(1)} s (lab ${id}):`);
      for (const r of site.regions) {
        console.log(`  region ${r.name} (cm_hb ${r.heartbeatDb}${r.sharedConfig && r.hosts.length > 1 ? ', one shared config.yaml' : ''}): ${r.hosts.map((n) => `${n} ${site.hosts.find((h) => h.name === n)?.address}`).join(', ')}`);
      }
      console.log(`  MetaDB ${site.metadb.host}:${site.metadb.port} databases ${site.databases.all.join(', ')}`);
      console.log(
        `  containers ${site.containers.old} (${site.oldImage}); new image archive ${site.stageImageOnHosts ? `on every host: ${site.paths.newImageTar}` : `only on the control node: ${site.controlImageTar}`}`,
      );
      if (profile === 'hostile') {
        for (const h of site.hosts) {
          console.log(`  ${h.name}: login ${HOSTILE_USERS[h.name]} (sudo: docker only), console ${h.consoleScheme}${h.certs ? ' (certificate mounted)' : ''}, /run/lock ${h.runLock}${h.bastionOnly ? ', SSH only through a bastion' : ''}`);
        }
        console.log(`  export ${HOSTILE_SUDO_PASSWORD_ENV}='${hostileEnv(lab)[HOSTILE_SUDO_PASSWORD_ENV]}'   # dockerpw's sudo password (a lab password)`);
      }
      console.log(`inventory: ${inv}`);
      console.log(`site:      ${siteFile(id)}`);
      console.log('try the upgrade:');
      console.log(`  node bin/omsplay.js run upgrade.yml -i ${inv}`);
      console.log(`  node bin/omsplay.js run rollback.yml -i ${inv} --from-run last`);
      console.log(`back to 3.3.1: npx tsx test/lab/oms/cli.ts reset --id ${id}    tear down: npx tsx test/lab/oms/cli.ts down --id ${id}`);
      return 0;
    }
    case 'reset': {
      const lab = await loadLab(id);
      const t0 = Date.now();
      await resetSite(lab, await loadSite(id));
      console.log(`site reset to its pristine state in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return 0;
    }
    case 'status': {
      const lab = await loadLab(id);
      const site = await loadSite(id);
      console.log(`schema: ${JSON.stringify(await schemaVersion(site))}`);
      for (const h of site.hosts) {
        const ps = (await lab.docker(h.name, ['ps', '-a', '--format', '{{.Names}} {{.Image}} {{.Status}}'])).stdout.trim().split('\n');
        const hl = await health(lab, site, h.name);
        console.log(`${h.name} ${h.address} [${h.region}] health=${hl ? hl.data.healthy : 'no answer'}`);
        for (const line of ps.filter(Boolean)) {
          const name = line.split(' ')[0] as string;
          console.log(`  ${line} | last log: ${await lastLogLine(lab, h.name, name)}`);
        }
      }
      return 0;
    }
    case 'down':
      await cleanupLab(id);
      console.log(`lab ${id} and its simulated OMS site removed (${labDir(id)})`);
      return 0;
    default:
      console.error(USAGE);
      return 5;
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`error: ${(e as Error).message}`);
    process.exit(1);
  },
);
