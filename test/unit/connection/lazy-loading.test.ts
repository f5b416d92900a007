/**
 * Transports load on first use: a run that reaches its hosts with `local` never loads the ssh transport, ssh.ts or
 * ssh2 (a fifth of a cold start, bench/results/startup.md); the first ssh host loads them. Checked in a fresh
 * process that records every module it resolves. (The bundle splits at the same dynamic imports: dist/chunks has
 * an ssh-transport chunk that a local run does not open.)
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

async function loadsOf(transport: 'local' | 'ssh'): Promise<{ out: string; ssh: string[] }> {
  const log = join(await mkdtemp(join(tmpdir(), 'omsplay-loads-')), 'loads.txt');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--import', fixture('record-loads.mjs'), fixture('local-run.ts'), transport], {
    cwd: ROOT,
    env: { ...process.env, OMSPLAY_LOADS: log },
  });
  const loads = (await readFile(log, 'utf8')).split('\n');
  const ssh = loads.filter((u) => /\/node_modules\/ssh2\/|\/connection\/ssh(-transport)?\.ts$/.test(u)).map((u) => (u.includes('/node_modules/ssh2/') ? 'ssh2' : u.replace(/^.*\//, '')));
  return { out: stdout, ssh: [...new Set(ssh)].sort() };
}

describe('lazy transports', () => {
  it('a local host loads neither the ssh transport nor ssh2; an ssh host loads both', async () => {
    const local = await loadsOf('local');
    expect(local.out).toBe('ran\n');
    expect(local.ssh).toEqual([]);
    const ssh = await loadsOf('ssh');
    expect(ssh.out).toMatch(/^failed: /);
    expect(ssh.ssh).toEqual(['ssh-transport.ts', 'ssh.ts', 'ssh2']);
  }, 60_000);
});
