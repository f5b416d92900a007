/** One answer to "who runs omsplay here": the local transport's login user, the implicit localhost's, ssh's %u and a lock's owner. */
import { hostname, userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { localUserName } from '../../../lib/connection/login-user.js';
import { expandTokens } from '../../../lib/connection/ssh-config.js';
import { currentOwner } from '../../../lib/engine/lock.js';
import { hostOrLocalhost } from '../../../lib/inventory/localhost.js';

describe('localUserName', () => {
  const me = userInfo().username;

  it("is the passwd entry's name", () => {
    expect(localUserName()).toBe(me);
  });

  it('is the user of the implicit localhost, of ssh_config %u and of a lock this process takes', () => {
    expect(hostOrLocalhost({ hosts: new Map(), vars: {}, file: 'inv.yml' }, 'localhost')?.connection.user).toBe(me);
    expect(expandTokens('/keys/%u', { host: 'h1', user: 'ops' })).toBe(`/keys/${me}`);
    expect(currentOwner('r1', 'up.yml').owner).toBe(`${me}@${hostname()}`);
  });
});
