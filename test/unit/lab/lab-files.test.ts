/** Pure parts of the lab: names, known_hosts text, inventory document, sshd config, host init script. */
import { describe, expect, it } from 'vitest';
import { knownHostsText, newKeyPair } from '../../lab/credentials.js';
import { initScript, sshdConfig, sudoersFile } from '../../lab/host-files.js';
import { inventoryDocument } from '../../lab/inventory.js';
import { checkHostName, checkLabId, netnsPrefix, vethPattern } from '../../lab/names.js';
import type { LabDescriptor, LabHost, LabUsers } from '../../lab/types.js';

const users: LabUsers = {
  root: { name: 'root', keyFile: '/k/root', sudo: 'root' },
  admin: { name: 'admin', keyFile: '/k/admin', password: 'pw', sudo: 'password' },
  ops: { name: 'ops', keyFile: '/k/ops', password: 'pw2', sudo: 'nopasswd' },
  dockerop: { name: 'dockerop', keyFile: '/k/dockerop', password: 'pw3', sudo: 'docker-nopasswd' },
  dockerpw: { name: 'dockerpw', keyFile: '/k/dockerpw', password: 'pw4', sudo: 'docker-password' },
};

function host(name: string, index: number, extra: Partial<LabHost> = {}): LabHost {
  return {
    name,
    index,
    address: `10.77.1.${10 + index}`,
    port: 22,
    region: 'hz',
    users,
    sshdLog: `/l/${name}/sshd.log`,
    hostKey: 'ssh-ed25519 AAAA',
    netns: `olab1-${name}`,
    dir: `/var/tmp/omsplay-lab-1/hosts/${name}`,
    pidFile: `/p/${name}`,
    ...extra,
  };
}

const lab: LabDescriptor = {
  id: 1,
  dir: '/var/tmp/omsplay-lab-1',
  bridge: 'olab1',
  subnet: '10.77.1.0/24',
  gateway: '10.77.1.1',
  hosts: [
    host('h1', 0, { internalAddress: '10.78.1.10' }),
    host('h2', 1, { port: 2222 }),
    host('h4', 2, { address: '10.78.1.12', internalAddress: '10.78.1.12', bastionOnly: true, bastion: 'h1', region: 'sh' }),
  ],
  users,
  keys: { root: '/k/root', admin: '/k/admin', ops: '/k/ops', dockerop: '/k/dockerop', dockerpw: '/k/dockerpw' },
  knownHostsFile: '/var/tmp/omsplay-lab-1/known_hosts',
  sharedDir: '/var/tmp/omsplay-lab-1/shared',
  startupMs: 1,
};

describe('lab sudoers', () => {
  it('gives dockerop and dockerpw /usr/bin/docker only (NOPASSWD / with password), and the inventory asks dockerpw\'s password', () => {
    const text = sudoersFile('password');
    expect(text).toContain('dockerop ALL=(root) NOPASSWD: /usr/bin/docker\n');
    expect(text).toContain('dockerpw ALL=(root) /usr/bin/docker\n');
    const inv = inventoryDocument(lab, { user: 'dockerpw', become: true }) as { connection: Record<string, unknown> };
    expect(inv.connection).toMatchObject({ user: 'dockerpw', become: true, become_password_env: 'OMSPLAY_LAB_SUDO_PASS' });
    const np = inventoryDocument(lab, { user: 'dockerop', become: true }) as { connection: Record<string, unknown> };
    expect(np.connection.become_password_env).toBeUndefined();
  });
});

describe('lab names', () => {
  it('never match another lab id', () => {
    expect(vethPattern(1).test('ol1m0')).toBe(true);
    expect(vethPattern(1).test('ol10m0')).toBe(false);
    expect('olab10-h1'.startsWith(netnsPrefix(1))).toBe(false);
    expect(() => checkLabId(51)).toThrow(/0\.\.50/);
    expect(() => checkHostName('H 1')).toThrow(/host name/);
  });
});

describe('known_hosts text', () => {
  it('brackets non-default ports', () => {
    const text = knownHostsText([
      { names: ['10.77.1.10', 'h1'], port: 22, key: 'ssh-ed25519 AAA' },
      { names: ['10.77.1.11', 'h2'], port: 2222, key: 'ssh-ed25519 BBB' },
    ]);
    expect(text).toBe('10.77.1.10,h1 ssh-ed25519 AAA\n[10.77.1.11]:2222,[h2]:2222 ssh-ed25519 BBB\n');
  });

  it('generates keys whose public part OpenSSH accepts (32-byte ed25519 key)', () => {
    for (let i = 0; i < 600; i++) {
      const blob = Buffer.from(newKeyPair('t').public.split(' ')[1]!, 'base64');
      expect(blob.readUInt32BE(4 + blob.readUInt32BE(0))).toBe(32);
    }
  });
});

describe('inventory document', () => {
  it('places hosts in regions with ports and jump hosts', () => {
    const doc = inventoryDocument(lab, { user: 'admin', become: true, groups: { oms: ['h1', 'h2'] } }) as any;
    expect(doc.connection).toMatchObject({ user: 'admin', key_file: '/k/admin', become: true, become_password_env: 'OMSPLAY_LAB_SUDO_PASS' });
    expect(doc.regions.hz.hosts).toEqual({ h1: { address: '10.77.1.10' }, h2: { address: '10.77.1.11', port: 2222 } });
    expect(doc.regions.sh.hosts.h4).toEqual({ address: '10.78.1.12', jump: ['h1'] });
    expect(doc.groups).toEqual({ oms: { hosts: ['h1', 'h2'] } });
  });

  it('names the bastion by address when it is not in the inventory, and needs no sudo password for ops', () => {
    const doc = inventoryDocument(lab, { hosts: ['h4'], user: 'ops', become: true }) as any;
    expect(doc.regions.sh.hosts.h4.jump).toEqual(['ops@10.77.1.10:22']);
    expect(doc.connection.become_password_env).toBeUndefined();
    expect(() => inventoryDocument(lab, { hosts: ['h9'] })).toThrow(/no lab host h9/);
  });
});

describe('host build', () => {
  it('sshd config has absolute paths and the limits tests rely on', () => {
    const c = sshdConfig(2222);
    expect(c).toMatch(/^Port 2222$/m);
    for (const line of ['MaxSessions 100', 'MaxStartups 100:30:200', 'LogLevel VERBOSE', 'StrictModes no']) expect(c).toContain(line);
    for (const m of c.matchAll(/^(HostKey|PidFile) (.*)$/gm)) expect(m[2]!.startsWith('/')).toBe(true);
  });

  it('init pivots into an overlay of / and becomes sshd', () => {
    const s = initScript({
      host: lab.hosts[0]!,
      docker: true,
      interfaces: [{ dev: 'eth0', cidr: '10.77.1.10/24' }],
      etcHosts: '',
      knownHosts: '',
      labDir: lab.dir,
      sharedDir: lab.sharedDir,
      runcWrapper: true,
    });
    expect(s).toContain('lowerdir=/,upperdir=');
    expect(s).toContain('pivot_root . .oldroot');
    expect(s).not.toMatch(/\bchroot\b/);
    expect(s).toContain('--default-runtime lab-runc');
    expect(s.trim().split('\n').at(-1)).toMatch(/^exec \/usr\/sbin\/sshd -D -f \/etc\/ssh\/lab\/sshd_config -E \/var\/log\//);
  });
});
