/** Pure builders of the small file commands the domain modules run on a target host. */

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
    'echo "@@sha256"; sha256sum -- "$f" | cut -d" " -f1',
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
  const sha = /@@sha256\n([0-9a-f]{64})\n/.exec(out);
  const tailAt = out.indexOf('@@tail\n');
  if (!size || !sha || tailAt < 0) throw new Error(`unexpected file summary output: ${out.slice(0, 200)}`);
  const headAt = out.indexOf('@@head\n');
  const head = headAt >= 0 && headAt < tailAt ? out.slice(headAt + 7, tailAt) : undefined;
  return { size: Number(size[1]), sha256: sha[1]!, ...(head !== undefined ? { head } : {}), tail: out.slice(tailAt + 7) };
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

/** The whole file on stdout (small text files: config.yaml). */
export function readFile(path: string): string[] {
  return ['cat', '--', path];
}
