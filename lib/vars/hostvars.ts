/**
 * `hostvars`: every inventory host's variables by name, each computed when read (facts and play vars change
 * during the run), in the same order as the host's own (precedence.ts ORDER, lib/vars/run-variables.ts).
 */
import type { Vars } from './precedence.js';

export function makeHostvars(hosts: Iterable<string>, varsOf: (host: string) => Vars): Record<string, Vars> {
  const hostvars: Record<string, Vars> = {};
  for (const name of hosts) Object.defineProperty(hostvars, name, { enumerable: true, get: () => varsOf(name) });
  return hostvars;
}
