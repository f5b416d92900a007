/** The per-host recap table every reporter prints at the end. */
import type { HostCounts } from '../engine/events.js';

const COLUMNS: Array<keyof HostCounts> = ['ok', 'changed', 'unreachable', 'failed', 'skipped', 'rescued', 'ignored'];

export function recapLines(hosts: Record<string, HostCounts>): string[] {
  const names = Object.keys(hosts);
  const width = Math.max(4, ...names.map((n) => n.length));
  return names.map((name) => {
    const c = hosts[name]!;
    return `${name.padEnd(width)} : ${COLUMNS.map((k) => `${k}=${c[k]}`.padEnd(k === 'unreachable' ? 14 : 10)).join(' ')}`.trimEnd();
  });
}
