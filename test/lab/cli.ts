/**
 * Brings a lab up and leaves it running, shows it, or tears it down:
 *   npx tsx test/lab/cli.ts up     [--id N] [--hosts N [--docker] [--mariadb]]   (default: the npm-test lab)
 *   npx tsx test/lab/cli.ts status [--id N]
 *   npx tsx test/lab/cli.ts down   [--id N]
 */
import { parseArgs } from 'node:util';
import { cleanupLab } from './cleanup.js';
import { defaultLabOptions } from './default-lab.js';
import { loadLab, startLab } from './lab.js';
import { defaultLabId, labDir } from './names.js';

const USAGE = 'usage: lab up|down|status [--id N] [--hosts N] [--docker] [--mariadb] [--json]';

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      id: { type: 'string' },
      hosts: { type: 'string' },
      docker: { type: 'boolean', default: false },
      mariadb: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const cmd = positionals[0];
  if (values.help || !cmd) {
    console.log(USAGE);
    return cmd || values.help ? 0 : 5;
  }
  const id = values.id === undefined ? defaultLabId() : Number(values.id);
  switch (cmd) {
    case 'up': {
      const opts = values.hosts
        ? { id, hosts: Number(values.hosts), docker: values.docker, mariadb: values.mariadb }
        : defaultLabOptions(id);
      const lab = await startLab({ ...opts, log: (l) => console.error(l) });
      const inv = await lab.inventory({ file: `${lab.dir}/inventory.yml` });
      if (values.json) console.log(JSON.stringify(lab.descriptor, null, 2));
      else printSummary(lab.descriptor, inv);
      return 0;
    }
    case 'status': {
      const lab = await loadLab(id);
      if (values.json) {
        console.log(JSON.stringify(lab.descriptor, null, 2));
        return 0;
      }
      for (const h of lab.hosts) {
        const pid = await lab.pid(h.name);
        console.log(`${h.name.padEnd(8)} ${`${h.address}:${h.port}`.padEnd(18)} ${pid ? `up (pid ${pid})` : 'DOWN'}${h.dockerSocket ? ' docker' : ''}${h.bastionOnly ? ` via ${h.bastion}` : ''}`);
      }
      console.log(`descriptor: ${lab.dir}/lab.json`);
      return 0;
    }
    case 'down':
      await cleanupLab(id);
      console.log(`lab ${id} removed (${labDir(id)})`);
      return 0;
    default:
      console.error(USAGE);
      return 5;
  }
}

function printSummary(d: import('./types.js').LabDescriptor, inventory: string): void {
  console.log(`lab ${d.id} up in ${d.startupMs} ms: ${d.hosts.length} hosts on ${d.bridge} (${d.subnet})`);
  for (const h of d.hosts.slice(0, 20)) {
    console.log(`  ${h.name.padEnd(8)} ${h.address}:${h.port}${h.dockerSocket ? `  docker ${h.dockerSocket}` : ''}${h.bastionOnly ? `  (only via ${h.bastion})` : ''}`);
  }
  if (d.hosts.length > 20) console.log(`  ... ${d.hosts.length - 20} more`);
  if (d.mariadb) console.log(`  mariadb  ${d.mariadb.host}:${d.mariadb.port} root/${d.mariadb.rootPassword}, ${d.mariadb.user}/${d.mariadb.password}`);
  console.log(`keys: ${d.keys.root} (root), ${d.keys.admin} (admin, password ${d.users.admin.password})`);
  console.log(`known_hosts: ${d.knownHostsFile}`);
  console.log(`inventory: ${inventory}`);
  console.log(`descriptor: ${d.dir}/lab.json`);
  console.log(`ssh: ssh -F /dev/null -o UserKnownHostsFile=${d.knownHostsFile} -i ${d.keys.root} root@${d.hosts[0]!.address}`);
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`lab: ${(e as Error).message}`);
    process.exit(1);
  },
);
