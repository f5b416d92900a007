/** The local connection (inventory `connection: local`, `delegate_to: localhost`) keeps the ssh contract. */
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalConnection } from '../../../lib/connection/local.js';

const c = new LocalConnection();

describe('LocalConnection', () => {
  it('become with a password where sudo asks none: the command reads only the caller\'s stdin', async () => {
    const r = await c.exec({ argv: ['sh', '-c', 'cat; id -un'] }, { become: { password: 'local-canary-pw' }, stdin: 'payload\n' });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('payload\nroot\n');
    expect(r.stdout + r.stderr).not.toContain('local-canary-pw');
  });

  it('sudo_direct: sudo runs the argv itself (its child is the program, no shell between them)', async () => {
    const running = c.exec({ argv: ['sleep', '2.371'] }, { become: { method: 'sudo_direct', commands: ['sleep'] } });
    let table: Array<{ pid: number; ppid: number; args: string }> = [];
    for (let i = 0; i < 100 && !table.some((p) => p.args === 'sleep 2.371'); i++) {
      await new Promise((r) => setTimeout(r, 20));
      const ps = await c.exec({ argv: ['ps', '-eo', 'pid=,ppid=,args='] });
      table = ps.stdout.split('\n').filter(Boolean).map((l) => {
        const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l)!;
        return { pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! };
      });
    }
    const child = table.find((p) => p.args === 'sleep 2.371')!;
    const parent = table.find((p) => p.pid === child.ppid)!;
    expect(parent.args).toMatch(/^sudo (-n -H -u root -- )?sleep 2\.371$/);
    expect(table.some((p) => p.args === 'sudo -n -H -u root -- sleep 2.371')).toBe(true);
    expect(table.filter((p) => p.args.includes('sleep 2.371') && /\bsh -c\b/.test(p.args))).toEqual([]);
    expect(await running).toMatchObject({ exitCode: 0 });
    // A program that is not a become command runs without sudo.
    const plain = await c.exec({ argv: ['sh', '-c', 'cat /proc/$PPID/cmdline | tr "\\0" " "'] }, { become: { method: 'sudo_direct', commands: ['sleep'] } });
    expect(plain.stdout).not.toMatch(/sudo/);
  });

  it('reports a missing program as 127, a bad directory clearly, and ends a command at its timeout', async () => {
    expect((await c.exec({ argv: ['no-such-program-omsplay'] })).exitCode).toBe(127);
    const cd = await c.exec({ argv: ['pwd'] }, { cwd: '/no/such/dir' });
    expect(cd.exitCode).not.toBe(0);
    expect(cd.stderr).toMatch(/can't cd to \/no\/such\/dir/);
    const slow = await c.exec({ argv: ['sleep', '5'] }, { timeoutMs: 200 });
    expect(slow.timedOut).toBe(true);
    expect(slow.durationMs).toBeLessThan(4000);
  });

  it('env values reach the command as data, not shell code', async () => {
    const r = await c.exec({ argv: ['sh', '-c', 'printf %s "$X"'] }, { env: { X: '$(echo pwned); `id`' } });
    expect(r.stdout).toBe('$(echo pwned); `id`');
  });

  it('put writes through a temporary name with the mode asked for', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omsplay-local-'));
    await c.put({ content: 'hello' }, join(dir, 'f'), { mode: '0640' });
    expect(await readFile(join(dir, 'f'), 'utf8')).toBe('hello');
    expect((await stat(join(dir, 'f'))).mode & 0o777).toBe(0o640);
  });
});
