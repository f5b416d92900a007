/** Paths written in an inventory: `~` is the home directory, relative paths are relative to the inventory file. */
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';

export function resolveInventoryPath(p: string, inventoryFile: string, home = homedir()): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return resolve(home, p.slice(2));
  if (isAbsolute(p)) return p;
  return resolve(dirname(resolve(inventoryFile)), p);
}
