/**
 * Runs one command cold as a child process under GNU time: wall time (measured here, around spawn..exit) and the
 * peak resident set size of the largest process of the run (GNU time's %M, from wait4's rusage).
 */
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface Measured {
  ms: number;
  /** Peak RSS in MB (largest single process of the run). */
  rssMb: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Spawnable {
  argv: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

const TIME = '/usr/bin/time';
let seq = 0;

/** Keeps the last `max` characters of a stream (runners can print a lot at 200 hosts). */
function tail(max: number) {
  let s = '';
  return {
    add(d: Buffer) {
      s += d.toString();
      if (s.length > 2 * max) s = s.slice(-max);
    },
    get: () => s.slice(-max),
  };
}

export async function measure(cmd: Spawnable, scratch: string): Promise<Measured> {
  const timeFile = join(scratch, `time-${process.pid}-${++seq}.txt`);
  const [file, ...args] = [TIME, '-f', '%M', '-o', timeFile, ...cmd.argv];
  const out = tail(60_000);
  const err = tail(60_000);
  const started = performance.now();
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(file!, args, { cwd: cmd.cwd, env: cmd.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = cmd.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), cmd.timeoutMs) : undefined;
    child.stdout.on('data', out.add);
    child.stderr.on('data', err.add);
    child.on('error', reject);
    child.on('close', (c) => {
      if (timer) clearTimeout(timer);
      resolve(c);
    });
  });
  const ms = performance.now() - started;
  let rssKb = Number.NaN;
  try {
    // GNU time may write "Command exited with non-zero status N" before the figure.
    const lines = (await readFile(timeFile, 'utf8')).trim().split('\n');
    rssKb = Number(lines[lines.length - 1]);
  } catch {}
  await rm(timeFile, { force: true });
  return { ms, rssMb: rssKb / 1024, code, stdout: out.get(), stderr: err.get() };
}
