/**
 * Runs the omsplay CLI in a real pseudo-terminal (script(1)), as an operator's shell does, so the listr2
 * terminal view is what it draws; returns the screen text without escape sequences nor carriage returns.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { quoteArgv } from '../../lib/connection/quote.js';

const ENTRY = join(import.meta.dirname, 'cli-entry.ts');

export interface TerminalRun {
  status: number | null;
  screen: string;
  stderr: string;
}

export function inTerminal(args: string[], opts: { home: string; input?: string; cols?: number; timeoutMs?: number }): TerminalRun {
  const cmd = quoteArgv([process.execPath, '--import', 'tsx', ENTRY, ...args]);
  const r = spawnSync('script', ['-qec', `stty cols ${opts.cols ?? 120} rows 50; ${cmd}`, '/dev/null'], {
    input: opts.input,
    encoding: 'utf8',
    env: { ...process.env, CI: '', OMSPLAY_HOME: opts.home, TERM: 'xterm' },
    timeout: opts.timeoutMs ?? 120_000,
    maxBuffer: 256 << 20,
  });
  return { status: r.status, screen: stripVTControlCharacters(r.stdout ?? '').replace(/\r/g, ''), stderr: r.stderr ?? '' };
}
