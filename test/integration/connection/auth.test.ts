/** Logging in to lab hosts with ssh2: key, agent, password; wrong credentials; host keys; the bastion. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../../../lib/connection/known-hosts.js';
import { LocalConnection } from '../../../lib/connection/local.js';
import { ConnectionPool } from '../../../lib/connection/pool.js';
import { parseSshConfig } from '../../../lib/connection/ssh-config.js';
import { Masker } from '../../../lib/secrets.js';
import { getLab } from '../../lab/context.js';
import { labPool, rejection, runLocal, settingsFor, tempDir } from './helpers.js';

const lab = getLab();
const pools: ConnectionPool[] = [];
function track(p: ConnectionPool): ConnectionPool {
  pools.push(p);
  return p;
}
afterAll(async () => {
  for (const p of pools) await p.closeAll();
});

const keyOf = (host: string) => Buffer.from(lab.host(host).hostKey.split(' ')[1]!, 'base64');

describe('login', () => {
  it('with a private key file, per-host port (h2 listens on 2222)', async () => {
    const pool = track(labPool('root'));
    for (const host of ['h1', 'h2']) {
      const c = await pool.get(host);
      const r = await c.exec({ argv: ['hostname'] });
      expect(r).toMatchObject({ exitCode: 0, stdout: `${host}\n` });
    }
    expect(lab.host('h2').port).toBe(2222);
  });

  it('through ssh-agent (and the same settings fail once the agent is gone)', async () => {
    const dir = await tempDir('agent');
    const sock = join(dir, 'agent.sock');
    const agent: ChildProcess = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 50; i++) {
        const probe = await runLocal('ssh-add', ['-l'], { ...process.env, SSH_AUTH_SOCK: sock });
        if (probe.code === 1) break; // agent up, no identities yet
        await new Promise((r) => setTimeout(r, 50));
      }
      const add = await runLocal('ssh-add', [lab.users.admin.keyFile], { ...process.env, SSH_AUTH_SOCK: sock });
      expect(add.code, add.stderr).toBe(0);
      const viaAgent = { keyFile: undefined, agent: true };
      // No key file: only the agent holds the key (the failure without it below proves nothing else did the job).
      const pool = track(labPool('admin', viaAgent, { env: { SSH_AUTH_SOCK: sock } }));
      const r = await (await pool.get('h1')).exec({ argv: ['id', '-un'] });
      expect(r.stdout).toBe('admin\n');
      const noAgent = track(labPool('admin', viaAgent, { env: {} }));
      const e = await rejection(noAgent.get('h1'));
      expect(e.message).toMatch(/authentication failed for admin@/);
      expect(e.message).toContain('SSH_AUTH_SOCK is not set');
    } finally {
      agent.kill('SIGTERM');
    }
  });

  it('with a password from an environment variable, which the masker then hides', async () => {
    const masker = new Masker();
    const pool = track(labPool('admin', { keyFile: undefined, passwordEnv: 'LAB_SSH_PASS' }, { env: { LAB_SSH_PASS: lab.users.admin.password! }, masker }));
    const r = await (await pool.get('h3')).exec({ argv: ['id', '-un'] });
    expect(r.stdout).toBe('admin\n');
    expect(masker.mask(`pw=${lab.users.admin.password}`)).toBe('pw=********');
  });

  it('with a password from the --ask-pass prompt, asked once for all hosts', async () => {
    const asked: string[] = [];
    const pool = track(
      labPool('admin', { keyFile: undefined }, {
        askPass: true,
        prompt: async (q) => {
          asked.push(q);
          return lab.users.admin.password!;
        },
      }),
    );
    const conns = await Promise.all(['h1', 'h2', 'h3'].map((h) => pool.get(h)));
    for (const c of conns) expect((await c.exec({ argv: ['id', '-un'] })).stdout).toBe('admin\n');
    // Asked once for the three hosts.
    expect(asked).toEqual(['SSH password: ']);
  });

  it('refuses a wrong key and a wrong password with what to check', async () => {
    const wrongKey = track(labPool('admin', { keyFile: lab.users.ops.keyFile }));
    const e = await rejection(wrongKey.get('h1'));
    expect(e.host).toBe('h1');
    expect(e.message).toBe(`authentication failed for admin@${lab.host('h1').address}:22 (tried: key ${lab.users.ops.keyFile})`);
    expect(e.hint).toMatch(/authorized_keys/);
    const wrongPw = track(labPool('admin', { keyFile: undefined, passwordEnv: 'P' }, { env: { P: 'not-the-password' } }));
    expect((await rejection(wrongPw.get('h1'))).message).toMatch(/authentication failed .*\(tried: password\)/);
  });

  it('reports a refused port and a missing key file clearly', async () => {
    const refused = track(labPool('root', { port: 2999 }));
    const e = await rejection(refused.get('h1'));
    expect(e.message).toBe(`connection refused by ${lab.host('h1').address}:2999`);
    expect(e.hint).toMatch(/sshd runs/);
    const noKey = track(labPool('root', { keyFile: '/nonexistent/key' }));
    expect((await rejection(noKey.get('h1'))).message).toMatch(/cannot read the private key \/nonexistent\/key/);
  });
});

describe('host keys', () => {
  it('refuses a CHANGED key, naming host, fingerprint, file:line and what to check', async () => {
    const dir = await tempDir('kh');
    // h1 recorded with h3's key: what a man in the middle (or a reinstalled host) looks like.
    const file = await lab.writeKnownHosts({ file: join(dir, 'known_hosts'), hosts: ['h2', 'h1'], keys: { h1: lab.host('h3').hostKey } });
    const line = (await readFile(file, 'utf8')).split('\n').findIndex((l) => l.includes(lab.host('h3').hostKey.split(' ')[1]!)) + 1;
    for (const accept of [false, true]) {
      const pool = track(labPool('root', { knownHostsFile: file }, { acceptNewHostKeys: accept }));
      const e = await rejection(pool.get('h1'));
      expect(e.message).toContain(`HOST KEY CHANGED for h1 (${lab.host('h1').address})`);
      expect(e.message).toContain(`the server presented ssh-ed25519 ${fingerprint(keyOf('h1'))}`);
      expect(e.message).toContain(`${file}:${line} (ssh-ed25519 ${fingerprint(keyOf('h3'))})`);
      expect(e.hint).toContain(`ssh-keygen -R '${lab.host('h1').address}' -f ${file}`);
      expect(e.hint).toContain('never accepted automatically');
    }
    // The file was not touched.
    expect((await readFile(file, 'utf8')).split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('refuses an unknown key, and records it with accept_new_host_keys ([host]:port form)', async () => {
    const dir = await tempDir('kh');
    const file = await lab.writeKnownHosts({ file: join(dir, 'known_hosts'), hosts: ['h1'] });
    const before = await readFile(file, 'utf8');
    const strict = track(labPool('root', { knownHostsFile: file }));
    const e = await rejection(strict.get('h2'));
    expect(e.message).toBe(
      `host key of h2 ([${lab.host('h2').address}]:2222) is not known: the server presented ssh-ed25519 ${fingerprint(keyOf('h2'))}, which is in none of ${file}`,
    );
    expect(e.hint).toContain('accept_new_host_keys');
    expect(await readFile(file, 'utf8')).toBe(before);

    const accepting = track(labPool('root', { knownHostsFile: file, acceptNewHostKeys: true }));
    expect((await (await accepting.get('h2')).exec({ argv: ['hostname'] })).stdout).toBe('h2\n');
    expect(await readFile(file, 'utf8')).toBe(`${before}[${lab.host('h2').address}]:2222 ${lab.host('h2').hostKey}\n`);
    // A strict run now trusts the recorded key.
    const again = track(labPool('root', { knownHostsFile: file }));
    expect((await (await again.get('h2')).exec({ argv: ['hostname'] })).stdout).toBe('h2\n');
  });

  it('trusts a key recorded under the inventory name when the address has none; a different one there is CHANGED', async () => {
    const dir = await tempDir('kh');
    const file = join(dir, 'known_hosts');
    await writeFile(file, `h1 ${lab.host('h1').hostKey}\nh3 ${lab.host('h2').hostKey}\n`);
    const pool = track(labPool('root', { knownHostsFile: file }));
    expect((await (await pool.get('h1')).exec({ argv: ['hostname'] })).stdout).toBe('h1\n');
    const e = await rejection(pool.get('h3'));
    expect(e.message).toContain(`HOST KEY CHANGED for h3 (h3, address ${lab.host('h3').address})`);
    expect(e.message).toContain(`${file}:2`);
  });

  it('verifies OpenSSH-hashed known_hosts entries', async () => {
    const dir = await tempDir('kh');
    const file = await lab.writeKnownHosts({ file: join(dir, 'known_hosts'), hosts: ['h1', 'h2'] });
    const h = await runLocal('ssh-keygen', ['-H', '-f', file]);
    expect(h.code, h.stderr).toBe(0);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(lab.host('h1').address);
    const pool = track(labPool('root', { knownHostsFile: file }));
    for (const host of ['h1', 'h2']) expect((await (await pool.get(host)).exec({ argv: ['hostname'] })).stdout).toBe(`${host}\n`);
  });
});

describe('bastion', () => {
  it('reaches h4 only through h1, checking both host keys, sharing the bastion connection', async () => {
    const h4 = lab.host('h4');
    expect(h4.bastionOnly).toBe(true);
    const direct = track(labPool('root', { jump: undefined, connectTimeoutMs: 2000 }));
    const e = await rejection(direct.get('h4'));
    expect(e.message).toMatch(/no route|timed out|refused/);

    const pool = track(labPool('root'));
    const [c1, c4] = await Promise.all([pool.get('h1'), pool.get('h4')]);
    expect((await c4.exec({ argv: ['hostname'] })).stdout).toBe('h4\n');
    expect((await c1.exec({ argv: ['hostname'] })).stdout).toBe('h1\n');
    expect(pool.stats().perHost).toEqual({ h1: 1, 'h4 via h1': 1 });
  });

  it('bounded handshakes (forks: 1) still connect every host, bastion chains included', async () => {
    const pool = track(labPool('root', {}, { forks: 1 }));
    const names = await Promise.all(['h4', 'h1', 'h2', 'h3'].map(async (h) => (await (await pool.get(h)).exec({ argv: ['hostname'] })).stdout.trim()));
    expect(names).toEqual(['h4', 'h1', 'h2', 'h3']);
    expect(pool.stats().opened).toBe(4);
  });

  it("refuses the far host's changed key even though the bastion is fine", async () => {
    const dir = await tempDir('kh');
    const file = await lab.writeKnownHosts({ file: join(dir, 'known_hosts'), keys: { h4: lab.host('h2').hostKey } });
    const pool = track(labPool('root', { knownHostsFile: file }));
    const e = await rejection(pool.get('h4'));
    expect(e.host).toBe('h4');
    expect(e.message).toContain('HOST KEY CHANGED for h4');
    expect((await (await pool.get('h1')).exec({ argv: ['hostname'] })).stdout).toBe('h1\n');
  });

  it('takes user@address:port jump specs and ignores a jump list that names the host itself', async () => {
    const b = lab.host('h1');
    const pool = track(
      labPool('root', (host) => (host === 'h4' ? { jump: [`root@${b.address}:${b.port}`] } : { jump: ['h1'] })),
    );
    expect((await (await pool.get('h4')).exec({ argv: ['hostname'] })).stdout).toBe('h4\n');
    expect((await (await pool.get('h1')).exec({ argv: ['hostname'] })).stdout).toBe('h1\n');
  });
});

describe('pool', () => {
  it('takes HostName, Port, User, IdentityFile and ProxyJump from ssh_config where the inventory left defaults', async () => {
    const h2 = lab.host('h2');
    const h1 = lab.host('h1');
    const sshConfig = parseSshConfig(
      [
        'Host web2',
        `  HostName ${h2.address}`,
        `  Port ${h2.port}`,
        `  IdentityFile ${lab.users.ops.keyFile}`,
        '  User ops',
        'Host far',
        `  HostName ${lab.host('h4').address}`,
        '  ProxyJump jumpbox',
        `  IdentityFile ${lab.users.root.keyFile}`,
        'Host jumpbox',
        `  HostName ${h1.address}`,
        `  IdentityFile ${lab.users.root.keyFile}`,
      ].join('\n'),
    );
    const local = (await import('node:os')).userInfo().username;
    const pool = track(
      new ConnectionPool(
        (n) => (n === 'web2' || n === 'far' ? { connection: 'ssh', address: n, port: 22, user: n === 'far' ? 'root' : local, knownHostsFile: lab.knownHostsFile } : undefined),
        { knownHostsFiles: [], env: {}, sshConfig },
      ),
    );
    expect((await (await pool.get('web2')).exec({ argv: ['sh', '-c', 'echo $(hostname) $(id -un)'] })).stdout).toBe('h2 ops\n');
    expect((await (await pool.get('far')).exec({ argv: ['hostname'] })).stdout).toBe('h4\n');
    expect(pool.stats().perHost).toEqual({ web2: 1, jumpbox: 1, 'far via jumpbox': 1 });
  });

  it('gives a local connection for connection: local', async () => {
    const pool = track(new ConnectionPool((n) => (n === 'localhost' ? { ...settingsFor('h1'), connection: 'local' } : undefined)));
    const c = await pool.get('localhost');
    expect(c).toBeInstanceOf(LocalConnection);
    expect((await c.exec({ argv: ['echo', 'local'] })).stdout).toBe('local\n');
    expect((await rejection(pool.get('nope'))).message).toBe('no connection settings for host nope');
  });

  it('closeAll() during the handshakes (Ctrl-C while connecting) leaves no connection behind', async () => {
    const pool = labPool('root');
    const gets = ['h1', 'h2', 'h3'].map((h) => pool.get(h).then((c) => c, (e: unknown) => e));
    await new Promise((r) => setTimeout(r, 5));
    await pool.closeAll();
    for (const r of await Promise.all(gets)) {
      // Either cut short, or opened just before and closed by closeAll: no exec works on it any more.
      if (r instanceof Error) expect(r.message).toMatch(/closed by omsplay/);
      else await expect((r as import('../../../lib/connection/types.js').Connection).exec({ argv: ['true'] })).rejects.toThrow(/closed by omsplay/);
    }
  });

  it('with an encrypted key: passphrase from the named environment variable, or asked once', async () => {
    const dir = await tempDir('key');
    const key = join(dir, 'id');
    await writeFile(key, await readFile(lab.users.ops.keyFile), { mode: 0o600 });
    const r = await runLocal('ssh-keygen', ['-p', '-q', '-P', '', '-N', 'pass phrase 42', '-f', key]);
    expect(r.code, r.stderr).toBe(0);
    const noPass = track(labPool('ops', { keyFile: key, keyPassphraseEnv: 'KP' }));
    expect((await rejection(noPass.get('h1'))).message).toBe(`the private key ${key} is encrypted and no passphrase was given`);
    const pool = track(labPool('ops', { keyFile: key, keyPassphraseEnv: 'KP' }, { env: { KP: 'pass phrase 42' } }));
    expect((await (await pool.get('h1')).exec({ argv: ['id', '-un'] })).stdout).toBe('ops\n');
    // Interactive: asked once for every host using the key.
    const asked: string[] = [];
    const prompted = track(labPool('ops', { keyFile: key }, {
        prompt: async (q) => {
          asked.push(q);
          return 'pass phrase 42';
        },
      }));
    for (const h of await Promise.all(['h1', 'h2', 'h3'].map((n) => prompted.get(n)))) expect((await h.exec({ argv: ['id', '-un'] })).stdout).toBe('ops\n');
    expect(asked).toEqual([`Passphrase for ${key}: `]);
  });
});
