/**
 * become_method sudo_direct against real sshd + sudo: the lab users dockerop (`NOPASSWD: /usr/bin/docker`) and
 * dockerpw (`/usr/bin/docker`, with its password) may run docker alone. sudo must run docker's argv itself
 * (no `sh -c` between them), the password must travel on stdin only, everything else runs as the login user,
 * and a refusal names the refused command and the rule that would allow it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BecomeRefusedError } from '../../../lib/connection/become.js';
import type { ConnectionPool } from '../../../lib/connection/pool.js';
import type { BecomeOptions } from '../../../lib/connection/types.js';
import { getLab } from '../../lab/context.js';
import { labPool, waitForProcesses, waitGone } from './helpers.js';

const lab = getLab();
const pools: ConnectionPool[] = [];
function pool(user: 'dockerop' | 'dockerpw'): ConnectionPool {
  const p = labPool(user);
  pools.push(p);
  return p;
}
const direct: BecomeOptions = { method: 'sudo_direct' };
const directPw = (): BecomeOptions => ({ method: 'sudo_direct', password: lab.users.dockerpw.password! });
let image = '';

beforeAll(async () => {
  image = await lab.importBusybox('h1');
  await lab.docker('h1', ['rm', '-f', 'bd-sleeper'], { check: false });
  await lab.docker('h1', ['run', '-d', '--name', 'bd-sleeper', image, 'sleep', '3600'], { check: true });
}, 120_000);
afterAll(async () => {
  for (const p of pools) await p.closeAll();
  await lab.docker('h1', ['rm', '-f', 'bd-sleeper'], { check: false });
});

async function rejectionOf(p: Promise<unknown>): Promise<BecomeRefusedError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  if (!(e instanceof BecomeRefusedError)) throw new Error(`expected BecomeRefusedError, got ${String(e)}`);
  return e;
}

/** pid, ppid and args of every process on the host. */
async function processTable(host: string): Promise<Array<{ pid: number; ppid: number; args: string }>> {
  const r = await lab.exec(host, ['ps', '-eo', 'pid=,ppid=,args=']);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l)!;
      return { pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! };
    });
}

describe('become_method sudo_direct', () => {
  it('dockerop (NOPASSWD: /usr/bin/docker): sudo runs docker\'s argv itself, no shell between them', async () => {
    const c = await pool('dockerop').get('h1');
    const ok = await c.exec({ argv: ['docker', 'inspect', '-f', '{{.State.Running}}', 'bd-sleeper'] }, { become: direct });
    expect(ok).toMatchObject({ exitCode: 0, stdout: 'true\n' });
    // Without become the same user cannot reach dockerd: the success above went through sudo.
    expect((await c.exec({ argv: ['docker', 'ps'] })).stderr).toMatch(/permission denied/);

    const running = c.exec({ argv: ['docker', 'exec', 'bd-sleeper', 'sleep', '2.5'] }, { become: direct });
    await waitForProcesses('h1', /^docker exec bd-sleeper sleep 2\.5$/, 1);
    const ps = await processTable('h1');
    const dockerProc = ps.find((p) => p.args === 'docker exec bd-sleeper sleep 2.5')!;
    const sudoProc = ps.find((p) => p.pid === dockerProc.ppid)!;
    // sudo 1.9 runs the command as a child of itself (or of its monitor, another sudo process).
    expect(sudoProc.args).toMatch(/^sudo /);
    const top = ps.find((p) => p.args === 'sudo -n -H -u root -- docker exec bd-sleeper sleep 2.5');
    expect(top).toBeDefined();
    expect(ps.filter((p) => p.args.includes('OMSPLAY-BECOME-OK') || /sh -c .*docker exec bd-sleeper/.test(p.args))).toEqual([]);
    expect(await running).toMatchObject({ exitCode: 0 });
  });

  it('everything that is not a become command runs as the login user (scripts, file reads)', async () => {
    const c = await pool('dockerop').get('h1');
    expect((await c.exec({ script: 'id -un | tr a-z A-Z' }, { become: direct })).stdout).toBe('DOCKEROP\n');
    const shadow = await c.exec({ argv: ['cat', '/etc/shadow'] }, { become: direct });
    expect(shadow.exitCode).toBe(1);
    expect(shadow.stderr).toMatch(/Permission denied/);
    // cwd is entered by the login user before sudo; sudo keeps it for docker.
    const cwd = await c.exec({ argv: ['docker', 'info', '-f', '{{.OSType}}'] }, { become: direct, cwd: '/home/dockerop' });
    expect(cwd).toMatchObject({ exitCode: 0, stdout: 'linux\n' });
  });

  it('a refusal names the command sudo refused and the sudoers rule that would allow it', async () => {
    const c = await pool('dockerop').get('h1');
    const e = await rejectionOf(c.exec({ argv: ['cat', '/etc/shadow'] }, { become: { ...direct, commands: ['docker', 'cat'] } }));
    expect(e.message).toContain('sudo on h1 refused for dockerop to run `cat /etc/shadow` as root');
    expect(e.hint).toContain('`dockerop ALL=(root) NOPASSWD: /usr/bin/cat`');
    expect(e.message).not.toMatch(/config\.yaml/);
    // The default method runs a directory change (and a password's start marker) through sh -c under sudo, which a
    // docker-only rule refuses; sudo -n then says only "a password is required": the hint says what to set.
    const wrapped = await rejectionOf(c.exec({ argv: ['docker', 'ps'] }, { become: true, cwd: '/tmp' }));
    expect(wrapped.message).toMatch(/refused for dockerop to run `sh -c .*docker ps` as root: sudo: a password is required/);
    expect(wrapped.hint).toContain('become_method: sudo_direct');
  });

  it('dockerpw (password): the password reaches sudo on stdin only, never argv, never the command', async () => {
    const c = await pool('dockerpw').get('h2');
    const pw = lab.users.dockerpw.password!;
    expect((await c.exec({ argv: ['docker', 'info', '-f', '{{.OSType}}'] }, { become: directPw() })).stdout).toBe('linux\n');
    // stdin after the password goes to the command: docker run -i cat echoes exactly the caller's stdin.
    const img = await lab.importBusybox('h2');
    const echo = await c.exec({ argv: ['docker', 'run', '--rm', '-i', img, 'cat'] }, { become: directPw(), stdin: 'payload line\n' });
    expect(echo).toMatchObject({ exitCode: 0, stdout: 'payload line\n' });
    expect(echo.stdout + echo.stderr).not.toContain(pw);
    const running = c.exec({ argv: ['docker', 'run', '--rm', img, 'sleep', '2'] }, { become: directPw() });
    await waitForProcesses('h2', /^docker run --rm \S+ sleep 2$/, 1);
    const ps = await lab.exec('h2', ['ps', '-eo', 'args']);
    expect(ps.stdout).toContain('sudo -S -p [omsplay-sudo-password] -H -u root -- docker run --rm');
    expect(ps.stdout).not.toContain(pw);
    expect(await running).toMatchObject({ exitCode: 0 });
  });

  it('dockerpw with a wrong password: a refusal saying the password was not accepted', async () => {
    const c = await pool('dockerpw').get('h2');
    const e = await rejectionOf(c.exec({ argv: ['docker', 'ps'] }, { become: { method: 'sudo_direct', password: 'wrong-pw' }, timeoutMs: 20_000 }));
    expect(e.message).toContain('did not accept the password for dockerpw to run `docker ps`');
    expect(e.hint).toMatch(/become_password_env/);
  });

  it('a timed-out docker command under sudo_direct is ended on the target', async () => {
    const c = await pool('dockerop').get('h1');
    const r = await c.exec({ argv: ['docker', 'exec', 'bd-sleeper', 'sleep', '41'] }, { become: direct, timeoutMs: 1500 });
    expect(r.timedOut).toBe(true);
    expect(await waitGone('h1', /^(sudo .*)?docker exec bd-sleeper sleep 41$/)).toEqual([]);
  });
});
