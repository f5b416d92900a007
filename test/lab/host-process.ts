/** Starting, probing and killing one lab host's process tree (PID 1 of its PID namespace). */
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readFile, readlink, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { alive, descendants, waitGone } from './cleanup.js';
import { LAB_PATH } from './run.js';
import type { LabHost } from './types.js';

/** A started host's launcher; `exited` turns true when the host's init (and so the host) has ended. */
export interface Launch {
  exited: boolean;
  /** How the launcher ended (exit code, signal or spawn error), for the error message. */
  how?: string;
}

/** Starts the host's init detached (it outlives this Node process: `lab up` leaves hosts running). */
export async function spawnHost(host: LabHost): Promise<Launch> {
  const launch: Launch = { exited: false };
  await rm(host.pidFile, { force: true });
  const log = openSync(`${host.dir}/init.log`, 'a');
  try {
    const child = spawn(
      'nsenter',
      [
        `--net=/run/netns/${host.netns}`,
        'unshare',
        '--uts',
        '--mount',
        '--pid',
        '--fork',
        '--propagation',
        'private',
        '/bin/bash',
        `${host.dir}/init.sh`,
      ],
      { detached: true, stdio: ['ignore', log, log], env: { PATH: LAB_PATH, LANG: 'C.UTF-8', HOME: '/root' } },
    );
    // The launcher (unshare, waiting for its forked init) lives exactly as long as the host.
    child.on('error', (e) => {
      launch.exited = true;
      launch.how = `could not start nsenter: ${e.message}`;
    });
    child.on('exit', (code, signal) => {
      launch.exited = true;
      launch.how = signal ? `killed by ${signal}` : `exit ${code}`;
    });
    child.unref();
  } finally {
    closeSync(log);
  }
  return launch;
}

/** PID of the host's PID 1 as seen from here, if that process is alive and still inside the host's netns. */
export async function hostPid(host: LabHost): Promise<number | undefined> {
  let pid: number;
  try {
    pid = Number((await readFile(host.pidFile, 'utf8')).trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 1 || !(await alive(pid))) return undefined;
  try {
    const [ns, want] = await Promise.all([readlink(`/proc/${pid}/ns/net`), stat(`/run/netns/${host.netns}`)]);
    return ns === `net:[${want.ino}]` ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a TCP socket listens on `port` in the namespace of `pid` (read from /proc: no connection, so sshd logs stay clean). */
export async function listening(pid: number, port: number): Promise<boolean> {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const f of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = await readFile(`/proc/${pid}/net/${f}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(hex) && cols[3] === '0A') return true;
    }
  }
  return false;
}

/** GET /_ping on a docker socket. */
export function dockerPing(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the host's sshd listens (and its dockerd answers, if it has one). Returns the host's PID 1. */
export async function waitHostReady(host: LabHost, launch?: Launch, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let pid: number | undefined;
  let sshd = false;
  let docker = !host.dockerSocket;
  for (;;) {
    pid ??= await hostPid(host);
    if (pid !== undefined) {
      sshd ||= await listening(pid, host.port);
      if (!docker) docker = await dockerPing(host.dockerSocket!);
      if (sshd && docker) return pid;
      if (!(await alive(pid))) throw new Error(`lab host ${host.name} died while starting: ${await tail(`${host.dir}/init.log`)}`);
    } else if (launch?.exited) {
      throw new Error(`lab host ${host.name} failed to boot (${launch.how}): ${await tail(`${host.dir}/init.log`)}`);
    }
    if (Date.now() > deadline) {
      const what = pid === undefined ? 'init did not start' : !sshd ? 'sshd does not listen' : 'dockerd does not answer';
      const logs = [`${host.dir}/init.log`, host.sshdLog, host.dockerdLog].filter((f): f is string => !!f);
      const tails = await Promise.all(logs.map(async (f) => `${f}: ${await tail(f)}`));
      throw new Error(`lab host ${host.name}: ${what} after ${timeoutMs} ms\n${tails.join('\n')}`);
    }
    await sleep(pid === undefined ? 10 : 25);
  }
}

async function tail(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim().split('\n').slice(-8).join('\n') || '(empty)';
  } catch {
    return '(none)';
  }
}

/** SIGKILLs the host's PID 1: the kernel then kills every process of its PID namespace (sshd, dockerd, containers). */
export async function killHost(host: LabHost): Promise<boolean> {
  const pid = await hostPid(host);
  if (pid === undefined) return false;
  // Wait for the whole tree, not just PID 1: a restart can mount the same overlay only once the old one is released.
  const tree = [pid, ...(await descendants(pid))];
  process.kill(pid, 'SIGKILL');
  await waitGone(tree);
  await rm(host.pidFile, { force: true });
  return true;
}
