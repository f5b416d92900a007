import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { shell } from '../../../../lib/modules/shell.js';
import { makeContext, tempDir } from './context.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

describe('shell', () => {
  it('runs a script with pipes, redirections and variables through sh -c', async () => {
    const out = join(tmp.dir, 'out');
    const r = await shell.run({ cmd: `printf 'a\\nb\\nc\\n' | wc -l > "${out}" && cat "${out}"; echo "$X"`, env: { X: 'from env' } }, makeContext());
    expect(r).toMatchObject({ changed: true, rc: 0, stdout_lines: ['3', 'from env'] });
  });

  it('fails on a non-zero exit, keeping the output', async () => {
    const r = await shell.run({ cmd: 'echo partial; false' }, makeContext());
    expect(r).toMatchObject({ failed: true, rc: 1, stdout: 'partial' });
  });

  it('runs in chdir, with another executable', async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, not a JS template
    const r = await shell.run({ cmd: 'echo "$PWD ${BASH_VERSION:+bash}"', chdir: tmp.dir, executable: '/bin/bash' }, makeContext());
    expect(r.stdout).toBe(`${tmp.dir} bash`);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, not a JS template
    const sh = await shell.run({ cmd: 'echo "${BASH_VERSION:+bash}"' }, makeContext());
    expect(sh.rc).toBe(0);
  });

  it('creates/removes guard the script', async () => {
    writeFileSync(join(tmp.dir, 'exists'), '');
    const skipped = await shell.run({ cmd: 'touch ran', chdir: tmp.dir, creates: 'exists' }, makeContext());
    expect(skipped).toMatchObject({ skipped: true, changed: false });
    expect(existsSync(join(tmp.dir, 'ran'))).toBe(false);
    const removes = await shell.run({ cmd: 'touch ran', chdir: tmp.dir, removes: 'exists' }, makeContext());
    expect(removes).toMatchObject({ changed: true, rc: 0 });
    expect(existsSync(join(tmp.dir, 'ran'))).toBe(true);
  });

  it('check mode: says what it would run and runs nothing', async () => {
    const ctx = makeContext({ check: true });
    const r = await shell.run({ cmd: `touch ${join(tmp.dir, 'x')}` }, ctx);
    expect(r).toMatchObject({ skipped: true, changed: false });
    expect(r.msg).toMatch(/^check mode: would run: touch /);
    expect(existsSync(join(tmp.dir, 'x'))).toBe(false);
  });

  it('passes stdin', async () => {
    const r = await shell.run({ cmd: 'tr a-z A-Z', stdin: 'hello' }, makeContext());
    expect(r.stdout).toBe('HELLO');
  });
});
