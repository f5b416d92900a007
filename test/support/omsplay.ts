/**
 * Runs the omsplay CLI as a person does (a separate process, real argv, real exit code), from the
 * TypeScript sources through tsx so a test never runs a stale build.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ENTRY = join(ROOT, 'test', 'support', 'cli-entry.ts');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Parsed JSON Lines when --json was given. */
  events: Array<Record<string, any>>;
}

export function omsplay(args: string[], opts: { env?: Record<string, string>; input?: string; timeoutMs?: number; onSpawn?: (pid: number) => void } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
      cwd: ROOT,
      env: { ...process.env, CI: '1', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    if (child.pid) opts.onSpawn?.(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += c;
    });
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 600_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const events = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .flatMap((l) => {
          try {
            return [JSON.parse(l)];
          } catch {
            return [];
          }
        });
      resolve({ code, stdout, stderr, events });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** task_result events of one task, by host. */
export function statusOf(r: CliResult, task: string): Record<string, string> {
  return Object.fromEntries(r.events.filter((e) => e.type === 'task_result' && e.task === task).map((e) => [e.host, e.status]));
}
