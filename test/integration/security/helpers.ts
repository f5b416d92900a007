/** Shared by the security tests: process-list polling on lab hosts and on the control node, and leak scans. */
import { execFile } from 'node:child_process';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Lab } from '../../lab/lab.js';

const run = promisify(execFile);

/** Every `ps -eo args` line seen while `poll` ran, on the given lab hosts and (key 'control') on the control node. */
export class ProcessWatch {
  readonly seen = new Map<string, Set<string>>();
  private running = true;
  private loops: Promise<void>[] = [];
  samples = 0;

  constructor(
    lab: Lab,
    hosts: string[],
    control = true,
  ) {
    for (const h of hosts) this.loops.push(this.loop(h, () => lab.exec(h, ['ps', '-eo', 'args'], { check: false }).then((r) => r.stdout)));
    if (control) this.loops.push(this.loop('control', () => run('ps', ['-eo', 'args'], { maxBuffer: 16 << 20 }).then((r) => r.stdout)));
  }

  private async loop(name: string, ps: () => Promise<string>): Promise<void> {
    const set = this.seen.get(name) ?? new Set<string>();
    this.seen.set(name, set);
    while (this.running) {
      try {
        for (const line of (await ps()).split('\n')) set.add(line);
        this.samples++;
      } catch {
        // a host being restarted by another test step; keep polling
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Lines (of any host) that match. */
  lines(re: RegExp): string[] {
    return [...this.seen.values()].flatMap((s) => [...s]).filter((l) => re.test(l));
  }
}

/** Every regular file under dir (recursively) with its content. */
export async function filesUnder(dir: string): Promise<Array<{ path: string; text: string; mode: number }>> {
  const out: Array<{ path: string; text: string; mode: number }> = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push({ path: p, text: await readFile(p, 'utf8'), mode: (await stat(p)).mode & 0o777 });
  }
  return out;
}

/** Where in `text` any of the tokens occurs (empty when none): "token at …context…". */
export function leaks(text: string, tokens: string[]): string[] {
  const found: string[] = [];
  for (const t of tokens) {
    let i = text.indexOf(t);
    while (i >= 0) {
      found.push(`${t} at …${text.slice(Math.max(0, i - 60), i + t.length + 20)}…`);
      i = text.indexOf(t, i + 1);
    }
  }
  return found;
}
