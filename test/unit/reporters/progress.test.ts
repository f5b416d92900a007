import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { quoteArgv } from '../../../lib/connection/quote.js';
import { formatBytes, ProgressBoard, progressLine } from '../../../lib/reporters/progress.js';

const MB = 1024 * 1024;

describe('progress bars', () => {
  it('with an expected size: a bar, the amount of the total, the rate and the time left', () => {
    expect(progressLine({ done: 100 * MB, total: 400 * MB, unit: 'bytes', message: 'dumping rm' }, 50 * MB)).toBe(
      'dumping rm  [#####...............]  100 MB of ~400 MB  50.0 MB/s  about 6 s left',
    );
  });

  it('without one: the amount and the rate, no bar and no guess', () => {
    expect(progressLine({ done: 3 * MB, unit: 'bytes', message: 'dumping cm' }, 1.5 * MB)).toBe('dumping cm  3.0 MB  1.5 MB/s');
    expect(progressLine({ done: 3 * MB, unit: 'bytes' }, undefined)).toBe('3.0 MB');
  });

  it('past the expected size the bar is full and no time is promised', () => {
    const line = progressLine({ done: 500 * MB, total: 400 * MB, unit: 'bytes', message: 'dumping rm' }, 10 * MB);
    expect(line).toContain(`[${'#'.repeat(20)}]`);
    expect(line).not.toContain('left');
  });

  it('one line per parallel dump, each with its own rate since its first report', () => {
    const b = new ProgressBoard();
    b.update({ done: 0, unit: 'bytes', message: 'dumping rm' }, 0);
    b.update({ done: 10 * MB, unit: 'bytes', message: 'dumping cm' }, 0);
    b.update({ done: 20 * MB, unit: 'bytes', message: 'dumping rm' }, 2000);
    b.update({ done: 12 * MB, unit: 'bytes', message: 'dumping cm' }, 2000);
    expect(b.lines()).toEqual(['dumping rm  20.0 MB  10.0 MB/s', 'dumping cm  12.0 MB  1.0 MB/s']);
  });

  it('formats sizes as a person reads them', () => {
    expect([formatBytes(512), formatBytes(2048), formatBytes(150 * MB), formatBytes(3 * 1024 * MB)]).toEqual(['512 B', '2.0 KB', '150 MB', '3.0 GB']);
  });

  it('the terminal view draws them under the host row while the task runs (a real pseudo-terminal)', () => {
    const driver = join(import.meta.dirname, '../../support/progress-driver.ts');
    const cmd = quoteArgv([process.execPath, '--import', 'tsx', driver]);
    const r = spawnSync('script', ['-qec', `stty cols 160 rows 40; ${cmd}`, '/dev/null'], { encoding: 'utf8', env: { ...process.env, CI: '', TERM: 'xterm' }, timeout: 60_000 });
    const screen = stripVTControlCharacters(r.stdout ?? '').replace(/\r/g, '');
    expect(r.status, screen).toBe(0);
    expect(screen).toMatch(/dumping rm {2}\[#+\.+\] {2}\d+ MB of ~400 MB {2}[\d.]+ MB\/s {2}about \d+ s left/);
    expect(screen).toMatch(/dumping cm {2}[\d.]+ MB {2}[\d.]+ MB\/s/);
  });
});
