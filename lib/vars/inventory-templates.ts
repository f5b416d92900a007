/**
 * A host's inventory variables are templates (lib/inventory/templated.ts renders them), rendered with the other
 * slots in scope. The rendered values take the place of the written ones at the `host` slot, so a higher level
 * that sets the same name keeps its value, as for any other variable.
 */
import { type RenderInventoryOptions, renderInventoryVars } from '../inventory/templated.js';
import { type Layers, type Vars, compose, setAbove } from './precedence.js';

export interface Rendered {
  /** The layers with the inventory's values rendered. */
  layers: Layers;
  /** Those layers composed. */
  vars: Vars;
}

/** `layers.host`: the host's inventory variables (levels 1-4, composed by the inventory at load). */
export function withRenderedInventory(layers: Layers & { host: Vars }, opts: RenderInventoryOptions): Rendered {
  // Rendered values are put over the written ones in place (no second compose): they are the host slot's.
  const vars = compose(layers);
  const rendered = renderInventoryVars(layers.host, vars, opts);
  if (Object.keys(rendered).length === 0) return { layers, vars };
  for (const [k, v] of Object.entries(rendered)) if (!setAbove(layers, 'host', k)) vars[k] = v;
  return { layers: { ...layers, host: [layers.host, rendered] }, vars };
}
