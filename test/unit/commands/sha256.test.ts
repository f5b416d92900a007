/**
 * The one way a file's sha256 is computed on a host (lib/commands/fs.ts): the argv builders and their parsers,
 * run here over the local transport against real files.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHA256_STDIN, fileSha256, fileSummary, parseFileSha256, parseFileSummary, parseFileWithSha256, parseSha256, readFileWithSha256, remoteSha256 } from '../../../lib/commands/fs.js';
import { LocalConnection } from '../../../lib/connection/local.js';
import { CommandFailedError } from '../../../lib/errors.js';

const conn = new LocalConnection();
const hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('remote sha256', () => {
  it('remoteSha256: the checksum of the bytes, null for a missing file, a CommandFailedError for a directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omsplay-sha-'));
    const bytes = Buffer.from([0xff, 0x00, 0x41, 0x0a, 0xc3]);
    // A name with spaces and a quote: passed as an argument, never inside the script.
    const file = join(dir, "it's a file");
    await writeFile(file, bytes);
    expect(await remoteSha256(conn, file)).toBe(hex(bytes));
    expect(await remoteSha256(conn, join(dir, 'missing'))).toBeNull();
    await expect(remoteSha256(conn, dir)).rejects.toThrow(CommandFailedError);
    await expect(remoteSha256(conn, dir)).rejects.toThrow(/cannot checksum .* on localhost/);
  });

  it('the parser takes only a 64-hex checksum at the start of the line', () => {
    const sum = 'a'.repeat(64);
    expect(parseSha256(`${sum}  -\n`)).toBe(sum);
    expect(parseSha256(`${sum}\n`)).toBe(sum);
    expect(parseSha256('sha256sum: x: Is a directory')).toBeNull();
    expect(parseSha256(`${sum}b`)).toBeNull();
    expect(() => parseFileSha256('/x', { exitCode: 0, stdout: 'garbage', stderr: '' }, 'h1')).toThrow(/cannot checksum \/x on h1: exit 0/);
    expect(fileSha256('/x')).toEqual(['sh', '-c', `[ -e "$1" ] || exit 66; { ${SHA256_STDIN}; } < "$1"`, 'sh', '/x']);
  });

  it('hashes with openssl where it is installed, else with sha256sum: the same digest either way', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omsplay-sha-'));
    const file = join(dir, 'dump.sql');
    const bytes = Buffer.alloc(3_000_000, 'INSERT INTO t VALUES (1);\n');
    await writeFile(file, bytes);
    // A PATH with sha256sum but no openssl: the fallback.
    const bin = join(dir, 'bin');
    await mkdir(bin);
    for (const tool of ['sha256sum']) await symlink(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), join(bin, tool));
    const run = (path: string) => execFileSync('/bin/sh', ['-c', `{ ${SHA256_STDIN}; } < "$1"`, 'sh', file], { encoding: 'utf8', env: { PATH: path } });
    const withOpenssl = run(process.env.PATH ?? '');
    expect(withOpenssl).toMatch(/\*stdin/); // openssl's coreutils-style line: this machine has openssl
    expect(parseSha256(withOpenssl)).toBe(hex(bytes));
    const without = run(bin);
    expect(without).not.toMatch(/stdin/);
    expect(parseSha256(without)).toBe(hex(bytes));
  });

  it('file summary and read-with-checksum report the same checksum as remoteSha256', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omsplay-sha-'));
    const file = join(dir, 'config.yaml');
    await writeFile(file, 'oms_meta_host: 10.0.0.1\nregion: hz\n');
    const want = await remoteSha256(conn, file);
    const summary = parseFileSummary((await conn.exec({ argv: fileSummary(file) })).stdout);
    expect(summary.sha256).toBe(want);
    const read = parseFileWithSha256((await conn.exec({ argv: readFileWithSha256(file) })).stdout);
    expect(read).toEqual({ sha256: want, text: 'oms_meta_host: 10.0.0.1\nregion: hz\n' });
    const denied = await conn.exec({ argv: readFileWithSha256(join(dir, 'missing')) });
    expect(denied.exitCode).not.toBe(0);
  });
});
