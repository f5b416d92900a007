/** SFTP transfers: streamed (200 MB with a flat control-node RSS), temp name then rename, mode/owner, become. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionPool } from '../../../lib/connection/pool.js';
import { remoteSha256 } from '../../../lib/commands/fs.js';
import { getLab } from '../../lab/context.js';
import { labPool, runLocal, settingsFor, tempDir } from './helpers.js';

const lab = getLab();
const SIZE = 200 * 2 ** 20;
const pools: ConnectionPool[] = [];
let dir: string;
let big: string;
let bigSha: string;

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (c) => h.update(c))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });
}

beforeAll(async () => {
  dir = await tempDir('sftp');
  big = join(dir, 'big.bin');
  const r = await runLocal('sh', ['-c', `head -c ${SIZE} /dev/urandom > ${big}`]);
  expect(r.code, r.stderr).toBe(0);
  bigSha = await sha256File(big);
});

afterAll(async () => {
  for (const p of pools) await p.closeAll();
  await rm(dir, { recursive: true, force: true });
  await lab.exec('h1', ['rm', '-rf', '/root/sftp-big.bin', '/opt/omsplay-sftp']);
});

describe('sftp', () => {
  it('puts and gets a 200 MB file streamed: control-node peak RSS stays under 150 MB', async () => {
    const child = fileURLToPath(new URL('./transfer-child.ts', import.meta.url));
    const back = join(dir, 'back.bin');
    const r = await runLocal(process.execPath, ['--import', 'tsx', child, JSON.stringify(settingsFor('h1')), big, '/root/sftp-big.bin', back]);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    console.log(`200 MB transfer: ${JSON.stringify(m)}`);
    expect(m.maxRssMb).toBeLessThan(150);
    expect(m.lastProgress).toEqual({ transferred: SIZE, total: SIZE });
    expect(m.progressEvents).toBeGreaterThan(10);
    expect(m.gotBytes).toBe(SIZE);
    const remote = await lab.exec('h1', ['stat', '-c', '%s %a %U', '/root/sftp-big.bin']);
    expect(remote.stdout.trim()).toBe(`${SIZE} 640 root`);
    expect(await remoteSha256(await track(labPool('root')).get('h1'), '/root/sftp-big.bin')).toBe(bigSha);
    expect(await sha256File(back)).toBe(bigSha);
    // No temp names left behind on either side.
    expect((await lab.exec('h1', ['sh', '-c', 'ls -a /root | grep omsplay || true'])).stdout).toBe('');
    expect((await readdir(dir)).filter((f) => f.includes('omsplay'))).toEqual([]);
  });

  it('an aborted upload never replaces the good file, and leaves no temp file', async () => {
    const c = await track(labPool('root')).get('h1');
    await c.put({ content: 'good\n' }, '/root/keep.txt');
    const ac = new AbortController();
    const p = c.put({ path: big }, '/root/keep.txt', {
      signal: ac.signal,
      onProgress: (x) => {
        if (x.transferred > 20 * 2 ** 20) ac.abort();
      },
    });
    await expect(p).rejects.toThrow(/^transfer aborted$/);
    expect((await lab.exec('h1', ['cat', '/root/keep.txt'])).stdout).toBe('good\n');
    expect((await lab.exec('h1', ['sh', '-c', 'ls -a /root | grep omsplay || true'])).stdout).toBe('');
    // The connection still works after the aborted transfer.
    expect((await c.exec({ argv: ['echo', 'ok'] })).stdout).toBe('ok\n');
  });

  it('with become, writes into a root-owned directory with mode and owner (admin with sudo password)', async () => {
    await lab.exec('h1', ['sh', '-c', 'mkdir -p /opt/omsplay-sftp && chmod 755 /opt/omsplay-sftp && echo old > /opt/omsplay-sftp/app.conf']);
    const c = await track(labPool('admin')).get('h1');
    const become = { password: lab.users.admin.password! };
    // Without become the login user cannot write there.
    await expect(c.put({ content: 'x' }, '/opt/omsplay-sftp/denied.conf')).rejects.toThrow(/denied/i);
    await c.put({ content: 'new content\n' }, '/opt/omsplay-sftp/app.conf', { become, mode: '0640', owner: 'ops', group: 'admin' });
    const st = await lab.exec('h1', ['stat', '-c', '%a %U %G', '/opt/omsplay-sftp/app.conf']);
    expect(st.stdout.trim()).toBe('640 ops admin');
    expect((await lab.exec('h1', ['cat', '/opt/omsplay-sftp/app.conf'])).stdout).toBe('new content\n');
    // Default owner with become is the become user; a file from disk too.
    const small = join(dir, 'small.txt');
    await writeFile(small, 'from disk\n');
    await c.put({ path: small }, '/opt/omsplay-sftp/disk.txt', { become });
    expect((await lab.exec('h1', ['stat', '-c', '%a %U', '/opt/omsplay-sftp/disk.txt'])).stdout.trim()).toBe('644 root');
    expect((await lab.exec('h1', ['find', '/opt/omsplay-sftp', '/tmp', '-name', '.*omsplay-*'])).stdout).toBe('');
    expect(await remoteSha256(c, '/opt/omsplay-sftp/disk.txt', become)).toBe(createHash('sha256').update('from disk\n').digest('hex'));
  });

  it('without become: mode and chown by the login user (root)', async () => {
    const c = await track(labPool('root')).get('h2');
    await c.put({ content: Buffer.from([0, 1, 2, 3]) }, '/tmp/bytes.bin', { mode: 0o600, owner: 'admin' });
    expect((await lab.exec('h2', ['stat', '-c', '%s %a %U', '/tmp/bytes.bin'])).stdout.trim()).toBe('4 600 admin');
    const local = join(dir, 'bytes.bin');
    await c.get('/tmp/bytes.bin', local);
    expect(await readFile(local)).toEqual(Buffer.from([0, 1, 2, 3]));
    await expect(c.get('/tmp/does-not-exist', join(dir, 'nothing'))).rejects.toThrow(/No such file/);
    await expect(stat(join(dir, 'nothing'))).rejects.toThrow(/ENOENT/);
  });
});

function track(p: ConnectionPool): ConnectionPool {
  pools.push(p);
  return p;
}
