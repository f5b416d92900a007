/**
 * Progress bars for long steps (a dump streaming to disk): bytes so far, the rate since the first report, and,
 * when the module knows the expected size, a bar and the time left. One line per message (parallel dumps of
 * one task each have their own line).
 */
export interface ProgressReport {
  done: number;
  total?: number;
  unit: string;
  message?: string;
}

interface Track {
  firstAt: number;
  firstDone: number;
  last: ProgressReport;
  lastAt: number;
}

const BAR_WIDTH = 20;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

function formatSeconds(s: number): string {
  if (s < 60) return `${Math.ceil(s)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.ceil(s - m * 60)} s`;
}

/** One progress line: `dumping rm  [#######.............] 412 MB of ~900 MB  85 MB/s  about 6 s left`. */
export function progressLine(p: ProgressReport, rate: number | undefined): string {
  const amount = (n: number) => (p.unit === 'bytes' ? formatBytes(n) : String(n));
  const parts: string[] = [p.message ?? ''];
  if (p.total !== undefined && p.total > 0) {
    const share = Math.min(1, p.done / p.total);
    const filled = Math.round(share * BAR_WIDTH);
    parts.push(`[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`, `${amount(p.done)} of ~${amount(p.total)}`);
  } else parts.push(amount(p.done));
  if (rate !== undefined && rate > 0) {
    parts.push(p.unit === 'bytes' ? `${formatBytes(rate)}/s` : `${rate.toFixed(1)}/s`);
    if (p.total !== undefined && p.total > p.done) parts.push(`about ${formatSeconds((p.total - p.done) / rate)} left`);
  }
  return parts.filter(Boolean).join('  ');
}

/** The progress of one host's running task; `lines()` is what its row shows now. */
export class ProgressBoard {
  private tracks = new Map<string, Track>();

  update(p: ProgressReport, now: number): void {
    const key = p.message ?? '';
    const t = this.tracks.get(key);
    if (!t) this.tracks.set(key, { firstAt: now, firstDone: p.done, last: p, lastAt: now });
    else {
      t.last = p;
      t.lastAt = now;
    }
  }

  lines(): string[] {
    return [...this.tracks.values()].map((t) => {
      const secs = (t.lastAt - t.firstAt) / 1000;
      const rate = secs > 0 ? (t.last.done - t.firstDone) / secs : undefined;
      return progressLine(t.last, rate);
    });
  }
}
