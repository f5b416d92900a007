/** On a terminal, a run shows the listr2 tree (play > task > hosts with status marks and timings) and the recap. */
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { quoteArgv } from '../../../lib/connection/quote.js';

describe('terminal display', () => {
  it('renders the listr2 tree in a pseudo-terminal', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omsplay-tty-'));
    await writeFile(join(dir, 'inv.yml'), 'connection: {connection: local}\nregions: {hz: {hosts: {a: {}, b: {}}}}\n');
    await writeFile(
      join(dir, 'pb.yml'),
      '- name: Terminal demo\n  hosts: all\n  tasks:\n    - name: say hello\n      command: [echo, hello]\n    - name: only a\n      debug: {msg: x}\n      when: (eq inventory_hostname "a")\n',
    );
    const cmd = quoteArgv([process.execPath, '--import', 'tsx', join(import.meta.dirname, '..', '..', 'support', 'cli-entry.ts'), 'run', join(dir, 'pb.yml'), '-i', join(dir, 'inv.yml')]);
    // `script` gives the command a real pseudo-terminal, as an operator's shell would.
    const r = spawnSync('script', ['-qec', `stty cols 120 rows 40; ${cmd}`, '/dev/null'], { encoding: 'utf8', env: { ...process.env, CI: '', OMSPLAY_HOME: join(dir, 'state'), TERM: 'xterm' }, timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const screen = r.stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(screen).toMatch(/PLAY Terminal demo/);
    expect(screen).toMatch(/✔ TASK say hello/);
    expect(screen).toMatch(/✔ a changed \d+ ms/);
    expect(screen).toMatch(/↓ b skipped/);
    expect(screen).toMatch(/RECAP[\s\S]*a\s+: ok=2\s+changed=1/);
  });
});
