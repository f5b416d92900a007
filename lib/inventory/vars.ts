/**
 * Inventory variables named like omsplay's own. How a host's variables are merged (all < region < groups <
 * host) is lib/vars/precedence.ts; which names are omsplay's is lib/vars/magic.ts.
 */
import { ValidationError } from '../errors.js';
import { INVENTORY_RESERVED } from '../vars/magic.js';
import type { Locate, Problems } from './problems.js';
import type { Vars } from './types.js';

const RESERVED = new Set<string>(INVENTORY_RESERVED);

/** Refuses inventory vars that would shadow a magic variable. */
export function checkReserved(vars: Vars | null | undefined, path: ReadonlyArray<string | number>, locate: Locate, problems: Problems): void {
  for (const k of Object.keys(vars ?? {})) {
    if (!RESERVED.has(k)) continue;
    const hint =
      k === 'address'
        ? 'set the address as a host key (oms-hz-1: {address: 10.0.0.11}), not as a variable'
        : `\`${k}\` is set by omsplay for every host; choose another name`;
    problems.add(new ValidationError(`variable \`${k}\` is reserved`, { location: locate([...path, k], 'key'), hint }));
  }
}
