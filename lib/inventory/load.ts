/**
 * loadInventory: reads one inventory YAML file, checks it (schema, names, regions, groups,
 * connection settings, key files), and builds the Inventory model. Every problem found is
 * reported at once with file:line:col and a hint; nothing is connected to.
 */
import { resolve } from 'node:path';
import { loadYamlFile } from '../config/yaml.js';
import { formatLocation, type OmsplayError, ValidationError } from '../errors.js';
import type { Masker } from '../secrets.js';
import { buildInventory } from './build.js';
import { checkKeyFiles } from './connection.js';
import { checkNames } from './names.js';
import { Problems } from './problems.js';
import type { RawInventory } from './raw.js';
import { validateInventoryShape } from './schema.js';
import type { Inventory } from './types.js';

export interface LoadInventoryOptions {
  /** Receives every secret value the inventory holds (`!secret` values, secret-looking variable names). */
  masker?: Masker;
  /**
   * The existence check of key files: true (default: a missing one is an error), false (skipped), or 'warn'
   * (`omsplay validate`, which connects to nothing: a missing key file goes to `warnings`).
   */
  checkKeyFiles?: boolean | 'warn';
  /** Receives the problems that are only warnings (with checkKeyFiles 'warn'). */
  warnings?: OmsplayError[];
}

const EXAMPLE = 'regions: {hangzhou: {hosts: {oms-hz-1: {address: 10.0.0.11}}}}';

export async function loadInventory(file: string, opts: LoadInventoryOptions = {}): Promise<Inventory> {
  const src = await loadYamlFile(file);
  const locate = src.locate;
  const value = src.value;
  const problems = new Problems();
  const top = { file, line: 1, col: 1 };

  if (value === null || value === undefined) {
    throw new ValidationError('the inventory is empty', { location: top, hint: `an inventory declares regions and their hosts: ${EXAMPLE}` });
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError(`the inventory must be a mapping, not ${Array.isArray(value) ? 'a list' : `a ${typeof value}`}`, {
      location: top,
      hint: `top-level keys are vars, connection, regions and groups: ${EXAMPLE}`,
    });
  }
  const regions = (value as Record<string, unknown>).regions;
  if (regions === undefined) {
    // `region:` or `hosts:` at the top is more likely than no regions at all: name the key first.
    const unknown = (await validateInventoryShape(value, locate)).filter((e) => e.message.startsWith('unknown'));
    for (const e of unknown) problems.add(e);
    problems.throwIfAny();
  }
  if (regions === undefined || regions === null || (typeof regions === 'object' && !Array.isArray(regions) && Object.keys(regions).length === 0)) {
    throw new ValidationError('the inventory has no regions', {
      location: regions === undefined ? top : locate(['regions'], 'key'),
      hint: `every host belongs to exactly one region (OMS deploys per region): ${EXAMPLE}`,
    });
  }

  // Name and shape checks of our own say more than the schema's message at the same spot.
  const own = new Problems();
  checkNames(value, locate, own);
  const ownAt = new Set(own.list.map((e) => formatLocation(e.location)));
  for (const e of await validateInventoryShape(value, locate)) if (!ownAt.has(formatLocation(e.location))) problems.add(e);
  for (const e of own.list) problems.add(e);
  problems.throwIfAny();

  const built = buildInventory(value as RawInventory, file, locate, problems, opts.masker);
  if (opts.checkKeyFiles === 'warn') {
    const keyProblems = new Problems();
    await checkKeyFiles(built.connections, keyProblems);
    opts.warnings?.push(...keyProblems.list);
  } else if (opts.checkKeyFiles !== false) await checkKeyFiles(built.connections, problems);
  problems.throwIfAny();
  // Passwords the inventory reads from the environment are secrets from the start, for every command and every
  // output (not only once a connection used them): a variable that happens to hold one is masked too.
  if (opts.masker) {
    for (const h of built.inventory.hosts.values()) {
      for (const name of [h.connection?.passwordEnv, h.connection?.becomePasswordEnv, h.connection?.keyPassphraseEnv]) {
        if (name && process.env[name]) opts.masker.add(process.env[name]);
      }
    }
  }
  return { ...built.inventory, file: resolve(file) };
}
