/** The inventory area's public API. */
export { loadInventory, type LoadInventoryOptions } from './load.js';
export { applyLimit, selectHosts, splitPattern, IMPLICIT_LOCALHOST, type PatternUniverse } from './patterns.js';
export { universeOf } from './model.js';
export { hostOrLocalhost } from './localhost.js';
export { inventoryGraph, inventoryList, inventoryHost, maskVars } from './show.js';
export { inventorySchema, INVENTORY_SCHEMA_URL } from './schema.js';
export type * from './types.js';
