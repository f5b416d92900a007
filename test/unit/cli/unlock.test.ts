/** `omsplay unlock` on the control node: every matched host is acted on, localhost too; nothing matched is an error. */
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../../support/cli-in-process.js';
import { lockPath } from '../../../lib/engine/lock.js';

let dir: string;
// A name of this test run only: /var/lock/omsplay is the control node's real lock directory.
const NAME = `unit-unlock-${process.pid}-${Date.now()}`;

/** A lock as a run leaves it when killed: the directory and its owner file. */
async function leaveLock(): Promise<void> {
  await mkdir(lockPath(NAME), { recursive: true });
  await writeFile(join(lockPath(NAME), 'owner'), 'owner=ops@ctl\nrun=r-dead\npid=4242\nsince=2026-01-01T00:00:00Z\nplaybook=up.yml\n');
}

const exists = (p: string) => stat(p).then(
  () => true,
  () => false,
);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omsplay-unlock-'));
  process.env.OMSPLAY_HOME = join(dir, 'state');
  await writeFile(join(dir, 'local-only.yml'), 'connection: {connection: local}\nregions:\n  ctl: {hosts: {localhost: {}}}\n');
  await writeFile(join(dir, 'site.yml'), 'connection: {connection: local}\nregions:\n  hz: {hosts: {a: {}}}\n');
});

afterAll(() => rm(lockPath(NAME), { recursive: true, force: true }));

describe('omsplay unlock', () => {
  it('removes the lock on a localhost-only inventory, saying whose it was', async () => {
    await leaveLock();
    const r = await cli(['unlock', NAME, '-i', join(dir, 'local-only.yml')]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(`localhost: removed ${lockPath(NAME)}, held by ops@ctl (run r-dead, pid 4242, since 2026-01-01T00:00:00Z, playbook up.yml)\n`);
    expect(await exists(lockPath(NAME))).toBe(false);
    const again = await cli(['unlock', NAME, '-i', join(dir, 'local-only.yml')]);
    expect(again).toMatchObject({ code: 0, out: 'localhost: not locked\n' });
  });

  it('reaches the implicit localhost with -l localhost (a play on hosts: localhost locks the control node)', async () => {
    await leaveLock();
    const r = await cli(['unlock', NAME, '-i', join(dir, 'site.yml'), '-l', 'localhost']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^localhost: removed /);
    expect(await exists(lockPath(NAME))).toBe(false);
  });

  it('exits non-zero, naming the pattern, when no host matched', async () => {
    await leaveLock();
    const r = await cli(['unlock', NAME, '-i', join(dir, 'site.yml'), '-l', 'a:!a']);
    expect(r.code).toBe(5);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/no host of .*site\.yml matches --limit a:!a: no lock was removed/);
    expect(await exists(lockPath(NAME))).toBe(true);
  });
});
