/** The implicit `localhost` (the control node): usable in patterns and delegate_to without being declared. */
import { localUserName } from '../connection/login-user.js';
import { hostMagic } from '../vars/magic.js';
import { compose } from '../vars/precedence.js';
import { IMPLICIT_LOCALHOST } from './patterns.js';
import type { Inventory, InventoryHost } from './types.js';

/** The inventory host of that name, or the implicit localhost (all-level vars, local connection). */
export function hostOrLocalhost(inv: Pick<Inventory, 'hosts' | 'vars' | 'file'>, name: string): InventoryHost | undefined {
  const declared = inv.hosts.get(name);
  if (declared || name !== IMPLICIT_LOCALHOST) return declared;
  const address = '127.0.0.1';
  return {
    name,
    region: '',
    groups: [],
    vars: compose({ all: inv.vars, host: hostMagic(name, '', [], address) }),
    connection: { connection: 'local', address, port: 22, user: localUserName() },
    location: { file: inv.file, line: 1, col: 1 },
  };
}
