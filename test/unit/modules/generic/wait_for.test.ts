import { createServer, type Server } from 'node:net';
import { rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../../lib/modules/wait_for.js';
import { makeContext, tempDir } from './context.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

function listen(port = 0): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer((c) => c.destroy());
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}
const portOf = (s: Server) => (s.address() as { port: number }).port;
const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));

describe('wait_for', () => {
  it('port: returns once the port opens on the host', async () => {
    const probe = await listen();
    const port = portOf(probe);
    await close(probe);
    setTimeout(() => void listen(port).then((s) => setTimeout(() => void close(s), 3000)), 400);
    const r = await waitFor.run({ port, timeout: 10, sleep: 0.2 }, makeContext());
    expect(r.failed).toBeUndefined();
    expect(r.attempts).toBeGreaterThan(1);
    expect(r.msg).toMatch(new RegExp(`port 127.0.0.1:${port} to open: done`));
  });

  it('port: state stopped waits for the port to close; fails after the timeout while it stays open', async () => {
    const s = await listen();
    const port = portOf(s);
    const still = await waitFor.run({ port, state: 'stopped', timeout: 0.5, sleep: 0.1 }, makeContext());
    expect(still.failed).toBe(true);
    expect(still.msg).toMatch(/timed out after 0.5s waiting for port 127.0.0.1:\d+ to close/);
    setTimeout(() => void close(s), 300);
    const closed = await waitFor.run({ port, state: 'stopped', timeout: 10, sleep: 0.1 }, makeContext());
    expect(closed.failed).toBeUndefined();
  });

  it('path: present and absent', async () => {
    const f = join(tmp.dir, 'ready');
    setTimeout(() => writeFileSync(f, ''), 300);
    expect((await waitFor.run({ path: f, timeout: 10, sleep: 0.1 }, makeContext())).failed).toBeUndefined();
    setTimeout(() => rmSync(f), 300);
    const gone = await waitFor.run({ path: f, state: 'absent', timeout: 10, sleep: 0.1 }, makeContext());
    expect(gone.failed).toBeUndefined();
    expect(gone.attempts).toBeGreaterThan(1);
  });

  it('path + regex: waits until the file content matches, returning the match', async () => {
    const log = join(tmp.dir, 'oms.log');
    writeFileSync(log, 'starting\n');
    setTimeout(() => appendFileSync(log, 'service ghana started version=4.2.5\n'), 300);
    const r = await waitFor.run({ path: log, regex: 'started version=(?<version>[\\d.]+)', timeout: 10, sleep: 0.1 }, makeContext());
    expect(r).toMatchObject({ match: 'started version=4.2.5', groups: { version: '4.2.5' } });
  });

  it('command: until it exits 0; command + regex: until stdout matches', async () => {
    const flag = join(tmp.dir, 'flag');
    setTimeout(() => writeFileSync(flag, 'RUNNING\n'), 300);
    const ok = await waitFor.run({ command: ['test', '-e', flag], timeout: 10, sleep: 0.1 }, makeContext());
    expect(ok).toMatchObject({ rc: 0 });
    const matched = await waitFor.run({ command: `cat ${flag}`, regex: '^RUNNING$', timeout: 10, sleep: 0.1 }, makeContext());
    expect(matched).toMatchObject({ match: 'RUNNING', stdout: 'RUNNING' });
  });

  it('fails after the timeout with the last output', async () => {
    const r = await waitFor.run({ command: ['sh', '-c', 'echo "state: STARTING"; echo warming >&2'], regex: 'RUNNING', timeout: 0.5, sleep: 0.1 }, makeContext());
    expect(r).toMatchObject({ failed: true, stdout: 'state: STARTING', stderr: 'warming' });
    expect(r.msg).toMatch(/timed out after 0.5s waiting for `sh -c .*` to print \/RUNNING\/; last output: state: STARTING\nwarming/);
    const custom = await waitFor.run({ path: join(tmp.dir, 'never'), timeout: 0.2, sleep: 0.1, msg: 'the installer never finished' }, makeContext());
    expect(custom.msg).toBe('the installer never finished');
  });

  it('refuses a bad regex or a shell operator before waiting', async () => {
    expect((await waitFor.run({ command: 'echo hi', regex: '(' }, makeContext())).msg).toMatch(/^regex \(:/);
    expect((await waitFor.run({ command: 'ps | grep x' }, makeContext())).msg).toMatch(/use the `shell` module/);
  });

  it('honours delay before the first check', async () => {
    const started = performance.now();
    await waitFor.run({ path: tmp.dir, delay: 0.3 }, makeContext());
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('check mode: says what it would wait for, checks nothing', async () => {
    const ctx = makeContext({ check: true });
    const r = await waitFor.run({ port: 8089, timeout: 600 }, ctx);
    expect(r).toMatchObject({ skipped: true, msg: 'check mode: would wait up to 600s for port 127.0.0.1:8089 to open' });
    expect(ctx.commands).toEqual([]);
  });
});
