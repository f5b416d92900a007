import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copy } from '../../../../lib/modules/copy.js';
import { Secret } from '../../../../lib/secrets.js';
import { makeContext, tempDir } from './context.js';

let tmp: ReturnType<typeof tempDir>;
let dest: string;
beforeEach(() => {
  tmp = tempDir();
  dest = join(tmp.dir, 'app.conf');
});
afterEach(() => tmp.cleanup());

const modeOf = (p: string) => (statSync(p).mode & 0o7777).toString(8);

describe('copy', () => {
  it('creates the file with content (default mode 0644), then is idempotent', async () => {
    const first = await copy.run({ content: 'a=1\n', dest }, makeContext());
    expect(first).toMatchObject({ changed: true, dest, changes: ['content'], size: 4 });
    expect(first.checksum).toBe(createHash('sha256').update('a=1\n').digest('hex'));
    expect(readFileSync(dest, 'utf8')).toBe('a=1\n');
    expect(modeOf(dest)).toBe('644');
    const second = await copy.run({ content: 'a=1\n', dest }, makeContext());
    expect(second).toMatchObject({ changed: false, changes: [] });
    expect(second.msg).toMatch(/up to date/);
  });

  it('replaces differing content and keeps the existing mode', async () => {
    writeFileSync(dest, 'old\n');
    chmodSync(dest, 0o640);
    const r = await copy.run({ content: 'new\n', dest }, makeContext());
    expect(r).toMatchObject({ changed: true, changes: ['content'] });
    expect(readFileSync(dest, 'utf8')).toBe('new\n');
    expect(modeOf(dest)).toBe('640');
    // no temp file left behind
    expect(readdirSync(tmp.dir)).toEqual(['app.conf']);
  });

  it('changes only the mode when the content is the same (no transfer)', async () => {
    writeFileSync(dest, 'same\n');
    chmodSync(dest, 0o644);
    const before = statSync(dest).ino;
    const r = await copy.run({ content: 'same\n', dest, mode: '0600' }, makeContext());
    expect(r).toMatchObject({ changed: true, changes: ['mode'] });
    expect(modeOf(dest)).toBe('600');
    expect(statSync(dest).ino).toBe(before);
    expect((await copy.run({ content: 'same\n', dest, mode: '600' }, makeContext())).changed).toBe(false);
  });

  it('changes owner and group (names or ids)', async () => {
    writeFileSync(dest, 'x');
    const r = await copy.run({ content: 'x', dest, owner: 'nobody', group: 'nogroup' }, makeContext());
    expect(r).toMatchObject({ changed: true, changes: ['owner', 'group'] });
    expect(statSync(dest).uid).toBe(65534);
    expect(statSync(dest).gid).toBe(65534);
    expect((await copy.run({ content: 'x', dest, owner: '65534', group: '65534' }, makeContext())).changed).toBe(false);
    // a replaced file keeps its owner
    await copy.run({ content: 'y', dest }, makeContext());
    expect(statSync(dest).uid).toBe(65534);
  });

  it('copies a local src relative to the playbook dir, or from its files/ folder', async () => {
    const pb = join(tmp.dir, 'pb');
    mkdirSync(join(pb, 'files'), { recursive: true });
    writeFileSync(join(pb, 'top.txt'), 'top\n');
    writeFileSync(join(pb, 'files', 'inner.txt'), 'inner\n');
    const ctx = makeContext({ playbookDir: pb });
    expect((await copy.run({ src: 'top.txt', dest }, ctx)).changed).toBe(true);
    expect(readFileSync(dest, 'utf8')).toBe('top\n');
    expect((await copy.run({ src: 'inner.txt', dest }, ctx)).changed).toBe(true);
    expect(readFileSync(dest, 'utf8')).toBe('inner\n');
    expect((await copy.run({ src: 'inner.txt', dest }, ctx)).changed).toBe(false);
    expect(ctx.events.at(-1)).toMatchObject({ unit: 'bytes' });
  });

  it('puts a src into an existing directory under its own name', async () => {
    const pb = join(tmp.dir, 'pb');
    mkdirSync(pb);
    writeFileSync(join(pb, 'a.txt'), 'A');
    const into = join(tmp.dir, 'into');
    mkdirSync(into);
    const r = await copy.run({ src: 'a.txt', dest: into }, makeContext({ playbookDir: pb }));
    expect(r.dest).toBe(join(into, 'a.txt'));
    expect(readFileSync(join(into, 'a.txt'), 'utf8')).toBe('A');
  });

  it('fails clearly for a missing src, content into a directory, or a missing parent dir', async () => {
    const missing = await copy.run({ src: 'nope.txt', dest }, makeContext({ playbookDir: tmp.dir }));
    expect(missing.failed).toBe(true);
    expect(missing.msg).toMatch(/src nope\.txt not found \(looked for .*nope\.txt, .*files\/nope\.txt\)/);
    const dir = await copy.run({ content: 'x', dest: tmp.dir }, makeContext());
    expect(dir).toMatchObject({ failed: true });
    expect(dir.msg).toMatch(/is a directory/);
    const parent = await copy.run({ content: 'x', dest: join(tmp.dir, 'no', 'such', 'f') }, makeContext());
    expect(parent.failed).toBe(true);
  });

  it('backup keeps the old file next to the new one', async () => {
    writeFileSync(dest, 'v1\n');
    const r = await copy.run({ content: 'v2\n', dest, backup: true }, makeContext());
    expect(r.backup_file).toMatch(/app\.conf\.\d{8}T\d{6}Z\.bak$/);
    expect(readFileSync(String(r.backup_file), 'utf8')).toBe('v1\n');
    expect(readFileSync(dest, 'utf8')).toBe('v2\n');
  });

  it('force: false only creates a missing file', async () => {
    writeFileSync(dest, 'mine\n');
    expect((await copy.run({ content: 'theirs\n', dest, force: false }, makeContext())).changed).toBe(false);
    expect(readFileSync(dest, 'utf8')).toBe('mine\n');
  });

  it('writes non-string content as JSON, and secrets in clear (it is their file)', async () => {
    await copy.run({ content: { user: 'oms', password: new Secret('s3cr3t!') }, dest }, makeContext());
    expect(JSON.parse(readFileSync(dest, 'utf8'))).toEqual({ user: 'oms', password: 's3cr3t!' });
  });

  it('check mode: reports would-change and changes nothing', async () => {
    writeFileSync(dest, 'old\n');
    const ctx = makeContext({ check: true });
    const r = await copy.run({ content: 'new\n', dest, mode: '0600' }, ctx);
    expect(r).toMatchObject({ changed: true, changes: ['content', 'mode'] });
    expect(r.msg).toMatch(/check mode: would change content, mode of/);
    expect(readFileSync(dest, 'utf8')).toBe('old\n');
    const create = await copy.run({ content: 'x', dest: join(tmp.dir, 'new') }, ctx);
    expect(create).toMatchObject({ changed: true });
    expect(create.msg).toMatch(/would create/);
    expect(readdirSync(tmp.dir)).toEqual(['app.conf']);
  });

  it('--diff shows before and after of small text files, not of binary ones, not under no_log', async () => {
    writeFileSync(dest, 'a=1\nb=2\n');
    const r = await copy.run({ content: 'a=1\nb=3\n', dest }, makeContext({ diff: true, check: true }));
    expect(r.diff).toEqual({ before: 'a=1\nb=2\n', after: 'a=1\nb=3\n', header: dest });
    const created = await copy.run({ content: 'new\n', dest: join(tmp.dir, 'n') }, makeContext({ diff: true, check: true }));
    expect(created.diff).toMatchObject({ before: '', after: 'new\n' });
    const bin = await copy.run({ content: 'a\u0000b', dest }, makeContext({ diff: true, check: true }));
    expect(bin.diff?.header).toMatch(/binary/);
    const hidden = await copy.run({ content: 'secret\n', dest }, makeContext({ diff: true, noLog: true }));
    expect(hidden.diff).toBeUndefined();
    const big = await copy.run({ content: 'x'.repeat(70_000), dest }, makeContext({ diff: true, check: true }));
    expect(big.diff?.header).toMatch(/larger than/);
  });
});
