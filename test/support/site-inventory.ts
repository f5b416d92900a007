/**
 * An omsplay inventory for the simulated OMS site, as an operator would write one: hosts grouped by
 * region, the `oms` group, and the upgrade settings (README "Upgrade settings").
 */
import { join } from 'node:path';
import type { Lab } from '../lab/lab.js';
import type { Site } from '../lab/oms/types.js';

export interface SiteInventoryOptions {
  file?: string;
  /** Only these site hosts (e.g. a single-node site). */
  hosts?: string[];
  vars?: Record<string, unknown>;
  user?: 'root' | 'admin' | 'ops';
  become?: boolean;
}

export async function siteInventory(lab: Lab, site: Site, opts: SiteInventoryOptions = {}): Promise<string> {
  const hosts = opts.hosts ?? site.hosts.map((h) => h.name);
  const regions = Object.fromEntries(site.hosts.map((h) => [h.name, h.region]));
  return lab.inventory({
    file: opts.file ?? join(lab.dir, `site-${hosts.join('-')}.yml`),
    hosts,
    regions,
    user: opts.user,
    become: opts.become,
    groups: { oms: hosts },
    vars: {
      oms_old_container: site.containers.old,
      oms_new_container: site.containers.new,
      oms_target_version: site.newVersion,
      oms_image_tar: site.paths.newImageTar,
      oms_backup_dir: join(lab.dir, 'backups'),
      oms_health_timeout: 60,
      ...opts.vars,
    },
  });
}
