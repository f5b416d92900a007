import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applySshConfig, lookupSshConfig, parseSshConfig } from '../../../lib/connection/ssh-config.js';
import type { ConnectionSettings } from '../../../lib/connection/types.js';

const CONFIG = `
# global defaults before any Host apply to every host
ServerAliveInterval 30

Host oms-hz-*  !oms-hz-9
  HostName 10.0.0.%h
  User admin
  Port=2222
  IdentityFile ~/.ssh/oms_%r
  ProxyJump bastion-1,ops@10.9.9.9:2200

Host oms-hz-1
  Port 22
  User ignored-first-wins
  IdentityFile "/keys/second key"

Match host foo
  User never-used

Host bastion-1
  HostName 192.168.0.1
  User jump
  Port 2022

Host direct
  ProxyJump none

Host *
  User fallback
`;

const blocks = parseSshConfig(CONFIG);
const base = (over: Partial<ConnectionSettings> = {}): ConnectionSettings => ({ connection: 'ssh', address: 'oms-hz-1', port: 22, user: userInfo().username, ...over });

describe('ssh_config lookup', () => {
  it('first obtained value wins; IdentityFile accumulates; negation excludes; Match is skipped', () => {
    expect(lookupSshConfig(blocks, 'oms-hz-1')).toEqual({
      hostName: '10.0.0.%h',
      user: 'admin',
      port: 2222,
      identityFiles: ['~/.ssh/oms_%r', '/keys/second key'],
      proxyJump: ['bastion-1', 'ops@10.9.9.9:2200'],
    });
    expect(lookupSshConfig(blocks, 'oms-hz-9')).toEqual({ identityFiles: [], user: 'fallback' });
    expect(lookupSshConfig(blocks, 'direct')).toEqual({ identityFiles: [], proxyJump: [], user: 'fallback' });
    expect(lookupSshConfig(blocks, 'foo').user).toBe('fallback');
  });
});

describe('applySshConfig', () => {
  it('fills what the inventory left default, expanding tokens', () => {
    expect(applySshConfig('oms-hz-1', base(), blocks)).toEqual({
      connection: 'ssh',
      address: '10.0.0.oms-hz-1',
      port: 2222,
      user: 'admin',
      keyFile: join(homedir(), '.ssh', 'oms_admin'),
      jump: ['bastion-1', 'ops@10.9.9.9:2200'],
    });
  });

  it('never overrides what the inventory wrote', () => {
    const s = base({ address: '172.16.0.5', port: 2200, user: 'deploy', keyFile: '/k', jump: ['b'] });
    expect(applySshConfig('oms-hz-1', s, blocks)).toEqual(s);
  });

  it('changes nothing when no block matches but the catch-all', () => {
    expect(applySshConfig('elsewhere', base({ address: 'elsewhere', user: 'deploy' }), blocks)).toEqual(base({ address: 'elsewhere', user: 'deploy' }));
    // The inventory's default user (the local user name) does give way to the catch-all's User.
    expect(applySshConfig('elsewhere', base({ address: 'elsewhere' }), blocks).user).toBe('fallback');
  });
});
