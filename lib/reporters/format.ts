/** Short, human text for a host's result: the message, or the lines of stderr/stdout that matter. */
import type { HostStatus } from '../engine/events.js';

export function resultSummary(status: HostStatus, result: Record<string, unknown>, verbose = false): string {
  if (verbose) return JSON.stringify(result);
  const parts: string[] = [];
  if (typeof result.msg === 'string' && result.msg) parts.push(result.msg);
  // A loop's own messages (debug over a list: a rescue's manual steps), one line each, else only "ok" would show.
  const items = Array.isArray(result.results) ? (result.results as Array<Record<string, unknown>>) : [];
  const itemMsgs = items.map((r) => (r && typeof r.msg === 'string' && r.msg && !r.skipped ? r.msg : '')).filter(Boolean);
  if (status !== 'failed' && itemMsgs.length > 0) parts.push(`\n    - ${itemMsgs.join('\n    - ')}`);
  if (status === 'failed') {
    if (typeof result.rc === 'number' && result.rc !== 0) parts.push(`rc=${result.rc}${result.rc === 127 ? ' (command not found)' : ''}`);
    const stderr = typeof result.stderr === 'string' ? lastLines(result.stderr, 5) : '';
    if (stderr) parts.push(stderr);
    else if (typeof result.stdout === 'string' && result.stdout) parts.push(lastLines(result.stdout, 5));
  }
  if (typeof result.censored === 'string') parts.push(result.censored);
  return parts.join(' | ');
}

export function lastLines(text: string, n: number): string {
  const lines = text.trimEnd().split('\n');
  return (lines.length > n ? ['…', ...lines.slice(-n)] : lines).join('\n    ');
}

export function ms(n: number): string {
  return n < 1000 ? `${n} ms` : `${(n / 1000).toFixed(1)} s`;
}

/** --diff: before/after as +/- lines (a plain line diff; files shown are small text files). */
export function unifiedDiff(diff: { before?: string; after?: string; header?: string }): string {
  const before = (diff.before ?? '').split('\n');
  const after = (diff.after ?? '').split('\n');
  const out = [`--- before${diff.header ? `: ${diff.header}` : ''}`, `+++ after${diff.header ? `: ${diff.header}` : ''}`];
  const common = new Set(before.filter((l) => after.includes(l)));
  for (const l of before) if (!common.has(l)) out.push(`-${l}`);
  for (const l of after) if (!common.has(l)) out.push(`+${l}`);
  return out.join('\n');
}
