/** Rolling batches from `serial`: numbers or percentages; the last size repeats. */
export function batches<T>(hosts: readonly T[], serial: Array<number | string> | undefined): T[][] {
  if (!serial || serial.length === 0 || hosts.length === 0) return [hosts.slice()];
  const sizes = serial.map((s) => {
    if (typeof s === 'number') return s;
    const pct = Number.parseFloat(s);
    return s.trim().endsWith('%') ? Math.floor((hosts.length * pct) / 100) : Math.floor(pct);
  });
  const out: T[][] = [];
  let i = 0;
  let k = 0;
  while (i < hosts.length) {
    const size = Math.max(1, sizes[Math.min(k, sizes.length - 1)] ?? hosts.length);
    out.push(hosts.slice(i, i + size));
    i += size;
    k++;
  }
  return out;
}
