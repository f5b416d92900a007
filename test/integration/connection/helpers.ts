/** Builds ConnectionSettings and pools for lab hosts. Host keys come from the lab's known_hosts only (never ~/.ssh). */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectionPool, type PoolOptions } from '../../../lib/connection/pool.js';
import type { ConnectionSettings } from '../../../lib/connection/types.js';
import { UnreachableError } from '../../../lib/errors.js';
import { getLab } from '../../lab/context.js';

export type { LabUserName } from '../../lab/types.js';
import type { LabUserName } from '../../lab/types.js';

export function settingsFor(host: string, user: LabUserName = 'root', over: Partial<ConnectionSettings> = {}): ConnectionSettings {
  const lab = getLab();
  const h = lab.host(host);
  return {
    connection: 'ssh',
    address: h.address,
    port: h.port,
    user,
    keyFile: lab.users[user].keyFile,
    knownHostsFile: lab.knownHostsFile,
    agent: false,
    jump: h.bastion ? [h.bastion] : undefined,
    // Generous: the lab shares 2 cores with everything else that runs.
    connectTimeoutMs: 15_000,
    ...over,
  };
}

/** A pool over lab hosts; `over` adjusts every host's settings. No ~/.ssh, no process env unless given. */
export function labPool(user: LabUserName = 'root', over: Partial<ConnectionSettings> | ((host: string) => Partial<ConnectionSettings>) = {}, opts: PoolOptions = {}): ConnectionPool {
  const lab = getLab();
  return new ConnectionPool(
    (name) => (lab.hosts.some((h) => h.name === name) ? settingsFor(name, user, typeof over === 'function' ? over(name) : over) : undefined),
    { knownHostsFiles: [], env: {}, ...opts },
  );
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `omsplay-${prefix}-`));
}

/** The rejection of a promise (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<UnreachableError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof UnreachableError) return e;
    throw new Error(`expected UnreachableError, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
  }
  throw new Error('expected a rejection, the promise resolved');
}

/** Processes on a lab host whose command line contains `needle` (ps inside the host's PID namespace). */
export async function remoteProcesses(host: string, needle: string): Promise<string[]> {
  const r = await getLab().exec(host, ['ps', '-eo', 'pid,user,args']);
  return r.stdout.split('\n').filter((l) => l.includes(needle) && !l.includes('ps -eo'));
}

/** Runs a program on the control node; resolves with exit code and output. */
export function runLocal(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('error', reject);
    c.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Waits (up to 15 s) until `count` processes whose command line (args only) matches `re` run on the host. */
export async function waitForProcesses(host: string, re: RegExp, count: number): Promise<string[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = (await remoteProcesses(host, '')).filter((l) => re.test(l.replace(/^\s*\d+\s+\S+\s+/, '')));
    if (found.length >= count || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits (up to 5 s: SIGKILLed processes still need to be reaped) until no process matching `re` runs; returns the rest. */
export async function waitGone(host: string, re: RegExp): Promise<string[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const found = (await remoteProcesses(host, '')).filter((l) => re.test(l.replace(/^\s*\d+\s+\S+\s+/, '')));
    if (found.length === 0 || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
}
