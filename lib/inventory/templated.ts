/**
 * Inventory variables are templates, as in Ansible: `oms_image_tar_local: "{{ env 'ACME_IMAGE_TAR' }}"` or
 * `b: "{{ a }}/x"` are rendered per host when its variables are assembled for a task (with the host's magic
 * variables, play vars, facts and extra vars in scope), again until they no longer change (a variable may name
 * another templated one). Variables that name files on the control node (CONTROL_NODE_PATH_VARS) resolve
 * against the inventory file's directory when relative, like key_file.
 */
import { ValidationError } from '../errors.js';
import type { Masker } from '../secrets.js';
import { renderValue } from '../template/value.js';
import { resolveInventoryPath } from './paths.js';
import type { Vars } from './types.js';

/** Inventory variables holding a path on the control node (relative: to the inventory file's directory). */
export const CONTROL_NODE_PATH_VARS: readonly string[] = ['oms_image_tar_local'];

const MAX_PASSES = 5;

export function hasTemplate(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('{{');
  if (Array.isArray(v)) return v.some(hasTemplate);
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v).some(hasTemplate);
  return false;
}

export interface RenderInventoryOptions {
  inventoryFile: string;
  host: string;
  masker?: Masker;
  /**
   * 'keep': a template naming a variable that is not defined (yet: a fact set later) stays as written;
   * 'throw': it is an error too. Other errors (an unset environment variable, bad syntax) always throw.
   */
  undefinedVariables?: 'keep' | 'throw';
}

/**
 * The inventory variables of one host that rendering changes (templated values and control-node paths), as
 * `{name: value}`; `own` are its inventory variables, `context` everything a template may read.
 */
export function renderInventoryVars(own: Vars, context: Vars, opts: RenderInventoryOptions): Vars {
  const out: Vars = {};
  const todo = Object.keys(own).filter((k) => hasTemplate(own[k]));
  if (todo.length > 0) {
    const ctx: Vars = { ...context };
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      let changed = false;
      for (const k of todo) {
        const cur = k in out ? out[k] : own[k];
        if (!hasTemplate(cur)) continue;
        let v: unknown;
        try {
          v = renderValue(cur, ctx, { task: `inventory variable ${k} of ${opts.host}`, masker: opts.masker });
        } catch (e) {
          if (opts.undefinedVariables !== 'throw' && /^undefined variable/.test((e as Error).message)) continue;
          throw new ValidationError(`inventory variable "${k}" of host ${opts.host} cannot be rendered: ${(e as Error).message}`, {
            hint: `${JSON.stringify(own[k])} is a template, rendered per host when used: set what it reads, or quote the braces if they are literal`,
          });
        }
        if (JSON.stringify(v) !== JSON.stringify(cur)) changed = true;
        out[k] = v;
        ctx[k] = v;
      }
      if (!changed) break;
    }
  }
  for (const k of CONTROL_NODE_PATH_VARS) {
    const v = k in out ? out[k] : own[k];
    if (typeof v === 'string' && v !== '' && !v.includes('{{')) {
      const abs = resolveInventoryPath(v, opts.inventoryFile);
      if (abs !== v) out[k] = abs;
    }
  }
  return out;
}
