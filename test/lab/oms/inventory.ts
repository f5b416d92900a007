// An omsplay inventory for a simulated OMS site: its hosts in their regions, group `oms`, and the upgrade settings
// the shipped playbooks read (README "Upgrade settings").
import type { Lab } from '../lab.js';
import type { InventoryOptions } from '../types.js';
import type { Site } from './types.js';

export interface SiteInventoryOptions extends Omit<InventoryOptions, 'hosts' | 'regions'> {
  /** Site hosts to include (default all). */
  hosts?: string[];
  /** Where the upgrade writes its dumps on the control node (default <lab dir>/oms-backups). */
  backupDir?: string;
}

/** The "all"-level vars an upgrade of this site needs. */
export function siteVars(site: Site, backupDir: string): Record<string, unknown> {
  return {
    oms_old_container: site.containers.old,
    oms_new_container: site.containers.new,
    oms_target_version: site.newVersion,
    oms_image_tar: site.paths.newImageTar,
    oms_backup_dir: backupDir,
  };
}

/** Writes the inventory and returns its path. */
export function writeSiteInventory(lab: Lab, site: Site, opts: SiteInventoryOptions = {}): Promise<string> {
  const hosts = opts.hosts ?? site.hosts.map((h) => h.name);
  const regions = Object.fromEntries(site.hosts.map((h) => [h.name, h.region]));
  const { backupDir, ...rest } = opts;
  return lab.inventory({
    ...rest,
    hosts,
    regions,
    vars: { ...siteVars(site, backupDir ?? `${lab.dir}/oms-backups`), ...(opts.vars ?? {}) },
    groups: { oms: hosts, ...(opts.groups ?? {}) },
  });
}
