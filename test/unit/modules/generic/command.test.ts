import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { command } from '../../../../lib/modules/command.js';
import { makeContext, tempDir } from './context.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

describe('command', () => {
  it('runs a free-form string without a shell and reports rc/stdout/stderr', async () => {
    const r = await command.run({ cmd: `printf '%s|%s\\n' 'a b' $HOME` }, makeContext());
    expect(r).toMatchObject({ changed: true, rc: 0, stdout: 'a b|$HOME', stdout_lines: ['a b|$HOME'], stderr: '' });
    expect(r.failed).toBeFalsy();
    expect(r.cmd).toBe(`printf '%s|%s\\n' 'a b' '$HOME'`);
  });

  it('runs an argv list as is (no splitting, no expansion)', async () => {
    const f = join(tmp.dir, 'it has spaces; and $vars');
    const r = await command.run({ cmd: ['touch', f] }, makeContext());
    expect(r.rc).toBe(0);
    expect(existsSync(f)).toBe(true);
    const r2 = await command.run({ argv: ['echo', '*', '|', 'x'] }, makeContext());
    expect(r2.stdout).toBe('* | x');
  });

  it('fails on a non-zero exit with rc, stdout and stderr in the result', async () => {
    const r = await command.run({ argv: ['sh', '-c', 'echo out; echo err >&2; exit 3'] }, makeContext());
    expect(r).toMatchObject({ changed: true, failed: true, rc: 3, stdout: 'out', stderr: 'err', stderr_lines: ['err'] });
    expect(r.msg).toMatch(/non-zero return code 3/);
  });

  it('says "command not found" for exit 127', async () => {
    const r = await command.run({ cmd: 'no-such-program-omsplay --x' }, makeContext());
    expect(r.failed).toBe(true);
    expect(r.rc).toBe(127);
    expect(r.msg).toMatch(/command not found/);
  });

  it('refuses shell operators with a hint to use shell, without running anything', async () => {
    const ctx = makeContext();
    const r = await command.run({ cmd: 'cat /etc/hostname | wc -l' }, ctx);
    expect(r.failed).toBe(true);
    expect(r.msg).toMatch(/shell operator "\|".*use the `shell` module/);
    expect(ctx.commands).toEqual([]);
  });

  it('uses chdir, env and stdin', async () => {
    const r = await command.run(
      { argv: ['sh', '-c', 'pwd; echo "$GREETING $N"; cat'], chdir: tmp.dir, env: { GREETING: 'hello', N: 3 }, stdin: 'from stdin' },
      makeContext(),
    );
    expect(r.stdout_lines).toEqual([tmp.dir, 'hello 3', 'from stdin']);
    const noNl = await command.run({ argv: ['od', '-c'], stdin: 'x', stdin_add_newline: false }, makeContext());
    expect(noNl.stdout).not.toContain('\\n');
  });

  it('creates: skips when the path exists (relative to chdir), runs when it does not', async () => {
    writeFileSync(join(tmp.dir, 'done'), '');
    const ctx = makeContext();
    const skipped = await command.run({ argv: ['touch', join(tmp.dir, 'ran')], creates: 'done', chdir: tmp.dir }, ctx);
    expect(skipped).toMatchObject({ changed: false, skipped: true });
    expect(skipped.msg).toContain(`${tmp.dir}/done exists`);
    expect(existsSync(join(tmp.dir, 'ran'))).toBe(false);
    const ran = await command.run({ argv: ['touch', join(tmp.dir, 'ran')], creates: join(tmp.dir, 'other') }, ctx);
    expect(ran).toMatchObject({ changed: true, rc: 0 });
    expect(existsSync(join(tmp.dir, 'ran'))).toBe(true);
  });

  it('removes: skips when the path is absent, runs when it exists', async () => {
    const target = join(tmp.dir, 'old');
    const skipped = await command.run({ argv: ['rm', target], removes: target }, makeContext());
    expect(skipped).toMatchObject({ changed: false, skipped: true });
    expect(skipped.msg).toMatch(/does not exist/);
    writeFileSync(target, '');
    const ran = await command.run({ argv: ['rm', target], removes: target }, makeContext());
    expect(ran).toMatchObject({ changed: true, rc: 0 });
    expect(existsSync(target)).toBe(false);
  });

  it('check mode: runs nothing and says what it would run, but still evaluates creates', async () => {
    const marker = join(tmp.dir, 'marker');
    const ctx = makeContext({ check: true });
    const r = await command.run({ argv: ['touch', marker] }, ctx);
    expect(r).toMatchObject({ changed: false, skipped: true, msg: `check mode: would run: touch ${marker}` });
    expect(existsSync(marker)).toBe(false);
    expect(ctx.commands).toEqual([]);
    writeFileSync(marker, '');
    const guarded = await command.run({ argv: ['rm', marker], creates: marker }, makeContext({ check: true }));
    expect(guarded.msg).toMatch(/skipped, since .* exists/);
    expect(existsSync(marker)).toBe(true);
  });

  it('reports a timeout as a failure', async () => {
    const ctx = makeContext();
    const r = await command.run({ argv: ['sleep', '5'] }, { ...ctx, exec: (c, o) => ctx.exec(c, { ...o, timeoutMs: 200 }) });
    expect(r.failed).toBe(true);
    expect(r.msg).toMatch(/timed out/);
  });

  it('keeps trailing-newline-free stdout for templates', async () => {
    const r = await command.run({ argv: ['printf', 'a\\nb\\n\\n'] }, makeContext());
    expect(r.stdout).toBe('a\nb');
  });
});
