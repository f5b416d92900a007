/** The lab `npm test` runs against (and `lab up` starts by default). */
import type { HostSpec, LabOptions } from './types.js';

export const DEFAULT_HOSTS: HostSpec[] = [
  { name: 'h1', region: 'hz', docker: true },
  { name: 'h2', region: 'hz', docker: true, sshPort: 2222 },
  { name: 'h3', region: 'sh', docker: true },
  // sshd only, on the internal bridge: reachable only through h1.
  { name: 'h4', region: 'sh', bastionOnly: true, bastion: 'h1' },
];

export function defaultLabOptions(id: number): LabOptions {
  return { id, hosts: DEFAULT_HOSTS, mariadb: true };
}
