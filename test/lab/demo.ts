/**
 * `npm run demo`: the shipped upgrade playbook run against the lab's simulated OMS site (3 hosts in
 * 2 regions running OMS 3.3.1 in docker, a MariaDB MetaDB), then the rollback — so a newcomer
 * watches a real upgrade and rollback happen. Needs root on Debian (it installs the lab's packages).
 *   npm run demo                 upgrade, show the site, roll back, tear the lab down
 *   npm run demo -- --keep       leave the lab and site running afterwards (then: npx tsx test/lab/oms/cli.ts down --id 9)
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultLabOptions } from './default-lab.js';
import { startLab } from './lab.js';
import { writeSiteInventory } from './oms/inventory.js';
import { deploySite, inspectContainer, schemaVersion } from './oms/site.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEMO_LAB = Number(process.env.OMSPLAY_DEMO_LAB ?? 9);

function omsplay(args: string[], env: Record<string, string>): Promise<number> {
  const built = existsSync(join(ROOT, 'dist', 'cli', 'main.js'));
  const argv = built ? [join(ROOT, 'bin', 'omsplay.js'), ...args] : ['--import', 'tsx', join(ROOT, 'test', 'support', 'cli-entry.ts'), ...args];
  console.log(`\n$ omsplay ${args.join(' ')}\n`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<number> {
  if (process.getuid?.() !== 0) {
    console.error('npm run demo needs root: it builds test hosts in network namespaces with their own sshd and dockerd.');
    return 1;
  }
  const keep = process.argv.includes('--keep');
  console.log('Starting the lab (hosts h1, h2, h3 with sshd + dockerd, MariaDB) and the simulated OMS 3.3.1 site…');
  const lab = await startLab({ ...defaultLabOptions(DEMO_LAB), log: (l) => console.log(`  ${l}`) });
  try {
    const site = await deploySite(lab, { log: (l) => console.log(`  ${l}`) });
    const inventory = await writeSiteInventory(lab, site, { file: join(lab.dir, 'demo-inventory.yml') });
    const env = { OMSPLAY_HOME: join(lab.dir, 'omsplay-home') };
    const show = async (when: string) => {
      const v = await schemaVersion(site);
      console.log(`\n${when}: MetaDB schema rm=${v.rm} cm=${v.cm}`);
      for (const h of site.hosts) {
        const states = await Promise.all(
          [site.containers.old, site.containers.new].map(async (c) => {
            const i = await inspectContainer(lab, h.name, c);
            return i ? `${c} ${i.State.Running ? 'running' : 'stopped'} (restart ${i.HostConfig.RestartPolicy.Name})` : `${c} absent`;
          }),
        );
        console.log(`  ${h.name} (${h.region}, ${h.address}): ${states.join(', ')}`);
      }
    };
    console.log(`\nInventory: ${inventory}`);
    await show('Before');
    const up = await omsplay(['run', 'upgrade.yml', '-i', inventory], env);
    await show(`After the upgrade (exit ${up})`);
    const down = await omsplay(['run', 'rollback.yml', '-i', inventory, '--from-run', 'last', '--yes'], env);
    await show(`After the rollback (exit ${down})`);
    console.log(`\nJournals of both runs: ${env.OMSPLAY_HOME}/runs`);
    return up === 0 && down === 0 ? 0 : 1;
  } finally {
    if (keep) console.log(`\nThe lab is still up (--keep). Tear it down with: npx tsx test/lab/oms/cli.ts down --id ${DEMO_LAB}`);
    else await lab.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`demo failed: ${(e as Error).message}`);
    process.exit(1);
  },
);
