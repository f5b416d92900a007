/**
 * Run locks for a login user that is not root and has no general sudo (lab user dockerop): on h1 /run/lock is
 * root-only (0755 root, as on RHEL-family hosts), on h2 it is missing (a fresh tmpfs after a reboot). The lock
 * is taken without sudo, stays atomic, is shared with operators who can use /run/lock (root), and a
 * `--from-run X` run takes over the lock of run X only when X is provably dead.
 */
import { hostname } from 'node:os';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionPool } from '../../../lib/connection/pool.js';
import { FALLBACK_LOCK_DIR, LockError, type LockOwner, RunLocks, acquireCommand, currentOwner } from '../../../lib/engine/lock.js';
import { getLab } from '../../lab/context.js';
import { omsplay } from '../../support/omsplay.js';
import { labPool } from '../connection/helpers.js';

const lab = getLab();
const env = { OMSPLAY_HOME: join(lab.dir, 'omsplay-home-lock-nonroot') };
const NAME = 'nonroot-lock';
const pools: ConnectionPool[] = [];

async function hostileLockDirs(): Promise<void> {
  // h1: /run/lock exists, root 0755; h2: no /run/lock at all. No fallback left from an earlier test.
  await lab.sh('h1', `mkdir -p /run/lock && chown root:root /run/lock && chmod 755 /run/lock && rm -rf /run/lock/omsplay ${FALLBACK_LOCK_DIR}`, { check: true });
  await lab.sh('h2', `rm -rf /run/lock ${FALLBACK_LOCK_DIR}`, { check: true });
}

beforeEach(hostileLockDirs);
afterAll(async () => {
  for (const p of pools) await p.closeAll();
  await lab.sh('h1', `rm -rf /run/lock/omsplay ${FALLBACK_LOCK_DIR}`);
  await lab.sh('h2', `rm -rf ${FALLBACK_LOCK_DIR}`);
});

function owner(run: string, extra: Partial<LockOwner> = {}): LockOwner {
  return { ...currentOwner(run, 'test.yml'), ...extra };
}

describe('run lock for a non-root login user', () => {
  it('a playbook run as dockerop takes the lock on a root-only and on a missing /run/lock, and gives it back', async () => {
    const inv = await lab.inventory({ file: join(lab.dir, 'inv-lock-nonroot.yml'), hosts: ['h1', 'h2'], user: 'dockerop' });
    const book = join(lab.dir, 'lock-nonroot.yml');
    await writeFile(book, `- name: Locked\n  hosts: all\n  lock: ${NAME}\n  tasks:\n    - name: Look at the lock\n      command: [cat, ${FALLBACK_LOCK_DIR}/${NAME}/owner]\n      register: o\n    - debug: {msg: "holder {{ o.stdout_lines }}"}\n`);
    const r = await omsplay(['run', book, '-i', inv], { env });
    expect(r.stderr).not.toMatch(/Permission denied|cannot create/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/run=\d{8}T\d{6}Z-/);
    for (const h of ['h1', 'h2']) {
      expect((await lab.exec(h, ['test', '-e', `${FALLBACK_LOCK_DIR}/${NAME}`])).code).not.toBe(0);
      expect((await lab.exec(h, ['stat', '-c', '%a %U', FALLBACK_LOCK_DIR])).stdout.trim()).toBe('1777 dockerop');
    }
    expect((await lab.exec('h1', ['stat', '-c', '%a %U', '/run/lock'])).stdout.trim()).toBe('755 root');
  });

  it('is shared: a lock root took under /var/lock stops dockerop, and a lock dockerop took in the fallback stops root', async () => {
    const rootHeld = await lab.exec('h1', acquireCommand(NAME, owner('root-run')));
    expect(rootHeld.code).toBe(0);
    const asOp = await lab.exec('h1', acquireCommand(NAME, owner('op-run')), { user: 'dockerop' });
    expect(asOp.code).toBe(3);
    expect(asOp.stdout).toContain('at=/var/lock/omsplay/nonroot-lock');
    expect(asOp.stdout).toContain('run=root-run');
    await lab.exec('h1', ['rm', '-rf', '/run/lock/omsplay']);

    const opHeld = await lab.exec('h2', acquireCommand(NAME, owner('op-run')), { user: 'dockerop' });
    expect(opHeld.code).toBe(0);
    const asRoot = await lab.exec('h2', acquireCommand(NAME, owner('root-run')));
    expect(asRoot.code).toBe(3);
    expect(asRoot.stdout).toContain(`at=${FALLBACK_LOCK_DIR}/${NAME}`);
    expect(asRoot.stdout).toContain('run=op-run');
    // Atomic: of ten takers at once, one wins.
    await lab.exec('h2', ['rm', '-rf', `${FALLBACK_LOCK_DIR}/${NAME}`]);
    const codes = await Promise.all(Array.from({ length: 10 }, (_, i) => lab.exec('h2', acquireCommand(NAME, owner(`racer-${i}`)), { user: 'dockerop' }).then((x) => x.code)));
    expect(codes.filter((c) => c === 0)).toHaveLength(1);
    expect(codes.filter((c) => c === 3)).toHaveLength(9);
  });

  it('--from-run X takes over the lock of X when X is provably dead, and refuses (with the command) when it is not', async () => {
    const pool = labPool('dockerop');
    pools.push(pool);
    const connect = (h: string) => pool.get(h);
    // A dead run of this control node: a pid that no longer runs.
    const dead = owner('dead-run', { pid: '4194000', owner: `dockerop@${hostname()}` });
    for (const h of ['h1', 'h2']) expect((await lab.exec(h, acquireCommand(NAME, dead), { user: 'dockerop' })).code).toBe(0);
    const notes: string[] = [];
    const taker = new RunLocks('rollback-run', 'rollback.yml', connect, { fromRun: 'dead-run', notify: (m) => notes.push(m) });
    expect(await taker.acquire(NAME, ['h1', 'h2'], 'omsplay unlock x')).toEqual(['h1', 'h2']);
    expect(notes.join('\n')).toMatch(/took over the lock "nonroot-lock" on h1 from run dead-run, which is dead \(its pid 4194000 no longer runs\)/);
    expect((await lab.exec('h1', ['cat', `${FALLBACK_LOCK_DIR}/${NAME}/owner`])).stdout).toContain('run=rollback-run');
    await taker.releaseAll();

    // Alive (this very process), or another run than --from-run: refused, naming the one command that breaks it.
    const alive = owner('live-run');
    expect((await lab.exec('h1', acquireCommand(NAME, alive), { user: 'dockerop' })).code).toBe(0);
    const e = await new RunLocks('rollback-2', 'rollback.yml', connect, { fromRun: 'live-run' }).acquire(NAME, ['h1'], 'omsplay unlock nonroot-lock -i inv.yml').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LockError);
    expect((e as LockError).message).toContain(`cannot be taken over: its pid ${process.pid} still runs on this machine`);
    expect((e as LockError).hint).toContain('omsplay unlock nonroot-lock -i inv.yml');
    const other = await new RunLocks('rollback-3', 'rollback.yml', connect, { fromRun: 'another-run' }).acquire(NAME, ['h1'], 'u').catch((x: unknown) => x);
    expect((other as LockError).message).toMatch(/is locked on h1 by \S+@\S+ \(run live-run/);
    await lab.exec('h1', ['rm', '-rf', `${FALLBACK_LOCK_DIR}/${NAME}`]);
  });
});
