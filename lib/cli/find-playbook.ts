/** A playbook path, or the name of a shipped one (`upgrade.yml`, `rollback`) found from any directory. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';

export const SHIPPED_PLAYBOOKS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'playbooks');

export function findPlaybook(name: string): string {
  const direct = resolve(name);
  if (existsSync(direct)) return direct;
  if (!name.includes('/')) {
    for (const candidate of [name, `${name}.yml`, `${name}.yaml`]) {
      const shipped = join(SHIPPED_PLAYBOOKS, candidate);
      if (existsSync(shipped)) return shipped;
    }
  }
  throw new ConfigError(`playbook ${name} not found`, { hint: `give a path, or the name of a shipped playbook in ${SHIPPED_PLAYBOOKS}` });
}
