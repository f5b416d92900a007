/** `omsplay inventory -i FILE [--graph | --list | --host NAME]` (secrets masked). */
import { resolve } from 'node:path';
import { ExitCode, OptionsError } from '../errors.js';
import { inventoryGraph, inventoryHost, inventoryList, loadInventory } from '../inventory/index.js';
import { Masker } from '../secrets.js';
import type { Parsed } from './args.js';
import type { INVENTORY_OPTIONS } from './commands.js';

const USAGE = 'omsplay inventory -i INVENTORY [--graph [PATTERN] | --list | --host NAME]';

export async function inventoryCommand({ values, positionals }: Parsed<typeof INVENTORY_OPTIONS>): Promise<number> {
  if (!values.inventory) throw new OptionsError('an inventory is required', { hint: USAGE });
  const modes = [values.graph, values.list, values.host !== undefined].filter(Boolean).length;
  if (modes > 1) throw new OptionsError('choose one of --graph, --list, --host', { hint: USAGE });
  const masker = new Masker();
  const inv = await loadInventory(resolve(values.inventory), { masker, checkKeyFiles: false });
  if (values.list) process.stdout.write(`${JSON.stringify(inventoryList(inv, masker), null, 2)}\n`);
  else if (values.host !== undefined) {
    if (!inv.hosts.has(values.host)) throw new OptionsError(`no host ${values.host} in ${values.inventory}`, { hint: `hosts: ${[...inv.hosts.keys()].join(', ')}` });
    process.stdout.write(`${JSON.stringify(inventoryHost(inv, values.host, masker), null, 2)}\n`);
  } else process.stdout.write(`${inventoryGraph(inv, positionals[0] ?? 'all')}\n`);
  return ExitCode.ok;
}
