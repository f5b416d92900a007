/**
 * put() honours become on the local transport as it does over SSH: a login user that may not write a root-only
 * directory puts a file there through sudo (staged, then moved into place with mode and owner by the become
 * user). The local transport runs inside a lab host as that user (the control node runs omsplay as root, where
 * become would prove nothing); the same put over SSH to the same kind of directory must give the same file.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionPool } from '../../../lib/connection/pool.js';
import { getLab } from '../../lab/context.js';
import { LAB_SHARED_MOUNT } from '../../lab/oms/types.js';
import { labPool } from './helpers.js';

const lab = getLab();
const CHILD = fileURLToPath(new URL('./local-put-child.ts', import.meta.url));
// The child runs as a non-root user inside a lab host, which sees neither this checkout (it may sit in the control
// node's private /tmp) nor may read it: bundled into one file in the lab's shared directory, readable by everyone.
// (Hosts see the lab's shared directory at LAB_SHARED_MOUNT.)
const BUNDLE_NAME = 'local-put-child.mjs';
const BUNDLE = `${LAB_SHARED_MOUNT}/${BUNDLE_NAME}`;
const DIR = '/opt/omsplay-local-put';
const pools: ConnectionPool[] = [];

/** The local transport's put, run on h1 as `user`. */
async function localPut(user: 'ops' | 'admin', dest: string, content: string, opts: object): Promise<{ ok?: true; error?: string }> {
  const env = user === 'admin' ? { OMSPLAY_TEST_SUDO_PW: lab.users.admin.password! } : undefined;
  const argv = [process.execPath, BUNDLE, dest, content, JSON.stringify(opts)];
  const r = await lab.exec('h1', argv, { user, env, timeoutMs: 90_000 });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

const statOf = async (path: string) => (await lab.exec('h1', ['stat', '-c', '%a %U %G', path])).stdout.trim();
const catOf = async (path: string) => (await lab.exec('h1', ['cat', path])).stdout;

beforeAll(async () => {
  await build({ entryPoints: [CHILD], bundle: true, platform: 'node', format: 'esm', outfile: `${lab.sharedDir}/${BUNDLE_NAME}`, logLevel: 'error', external: ['ssh2', 'cpu-features'] });
  await lab.exec('h1', ['sh', '-c', `rm -rf ${DIR} && mkdir -m 0700 ${DIR} && echo old > ${DIR}/app.conf`], { check: true });
});

afterAll(async () => {
  for (const p of pools) await p.closeAll();
  await lab.exec('h1', ['rm', '-rf', DIR]);
});

describe('put() with become on the local transport', () => {
  it('without become the login user may not write the root-only directory', async () => {
    const r = await localPut('ops', `${DIR}/denied.conf`, 'x', {});
    expect(r.error).toMatch(/EACCES|permission denied/i);
    expect((await lab.exec('h1', ['ls', '-A', DIR])).stdout).toBe('app.conf\n');
  });

  it('with become (NOPASSWD sudo) it replaces the file, with the mode asked and root as owner, leaving no staged copy', async () => {
    expect(await localPut('ops', `${DIR}/app.conf`, 'new content\n', { become: true, mode: '0640' })).toEqual({ ok: true });
    expect(await catOf(`${DIR}/app.conf`)).toBe('new content\n');
    // chown to the owner alone keeps the group the staged file had (the login user's), as over SSH.
    expect(await statOf(`${DIR}/app.conf`)).toBe('640 root ops');
    expect((await lab.exec('h1', ['find', DIR, '/tmp', '-name', '.*omsplay-*'])).stdout).toBe('');
  });

  it('with become and a sudo password (admin), owner and group as asked', async () => {
    expect(await localPut('admin', `${DIR}/owned.conf`, 'owned\n', { become: true, mode: '0600', owner: 'ops', group: 'admin' })).toEqual({ ok: true });
    expect(await statOf(`${DIR}/owned.conf`)).toBe('600 ops admin');
    expect(await catOf(`${DIR}/owned.conf`)).toBe('owned\n');
  });

  it('gives the same file as the same put over SSH', async () => {
    const pool = labPool('ops');
    pools.push(pool);
    const ssh = await pool.get('h1');
    await ssh.put({ content: 'same\n' }, `${DIR}/over-ssh.conf`, { become: true, mode: '0640' });
    expect(await localPut('ops', `${DIR}/over-local.conf`, 'same\n', { become: true, mode: '0640' })).toEqual({ ok: true });
    expect(await statOf(`${DIR}/over-local.conf`)).toBe(await statOf(`${DIR}/over-ssh.conf`));
    expect(await catOf(`${DIR}/over-local.conf`)).toBe(await catOf(`${DIR}/over-ssh.conf`));
  });
});
