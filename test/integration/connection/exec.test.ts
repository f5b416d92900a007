/** Commands over kept ssh2 connections: options, become, timeouts, Ctrl-C, lost hosts, reuse, forwarding. */
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConnectionPool } from '../../../lib/connection/pool.js';
import { remoteSha256 } from '../../../lib/commands/fs.js';
import type { SshConnection } from '../../../lib/connection/ssh.js';
import { BecomeRefusedError } from '../../../lib/connection/become.js';
import { UnreachableError } from '../../../lib/errors.js';
import { getLab } from '../../lab/context.js';
import { labPool, rejection, waitForProcesses, waitGone } from './helpers.js';

const lab = getLab();
const pools: ConnectionPool[] = [];
function track(p: ConnectionPool): ConnectionPool {
  pools.push(p);
  return p;
}
afterAll(async () => {
  for (const p of pools) await p.closeAll();
});
const adminBecome = () => ({ password: lab.users.admin.password! });

describe('exec', () => {
  it('runs argv with quoting, env, cwd, stdin (string, Buffer, stream) and reports exit codes', async () => {
    const c = await track(labPool('root')).get('h1');
    const r = await c.exec({ argv: ['sh', '-c', 'printf "%s|%s|%s\\n" "$1" "$GREETING" "$(pwd)"; cat; exit 3', 'sh', "it's $HOME `x`"] }, {
      env: { GREETING: 'hello world' },
      cwd: '/tmp',
      stdin: 'from stdin\n',
    });
    expect(r).toMatchObject({ exitCode: 3, signal: null, stdout: "it's $HOME `x`|hello world|/tmp\nfrom stdin\n", stderr: '', timedOut: false });
    expect((await c.exec({ argv: ['wc', '-c'] }, { stdin: Buffer.alloc(100_000, 1) })).stdout.trim()).toBe('100000');
    expect((await c.exec({ argv: ['cat'] }, { stdin: Readable.from(['a', 'b', 'c']) })).stdout).toBe('abc');
    const script = await c.exec({ script: 'echo out; echo err >&2; false' });
    expect(script).toMatchObject({ exitCode: 1, stdout: 'out\n', stderr: 'err\n' });
    const missing = await c.exec({ argv: ['no-such-program-xyz'] });
    expect(missing.exitCode).toBe(127);
    const chunks: string[] = [];
    await c.exec({ script: 'echo a; sleep 0.2; echo b' }, { onStdout: (b) => chunks.push(b.toString()) });
    expect(chunks.join('')).toBe('a\nb\n');
  });

  it('become: admin runs as root with the sudo password on stdin; the password is never in ps', async () => {
    const c = await track(labPool('admin')).get('h1');
    expect((await c.exec({ argv: ['id', '-un'] })).stdout).toBe('admin\n');
    const pw = lab.users.admin.password!;
    const running = c.exec({ argv: ['sh', '-c', 'cat; id -un; sleep 1.5'] }, { become: adminBecome(), stdin: 'payload\n', cwd: '/root' });
    expect(await waitForProcesses('h1', /^sleep 1\.5$/, 1)).toHaveLength(1);
    const ps = await lab.exec('h1', ['ps', '-eo', 'args']);
    expect(ps.stdout).toContain('sudo');
    expect(ps.stdout).not.toContain(pw);
    expect(await running).toMatchObject({ exitCode: 0, stdout: 'payload\nroot\n', stderr: '' });
    const asOps = await c.exec({ argv: ['id', '-un'] }, { become: { user: 'ops', password: pw } });
    expect(asOps.stdout).toBe('ops\n');
  });

  it('become with a password where sudo needs none (ops: NOPASSWD): the password never reaches the command', async () => {
    const c = await track(labPool('ops')).get('h2');
    const r = await c.exec({ argv: ['cat'] }, { become: { password: 'never-read-this' }, stdin: 'only this\n' });
    expect(r).toMatchObject({ exitCode: 0, stdout: 'only this\n', stderr: '' });
    expect((await c.exec({ argv: ['id', '-un'] }, { become: { password: 'x' } })).stdout).toBe('root\n');
  });

  it('a wrong sudo password fails fast with sudo\'s message; stdin is never fed to sudo', async () => {
    const c = await track(labPool('admin')).get('h2');
    const started = performance.now();
    const e = await c.exec({ argv: ['cat'] }, { become: { password: 'wrong-password' }, stdin: 'secret payload\n', timeoutMs: 20_000 }).then(
      () => null,
      (x: unknown) => x,
    );
    // A refusal is an error naming what sudo refused, not a result the caller could mistake for the command's.
    expect(e).toBeInstanceOf(BecomeRefusedError);
    const msg = (e as BecomeRefusedError).format();
    expect(msg).toMatch(/did not accept the password for admin to run `sh -c .*cat`/);
    expect(msg).toMatch(/incorrect password|no password was provided/);
    expect(msg).not.toContain('omsplay-sudo-password');
    expect(msg).not.toContain('secret payload');
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('a timed-out command is killed on the target (root, and admin with become)', async () => {
    for (const [user, become] of [['root', undefined], ['admin', adminBecome()]] as const) {
      const c = await track(labPool(user)).get('h3');
      const marker = `${user === 'root' ? 4201 : 4202}`;
      const started = performance.now();
      const r = await c.exec({ script: `sleep ${marker}; echo never` }, { timeoutMs: 800, become });
      expect(r).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGKILL', stdout: '' });
      expect(performance.now() - started).toBeLessThan(3000);
      expect(await waitGone('h3', new RegExp(`sleep ${marker}`))).toEqual([]);
      // The connection is still good afterwards.
      expect((await c.exec({ argv: ['echo', 'ok'] })).stdout).toBe('ok\n');
    }
  });

  it('an abort signal (Ctrl-C) ends a running command and its remote processes', async () => {
    const c = await track(labPool('root')).get('h1');
    const ac = new AbortController();
    const p = c.exec({ script: 'sleep 4203 & sleep 4204; wait' }, { signal: ac.signal });
    expect(await waitForProcesses('h1', /^sleep 420[34]$/, 2)).toHaveLength(2);
    ac.abort();
    const r = await p;
    expect(r.signal).toBe('SIGKILL');
    expect(r.timedOut).toBe(false);
    expect(await waitGone('h1', /sleep 420[34]/)).toEqual([]);
  });

  it('remoteSha256 hashes a remote file or returns null when it is missing', async () => {
    const c = await track(labPool('admin')).get('h1');
    await lab.exec('h1', ['sh', '-c', 'mkdir -p /root/sha && printf abc > /root/sha/f && chmod 700 /root/sha']);
    expect(await remoteSha256(c, '/root/sha/f', adminBecome())).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await remoteSha256(c, '/root/sha/missing', adminBecome())).toBeNull();
  });
});

describe('connections', () => {
  it('20 commands on 3 hosts reuse one connection per host (sshd logs and the pool counter)', async () => {
    const hosts = ['h1', 'h2', 'h3'];
    const accepted = (h: string) => readFile(lab.host(h).sshdLog, 'utf8').then((t) => t.split('\n').filter((l) => l.includes('Accepted publickey for root')).length);
    const before = await Promise.all(hosts.map((h) => lab.sshConnections(h)));
    const acceptedBefore = await Promise.all(hosts.map(accepted));
    const pool = track(labPool('root'));
    // 20 tasks, each on every host in parallel, connections requested afresh each time (as the engine does).
    for (let task = 0; task < 20; task++) {
      const out = await Promise.all(hosts.map(async (h) => (await (await pool.get(h)).exec({ argv: ['echo', `${task}`] })).stdout));
      expect(out).toEqual(hosts.map(() => `${task}\n`));
    }
    const after = await Promise.all(hosts.map((h) => lab.sshConnections(h)));
    expect(after.map((n, i) => n - before[i]!)).toEqual([1, 1, 1]);
    expect(pool.stats()).toMatchObject({ opened: 3, perHost: { h1: 1, h2: 1, h3: 1 } });
    // sshd's own "Accepted" (authenticated login) lines agree: one per host.
    const acceptedAfter = await Promise.all(hosts.map(accepted));
    expect(acceptedAfter.map((n, i) => n - acceptedBefore[i]!)).toEqual([1, 1, 1]);
  });

  it('forward() opens a stream from the far end (the MetaDB greeting through h1)', async () => {
    const db = lab.mariadb!;
    const c = (await track(labPool('root')).get('h1')) as SshConnection;
    const stream = await c.forward(db.host, db.port);
    const greeting = await new Promise<Buffer>((resolve, reject) => {
      stream.once('data', resolve);
      stream.once('error', reject);
    });
    stream.destroy();
    // MySQL protocol: 3-byte length, sequence 0, protocol version 10, then the server version string.
    expect(greeting[3]).toBe(0);
    expect(greeting[4]).toBe(10);
    expect(greeting.subarray(5, 40).toString('latin1')).toMatch(/MariaDB/);
  });

  it('a host killed mid-run ends as unreachable; the other hosts finish', async () => {
    // Default keep-alives: a killed host's kernel resets the connection; detection must not need them.
    const pool = track(labPool('root'));
    const hosts = ['h1', 'h2', 'h3'];
    const conns = await Promise.all(hosts.map((h) => pool.get(h)));
    const started = performance.now();
    const runs = conns.map((c, i) => c.exec({ script: `sleep 4.0${i}; echo done` }).then((r) => r, (e: unknown) => e));
    try {
      for (const [i, h] of hosts.entries()) expect(await waitForProcesses(h, new RegExp(`^sleep 4\\.0${i}$`), 1)).toHaveLength(1);
      expect(await lab.kill('h2')).toBe(true);
      const [r1, r2, r3] = await Promise.all(runs);
      expect(r1).toMatchObject({ exitCode: 0, stdout: 'done\n' });
      expect(r3).toMatchObject({ exitCode: 0, stdout: 'done\n' });
      expect(r2).toBeInstanceOf(UnreachableError);
      const e = r2 as UnreachableError;
      expect(e.host).toBe('h2');
      expect(e.message).toMatch(new RegExp(`^connection to root@${lab.host('h2').address}:2222 lost`));
      expect(performance.now() - started).toBeLessThan(10_000);
      // Later calls on the dead host fail at once with the same reason; the others keep working.
      const later = await rejection(conns[1]!.exec({ argv: ['true'] }));
      expect(later.message).toBe(e.message);
      expect((await conns[0]!.exec({ argv: ['hostname'] })).stdout).toBe('h1\n');
    } finally {
      await lab.restart('h2');
    }
  });

  it('a host behind the bastion dies mid-run: unreachable through the forwarded stream; the bastion goes on', async () => {
    const pool = track(labPool('root'));
    const [c1, c4] = await Promise.all([pool.get('h1'), pool.get('h4')]);
    const r1 = c1.exec({ script: 'sleep 1.51; echo done' });
    const r4 = c4.exec({ script: 'sleep 1.52; echo done' }).then((r) => r, (e: unknown) => e);
    try {
      expect(await waitForProcesses('h4', /^sleep 1\.52$/, 1)).toHaveLength(1);
      expect(await lab.kill('h4')).toBe(true);
      const e = await r4;
      expect(e).toBeInstanceOf(UnreachableError);
      expect((e as UnreachableError).host).toBe('h4');
      expect((e as UnreachableError).message).toMatch(/^connection to root@\S+ lost/);
      expect(await r1).toMatchObject({ exitCode: 0, stdout: 'done\n' });
    } finally {
      await lab.restart('h4');
    }
  });

  it('when the bastion dies, the hosts behind it are unreachable too, naming the bastion', async () => {
    const pool = track(labPool('root'));
    const [c1, c4] = await Promise.all([pool.get('h1'), pool.get('h4')]);
    const runs = [c1, c4].map((c, i) => c.exec({ script: `sleep 3.0${i}` }).then((r) => r, (e: unknown) => e));
    try {
      expect(await waitForProcesses('h4', /^sleep 3\.01$/, 1)).toHaveLength(1);
      expect(await lab.kill('h1')).toBe(true);
      const [e1, e4] = (await Promise.all(runs)) as UnreachableError[];
      expect(e1).toBeInstanceOf(UnreachableError);
      expect(e4).toBeInstanceOf(UnreachableError);
      expect(e4!.host).toBe('h4');
      expect(e4!.message).toMatch(/lost \(its bastion h1 was lost\)$/);
    } finally {
      await lab.restart('h1');
    }
  });

  it('a host that goes silent (cut off) is declared lost by keep-alives, not waited on forever', async () => {
    const pool = track(labPool('root', {}, { keepaliveIntervalMs: 500, keepaliveCountMax: 2 }));
    const c = await pool.get('h3');
    const run = c.exec({ script: 'sleep 30.1' }).then((r) => r, (e: unknown) => e);
    expect(await waitForProcesses('h3', /^sleep 30\.1$/, 1)).toHaveLength(1);
    const started = performance.now();
    await lab.cut('h3');
    try {
      const e = await run;
      expect(e).toBeInstanceOf(UnreachableError);
      expect((e as UnreachableError).message).toMatch(/lost \(no answer to keep-alives\)/);
      expect(performance.now() - started).toBeLessThan(8000);
    } finally {
      await lab.heal('h3');
    }
  });
});
