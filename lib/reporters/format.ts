/** Short, human text for a host's result: the message, or the lines of stderr/stdout that matter. */
import { structuredPatch } from 'diff';
import type { HostStatus } from '../engine/events.js';

export function resultSummary(status: HostStatus, result: Record<string, unknown>, verbose = false): string {
  return verbose ? JSON.stringify(result) : resultParts(status, result).join(' | ');
}

/** The pieces of a result a person reads: message, rc, command, last lines of stderr (or stdout), no_log notice. */
export function resultParts(status: HostStatus, result: Record<string, unknown>): string[] {
  const parts: string[] = [];
  if (typeof result.msg === 'string' && result.msg) parts.push(result.msg);
  // A loop's own messages (debug over a list: a rescue's manual steps), one line each, else only "ok" would show.
  const items = Array.isArray(result.results) ? (result.results as Array<Record<string, unknown>>) : [];
  const itemMsgs = items.map((r) => (r && typeof r.msg === 'string' && r.msg && !r.skipped ? r.msg : '')).filter(Boolean);
  if (status !== 'failed' && itemMsgs.length > 0) parts.push(`\n    - ${itemMsgs.join('\n    - ')}`);
  if (status === 'failed') {
    if (typeof result.rc === 'number' && result.rc !== 0) parts.push(`rc=${result.rc}${result.rc === 127 ? ' (command not found)' : ''}`);
    const command = typeof result.cmd === 'string' ? result.cmd : typeof result.command === 'string' ? result.command : '';
    if (command) parts.push(`command: ${command}`);
    const stderr = typeof result.stderr === 'string' ? lastLines(result.stderr, 5) : '';
    if (stderr) parts.push(`stderr: ${stderr}`);
    else if (typeof result.stdout === 'string' && result.stdout) parts.push(`stdout: ${lastLines(result.stdout, 5)}`);
  }
  if (typeof result.censored === 'string') parts.push(result.censored);
  return parts;
}

export function lastLines(text: string, n: number): string {
  const lines = text.trimEnd().split('\n');
  return (lines.length > n ? ['…', ...lines.slice(-n)] : lines).join('\n    ');
}

export function ms(n: number): string {
  return n < 1000 ? `${n} ms` : `${(n / 1000).toFixed(1)} s`;
}

/**
 * --diff: unified hunks with 3 lines of context, as `ansible-playbook --diff` shows them (jsdiff's
 * Myers diff: a moved line is one removal and one addition, never lost as a set difference would).
 */
export function unifiedDiff(diff: { before?: string; after?: string; header?: string }): string {
  const name = diff.header ? `: ${diff.header}` : '';
  const patch = structuredPatch('before', 'after', diff.before ?? '', diff.after ?? '', undefined, undefined, { context: 3 });
  const out = [`--- before${name}`, `+++ after${name}`];
  for (const h of patch.hunks) out.push(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines);
  return out.join('\n');
}
