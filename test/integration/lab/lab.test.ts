/** Proves the lab itself: separate hosts, sshd on the right ports, the bastion-only host, docker, MariaDB, host death. */
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import mysql from 'mysql2/promise';
import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { getLab } from '../../lab/context.js';

const lab = getLab();

/** Connects and reads the first line (sshd's banner). Rejects with the socket error code. */
function banner(host: string, port: number, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    let buf = '';
    s.setTimeout(timeoutMs, () => {
      s.destroy();
      reject(new Error('ETIMEDOUT'));
    });
    s.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\n')) {
        s.destroy();
        resolve(buf.split('\n')[0]!.trim());
      }
    });
    s.on('error', (e: NodeJS.ErrnoException) => reject(new Error(e.code ?? e.message)));
  });
}

/** Password login with ssh2 (the system client cannot do it non-interactively); returns the command's stdout. */
function passwordExec(host: string, port: number, user: string, password: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    c.on('ready', () => {
      c.exec(command, (err, stream) => {
        if (err) return reject(err);
        let out = '';
        stream.on('data', (d: Buffer) => {
          out += d.toString();
        });
        stream.stderr.on('data', () => {});
        stream.on('close', () => {
          c.end();
          resolve(out);
        });
      });
    });
    c.on('error', reject);
    c.connect({ host, port, username: user, password, readyTimeout: 5000, hostVerifier: () => true });
  });
}

describe('lab hosts', () => {
  it('have distinct hostnames and addresses, and see each other by name', async () => {
    const names = await Promise.all(lab.hosts.map((h) => lab.exec(h.name, ['hostname'], { check: true })));
    expect(names.map((r) => r.stdout.trim())).toEqual(lab.hosts.map((h) => h.name));
    const addrs = new Set(lab.hosts.map((h) => h.address));
    expect(addrs.size).toBe(lab.hosts.length);
    for (const h of lab.hosts) {
      const ip = await lab.exec(h.name, ['ip', '-o', '-4', 'addr', 'show'], { check: true });
      expect(ip.stdout).toContain(`${h.address}/24`);
    }
    const getent = await lab.exec('h1', ['getent', 'hosts', 'h2', 'h4'], { check: true });
    expect(getent.stdout).toContain(lab.host('h2').address);
    expect(getent.stdout).toContain(lab.host('h4').address);
  });

  it('have their own copy-on-write filesystem', async () => {
    const marker = `/etc/omsplay-lab-marker-${process.pid}`;
    await lab.exec('h1', ['sh', '-c', `echo h1 > ${marker}`], { check: true });
    expect((await lab.exec('h1', ['cat', marker])).stdout).toBe('h1\n');
    expect((await lab.exec('h2', ['test', '-e', marker])).code).toBe(1);
    await expect(readFile(marker)).rejects.toThrow(/ENOENT/);
    // The machine's own files are there underneath (lowerdir=/), the lab's keys are hidden.
    expect((await lab.exec('h2', ['test', '-x', '/usr/sbin/sshd'])).code).toBe(0);
    expect((await lab.exec('h2', ['ls', lab.dir])).stdout.trim()).toBe('');
  });

  it('run sshd on their own ports, with the lab keys and known_hosts', async () => {
    expect(await banner(lab.host('h1').address, 22)).toMatch(/^SSH-2\.0-OpenSSH/);
    expect(lab.host('h2').port).toBe(2222);
    expect(await banner(lab.host('h2').address, 2222)).toMatch(/^SSH-2\.0-OpenSSH/);
    await expect(banner(lab.host('h2').address, 22)).rejects.toThrow('ECONNREFUSED');

    const before = await lab.sshConnections('h2');
    const root = await lab.ssh('h2', 'hostname; id -u');
    expect(root.stderr).toBe('');
    expect(root.stdout).toBe('h2\n0\n');
    expect(await lab.sshConnections('h2')).toBe(before + 1);
    // A known_hosts naming another key for h2 makes the client refuse it.
    const wrong = await lab.writeKnownHosts({ file: `${lab.dir}/kh-wrong-${process.pid}`, keys: { h2: lab.host('h1').hostKey } });
    const refused = await lab.ssh('h2', 'true', { knownHostsFile: wrong });
    expect(refused.code).toBe(255);
    expect(refused.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    const admin = await lab.ssh('h3', 'id -un', { user: 'admin' });
    expect(admin.stdout).toBe('admin\n');
    // sshd logs each connection (LogLevel VERBOSE): tests count connections from this file.
    const log = await readFile(lab.host('h3').sshdLog, 'utf8');
    expect(log).toMatch(/Connection from 10\.77\.\d+\.1 port \d+ on 10\.77\.\d+\.12 port 22/);
    expect(log).toContain('Accepted publickey for admin');
  });

  it('accept the admin password, and sudo asks admin for it but not ops', async () => {
    const h1 = lab.host('h1');
    const out = await passwordExec(h1.address, h1.port, 'admin', lab.users.admin.password!, `echo '${lab.users.admin.password}' | sudo -S -p '' id -u`);
    expect(out).toBe('0\n');
    expect((await lab.exec('h1', ['sudo', '-n', 'true'], { user: 'admin' })).code).toBe(1);
    expect((await lab.exec('h1', ['sudo', '-n', 'id', '-u'], { user: 'ops' })).stdout).toBe('0\n');
    await expect(passwordExec(h1.address, h1.port, 'admin', 'wrong', 'true')).rejects.toThrow(/authentication/i);
  });

  it('h4 is reachable only through its bastion h1', async () => {
    const h4 = lab.host('h4');
    expect(h4.bastionOnly).toBe(true);
    expect(h4.bastion).toBe('h1');
    await expect(banner(h4.address, 22)).rejects.toThrow(/EHOSTUNREACH|ENETUNREACH|ETIMEDOUT/);
    const through = await lab.ssh('h4', 'hostname');
    expect(through.stdout).toBe('h4\n');
    // From h2 (not a bastion) h4 is unreachable too; from h1 it answers.
    expect((await lab.exec('h2', ['bash', '-c', `exec 3<>/dev/tcp/${h4.address}/22`], { timeoutMs: 10_000 })).code).not.toBe(0);
    expect((await lab.exec('h1', ['bash', '-c', `exec 3<>/dev/tcp/${h4.address}/22 && head -c 7 <&3`])).stdout).toBe('SSH-2.0');
  });

  it('run their own dockerd, where --privileged containers work', async () => {
    const dockerHosts = lab.hosts.filter((h) => h.dockerSocket);
    expect(dockerHosts.map((h) => h.name)).toEqual(['h1', 'h2', 'h3']);
    await Promise.all(
      dockerHosts.map(async (h) => {
        const image = await lab.importBusybox(h.name);
        const r = await lab.docker(h.name, ['run', '--rm', '--privileged', '--net', 'host', image, 'hostname'], { check: true });
        expect(r.stdout).toBe(`${h.name}\n`);
        // The client inside the host talks to the same daemon.
        expect((await lab.exec(h.name, ['docker', 'image', 'inspect', '-f', '{{.Id}}', image], { check: true })).code).toBe(0);
      }),
    );
    const ids = await Promise.all(dockerHosts.map((h) => lab.docker(h.name, ['info', '-f', '{{.ID}}'], { check: true })));
    expect(new Set(ids.map((r) => r.stdout)).size).toBe(3);
  });

  it('MariaDB answers the control node and the hosts', async () => {
    const db = lab.mariadb!;
    const conn = await mysql.createConnection({ host: db.host, port: db.port, user: 'root', password: db.rootPassword });
    try {
      const [rows] = await conn.query('SELECT 1 + 1 AS two');
      expect((rows as { two: number }[])[0]!.two).toBe(2);
    } finally {
      await conn.end();
    }
    const r = await lab.exec('h3', ['mysql', '-h', 'metadb', '-u', db.user, `-p${db.password}`, '-N', '-e', 'SELECT 42'], { check: true });
    expect(r.stdout).toBe('42\n');
  });

  it('inventory() writes an omsplay inventory with regions, ports and the jump host', async () => {
    const file = await lab.inventory({ user: 'admin', become: true, vars: { site: 'lab' } });
    const doc = parse(await readFile(file, 'utf8'));
    expect(doc.connection).toMatchObject({ user: 'admin', key_file: lab.keys.admin, known_hosts: lab.knownHostsFile, become: true });
    expect(doc.connection.become_password_env).toBe('OMSPLAY_LAB_SUDO_PASS');
    expect(doc.regions.hz.hosts.h2).toEqual({ address: lab.host('h2').address, port: 2222 });
    expect(doc.regions.sh.hosts.h4).toEqual({ address: lab.host('h4').address, jump: ['h1'] });
    const partial = parse(await readFile(await lab.inventory({ hosts: ['h4'] }), 'utf8'));
    expect(partial.regions.sh.hosts.h4.jump).toEqual([`root@${lab.host('h1').address}:22`]);
  });

  it('kill() makes a host vanish; restart() boots it again on the same disk; cut() silences it', async () => {
    const h3 = lab.host('h3');
    try {
      await lab.exec('h3', ['sh', '-c', 'echo survived > /root/disk-marker'], { check: true });
      expect(await lab.kill('h3')).toBe(true);
      expect(await lab.isUp('h3')).toBe(false);
      await expect(banner(h3.address, 22)).rejects.toThrow('ECONNREFUSED');
      await expect(lab.exec('h3', ['true'])).rejects.toThrow(/down/);

      await lab.restart('h3');
      expect((await lab.exec('h3', ['cat', '/root/disk-marker'])).stdout).toBe('survived\n');
      expect((await lab.docker('h3', ['info', '-f', '{{.Name}}'], { check: true })).stdout).toBe('h3\n');

      await lab.cut('h3');
      await expect(banner(h3.address, 22, 500)).rejects.toThrow(/ETIMEDOUT|EHOSTUNREACH/);
      await lab.heal('h3');
      expect(await banner(h3.address, 22)).toMatch(/^SSH-2\.0/);
    } finally {
      // Later test files share this lab: leave h3 as it was.
      await lab.heal('h3');
      if (!(await lab.isUp('h3'))) await lab.restart('h3');
    }
  });
});
