/** Pure builders of the small file commands the domain modules run on a target host. */
import { CommandFailedError } from '../errors.js';
import { quoteArgv } from '../connection/quote.js';
import type { Connection, ExecOptions, ExecResult } from '../connection/types.js';

/**
 * The one way a file's sha256 is computed on a host: this shell fragment (the file named by the shell variable
 * or positional `ref`, read on stdin so the name never reaches sha256sum's output), and parseSha256() on what it
 * printed. fileSha256(), fileSummary() and the copy/template probe all use it.
 */
export function sha256Script(ref: string): string {
  return `{ ${SHA256_STDIN}; } < "${ref}"`;
}

/**
 * The hasher of a stream on stdin: OpenSSL's sha256 when installed (it uses the CPU's SHA extensions: a fifth of
 * coreutils sha256sum's CPU on this lab's machine, and every dump and verification hashes whole databases), else
 * sha256sum. Both print the hex digest first (`openssl dgst -r`: coreutils format).
 */
export const SHA256_STDIN = 'if command -v openssl >/dev/null 2>&1; then openssl dgst -sha256 -r; else sha256sum; fi';

/** The hex checksum at the start of sha256Script()'s output line, or null when there is none. */
export function parseSha256(line: string): string | null {
  return /^([0-9a-f]{64})\b/.exec(line)?.[1] ?? null;
}

/** Exit status of fileSha256() when the file does not exist. */
export const SHA256_ABSENT_EXIT = 66;

/** sha256 of one file; exits SHA256_ABSENT_EXIT when it does not exist. */
export function fileSha256(path: string): string[] {
  return ['sh', '-c', `[ -e "$1" ] || exit ${SHA256_ABSENT_EXIT}; ${sha256Script('$1')}`, 'sh', path];
}

/** fileSha256()'s result: the checksum, null when the file does not exist; a CommandFailedError otherwise. */
export function parseFileSha256(path: string, r: Pick<ExecResult, 'exitCode' | 'stdout' | 'stderr'>, host: string): string | null {
  if (r.exitCode === SHA256_ABSENT_EXIT) return null;
  const sum = r.exitCode === 0 ? parseSha256(r.stdout) : null;
  if (sum === null) {
    throw new CommandFailedError(`cannot checksum ${path} on ${host}: ${r.stderr.trim() || `exit ${r.exitCode}`}`, {
      command: quoteArgv(fileSha256(path)),
      exitCode: r.exitCode,
      stderr: r.stderr,
    });
  }
  return sum;
}

/** SHA-256 of a file on the host (hex), or null when it does not exist. */
export async function remoteSha256(conn: Connection, path: string, become?: ExecOptions['become']): Promise<string | null> {
  return parseFileSha256(path, await conn.exec({ argv: fileSha256(path) }, { become }), conn.host);
}

/** A private (0700) temporary directory; prints its path. */
export function makePrivateTempDir(prefix = 'omsplay'): string[] {
  return ['mktemp', '-d', `/tmp/${prefix}.XXXXXXXX`];
}

/** A private (0700) temporary directory holding one 0600 file `name` written from stdin; prints the directory's path. */
export function makePrivateTempDirWithFile(name: string, prefix = 'omsplay'): string[] {
  const script = `umask 077; d=$(mktemp -d /tmp/${prefix}.XXXXXXXX) || exit 1; cat > "$d/$1" || { rm -rf -- "$d"; exit 1; }; echo "$d"`;
  return ['sh', '-c', script, 'sh', name];
}

export function removeTree(path: string): string[] {
  return ['rm', '-rf', '--', path];
}

/** A (small) file's sha256, then its content, in one round trip: for parseFileWithSha256(). */
export function readFileWithSha256(path: string): string[] {
  return ['sh', '-c', `set -e; s=$(${sha256Script('$1')}); printf '%s\\n' "$s"; cat -- "$1"`, 'sh', path];
}

/** readFileWithSha256()'s output: the checksum line, then the content. */
export function parseFileWithSha256(out: string): { sha256: string; text: string } {
  const nl = out.indexOf('\n');
  const sha256 = nl >= 0 ? parseSha256(out.slice(0, nl)) : null;
  if (sha256 === null) throw new Error(`unexpected output of sha256sum: ${out.slice(0, 100)}`);
  return { sha256, text: out.slice(nl + 1) };
}

/**
 * Size, sha256 and the last bytes of a file in one round trip. With `gzip`, the tail is read from
 * the decompressed stream (the completion trailer of a compressed dump). Output sections are
 * separated by marker lines so the parser never confuses them.
 */
export function fileSummary(path: string, opts: { gzip?: boolean; tailBytes?: number; headBytes?: number } = {}): string[] {
  const tail = opts.tailBytes ?? 512;
  const script = [
    'set -e',
    'f=$1',
    'test -f "$f" || { echo "no such file: $f" >&2; exit 3; }',
    'echo "@@size"; stat -c %s -- "$f"',
    `echo "@@sha256"; ${sha256Script('$f')}`,
    ...(opts.headBytes
      ? [opts.gzip ? `echo "@@head"; gzip -dc -- "$f" 2>/dev/null | head -c ${opts.headBytes}; echo` : `echo "@@head"; head -c ${opts.headBytes} -- "$f"; echo`]
      : []),
    opts.gzip ? `echo "@@tail"; gzip -dc -- "$f" | tail -c ${tail}` : `echo "@@tail"; tail -c ${tail} -- "$f"`,
  ].join('\n');
  return ['sh', '-c', script, 'sh', path];
}

export interface FileSummary {
  size: number;
  sha256: string;
  /** First bytes (only when asked with headBytes). */
  head?: string;
  tail: string;
}

export function parseFileSummary(out: string): FileSummary {
  const size = /@@size\n(\d+)\n/.exec(out);
  const shaMark = '@@sha256\n';
  const shaAt = out.indexOf(shaMark);
  const sha = shaAt >= 0 ? parseSha256(out.slice(shaAt + shaMark.length)) : null;
  const tailAt = out.indexOf('@@tail\n');
  if (!size || !sha || tailAt < 0) throw new Error(`unexpected file summary output: ${out.slice(0, 200)}`);
  const headAt = out.indexOf('@@head\n');
  const head = headAt >= 0 && headAt < tailAt ? out.slice(headAt + 7, tailAt) : undefined;
  return { size: Number(size[1]), sha256: sha, ...(head !== undefined ? { head } : {}), tail: out.slice(tailAt + 7) };
}

/** Exits 0 when the path exists. */
export function pathExists(path: string): string[] {
  return ['test', '-e', path];
}

/** `mkdir -p` with 0700 for directories it creates (dump directories hold MetaDB data). */
export function makeDir(path: string): string[] {
  return ['mkdir', '-p', '-m', '0700', '--', path];
}

export function move(from: string, to: string): string[] {
  return ['mv', '-f', '--', from, to];
}

/** Exits 0 when the path is a regular file. */
export function isFile(path: string): string[] {
  return ['test', '-f', path];
}

/** Exits 0 when the login (or become) user may read `path`. */
export function isReadable(path: string): string[] {
  return ['test', '-r', path];
}

/** The whole file on stdout (small text files: config.yaml). */
export function readFile(path: string): string[] {
  return ['cat', '--', path];
}
