/** The inventory model the engine consumes. Built by lib/inventory/load.ts from one YAML file. */
import type { ConnectionSettings } from '../connection/types.js';
import type { SourceLocation } from '../errors.js';

export type Vars = Record<string, unknown>;

export interface InventoryHost {
  name: string;
  /** Every host belongs to exactly one region. */
  region: string;
  /** Groups the host belongs to, directly or through children. */
  groups: string[];
  /** Levels 1-4 of lib/vars/precedence.ts (all < region < groups in precedence order < host) and the host's magic variables; lib/vars adds the rest per task. */
  vars: Vars;
  connection: ConnectionSettings;
  location: SourceLocation;
}

export interface InventoryRegion {
  name: string;
  hosts: string[];
  vars: Vars;
  location: SourceLocation;
}

export interface InventoryGroup {
  name: string;
  /** Every host of the group, including those of its children, in inventory order. */
  hosts: string[];
  /** Hosts listed under the group's own `hosts:` (inventory order); optional for hand-built inventories. */
  directHosts?: string[];
  /** Groups or regions whose hosts belong to this group too. */
  children: string[];
  vars: Vars;
  location: SourceLocation;
}

export interface Inventory {
  file: string;
  vars: Vars;
  /** Inventory order. */
  hosts: Map<string, InventoryHost>;
  regions: Map<string, InventoryRegion>;
  groups: Map<string, InventoryGroup>;
  /**
   * Host names matching an Ansible-style pattern (all, region, group, host, glob, ~regex, a:b, a,b,
   * a:&b, a:!b), in inventory order (`localhost` is allowed implicitly). Throws ValidationError
   * (OptionsError when `opts.source` is 'options') for a term that matches nothing, and for an
   * empty result unless `opts.allowEmpty`.
   */
  select(pattern: string, opts?: SelectOptions): string[];
}

export interface SelectOptions {
  /** Where the pattern was written (a play's `hosts:`), for error messages. */
  location?: SourceLocation;
  /** Return [] instead of throwing when every term matched something but together they leave no host. */
  allowEmpty?: boolean;
  /** 'options' for patterns from the command line (--limit): errors are OptionsError (exit 5). */
  source?: 'playbook' | 'options';
}
