/** Pure builders of the disk commands the domain modules run on a target host. */

/**
 * Free bytes where `dir` will be: the nearest directory of its path that exists (the run's backup directory is
 * created later), then `df -P -B1` of it. Prints `<existing dir>\n<free bytes>`.
 */
export function freeBytesAt(dir: string): string[] {
  const script = 'd=$1; while [ ! -d "$d" ]; do d=$(dirname -- "$d"); done; echo "$d"; df -P -B1 -- "$d" | awk \'NR==2 {print $4}\'';
  return ['sh', '-c', script, 'sh', dir];
}

export function parseFreeBytes(out: string): { dir: string; free: number } {
  const [dir, free] = out.trim().split('\n');
  const n = Number(free);
  if (!dir || !free || !Number.isFinite(n)) throw new Error(`unexpected df output: ${out.slice(0, 200)}`);
  return { dir, free: n };
}
