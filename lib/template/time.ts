/** Time values in templates: ISO 8601 strings (UTC when no offset is written) or epoch seconds. */

export function toMillis(t: unknown, helper: string): number {
  if (t instanceof Date) return t.getTime();
  if (typeof t === 'number') {
    if (Number.isFinite(t)) return t * 1000;
  } else if (typeof t === 'string') {
    const s = t.trim();
    if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
    let iso = s.replace(/^(\d{4}-\d{2}-\d{2})[ ](\d)/, '$1T$2');
    // A date-time without an offset would be read as local time by Date.parse: these are UTC.
    if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(iso)) iso += 'Z';
    const ms = Date.parse(iso);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new Error(`${helper}: ${JSON.stringify(t) ?? String(t)} is not a time (expected an ISO 8601 string like 2026-01-31T12:00:00Z or epoch seconds)`);
}

export function nowValue(format: unknown): string | number {
  if (format === undefined || format === 'iso') return new Date().toISOString();
  if (format === 'epoch') return Math.floor(Date.now() / 1000);
  if (format === 'epoch_ms') return Date.now();
  throw new Error(`now: unknown format ${JSON.stringify(format)} (use "iso", "epoch" or "epoch_ms")`);
}

export function minutesBetween(t1: unknown, t2: unknown): number {
  return (toMillis(t2, 'minutes_between') - toMillis(t1, 'minutes_between')) / 60_000;
}

/** Epoch seconds in, epoch seconds out; anything else gives an ISO string. */
export function addMinutes(t: unknown, n: unknown): string | number {
  const minutes = Number(n);
  if (!Number.isFinite(minutes)) throw new Error(`add_minutes: ${JSON.stringify(n)} is not a number of minutes`);
  const ms = toMillis(t, 'add_minutes') + minutes * 60_000;
  if (typeof t === 'number') return ms / 1000;
  return new Date(ms).toISOString();
}
