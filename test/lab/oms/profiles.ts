/**
 * Site profiles of the simulated OMS on the npm-test lab (h1, h2 port 2222, h3; MariaDB). README "Site profiles".
 *
 * - friendly: the default site (deploySite(lab)): root logs in everywhere, hz = h1+h2, sh = h3, HTTP consoles, the
 *   new image tar already on every host.
 * - hostile: what production sites have on day one. The login users are not root and their sudo allows only
 *   /usr/bin/docker (dockerop NOPASSWD on h1 and h3, dockerpw with a password on h2); /run/lock is root-only on h1
 *   and missing on h2; h1 mounts the vendor's certificate but its console answers plain HTTP (TLS ended elsewhere),
 *   h3 mounts it and answers real HTTPS (its region's config.yaml enables ssl); h2's sshd listens on 2222; region hy
 *   (h3) refuses SSH from the control node: it is reached only through the bastion h1; the new image tar is only on
 *   the control node (the upgrade copies it to the login user's home); the MetaDB user's grants name the OMS
 *   databases only (it may not create a staging database: the rollback loads its dumps inside the outage).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import type { Lab, LabUser } from '../lab.js';
import { siteVars } from './inventory.js';
import type { SiteOptions, Site } from './types.js';

export type SiteProfile = 'friendly' | 'hostile';
export const SITE_PROFILES: readonly SiteProfile[] = ['friendly', 'hostile'];

/** Environment variable the hostile inventory reads dockerpw's sudo password from. */
export const HOSTILE_SUDO_PASSWORD_ENV = 'OMSPLAY_LAB_DOCKERPW_PASS';

/** Login user of each hostile host. */
export const HOSTILE_USERS: Record<string, 'dockerop' | 'dockerpw'> = { h1: 'dockerop', h2: 'dockerpw', h3: 'dockerop' };

export function hostileSiteOptions(): SiteOptions {
  return {
    regions: [
      { name: 'hx', nameCn: '杭州', location: 1, hosts: ['h1', 'h2'] },
      { name: 'hy', nameCn: '上海', location: 2, hosts: ['h3'], consoleSsl: true },
    ],
    hostTraits: {
      h1: { certs: true, runLock: 'root-only' },
      h2: { runLock: 'missing' },
      h3: { certs: true, bastionOnly: true },
    },
    stageImageOnHosts: false,
    metaGrants: 'databases',
  };
}

export function profileSiteOptions(profile: SiteProfile): SiteOptions {
  return profile === 'hostile' ? hostileSiteOptions() : {};
}

function labUser(lab: Lab, name: 'dockerop' | 'dockerpw'): LabUser {
  return lab.users[name];
}

/** The sudo password the hostile inventory needs in its environment ({HOSTILE_SUDO_PASSWORD_ENV: ...}). */
export function hostileEnv(lab: Lab): Record<string, string> {
  return { [HOSTILE_SUDO_PASSWORD_ENV]: labUser(lab, 'dockerpw').password ?? '' };
}

/**
 * The inventory an operator of the hostile site would write: per-host login users with become through sudo that
 * runs docker's argv directly, the bastion for region hy, the image tar kept on the control node.
 */
export async function writeHostileInventory(lab: Lab, site: Site, opts: { file?: string; vars?: Record<string, unknown>; backupDir?: string } = {}): Promise<string> {
  const file = opts.file ?? path.join(lab.dir, 'oms-inventory-hostile.yml');
  const regions: Record<string, { hosts: Record<string, Record<string, unknown>> }> = {};
  for (const h of site.hosts) {
    const lh = lab.host(h.name);
    const userName = HOSTILE_USERS[h.name] ?? 'dockerop';
    const user = labUser(lab, userName);
    const entry: Record<string, unknown> = { address: lh.address, user: userName, key_file: user.keyFile };
    if (lh.port !== 22) entry.port = lh.port;
    if (userName === 'dockerpw') entry.become_password_env = HOSTILE_SUDO_PASSWORD_ENV;
    if (h.bastionOnly) entry.jump = [site.hosts.find((x) => !x.bastionOnly)?.name ?? 'h1'];
    // Staged where the login user can write: its own home.
    entry.vars = { oms_image_tar: `/home/${userName}/oms-${site.newVersion}.tar` };
    regions[h.region] ??= { hosts: {} };
    regions[h.region]!.hosts[h.name] = entry;
  }
  const { oms_image_tar: _onHosts, ...vars } = siteVars(site, opts.backupDir ?? `${lab.dir}/oms-backups`);
  const doc = {
    vars: { ...vars, oms_image_tar_local: site.controlImageTar, ...(opts.vars ?? {}) },
    connection: {
      known_hosts: lab.knownHostsFile,
      become: true,
      become_method: 'sudo_direct',
      connect_timeout: 5,
    },
    regions,
    groups: { oms: { hosts: site.hosts.map((h) => h.name) } },
  };
  const header = `# yaml-language-server: $schema=${path.resolve('schemas/inventory.schema.json')}\n# The hostile site profile (test/lab/oms/profiles.ts). ${HOSTILE_SUDO_PASSWORD_ENV} holds dockerpw's sudo password.\n`;
  await writeFile(file, header + stringify(doc));
  return file;
}
