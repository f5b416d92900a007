/** The order problems are shown in: the order a person reads the files. */
import type { SourceLocation } from '../errors.js';

/** By position within each file; files keep the order they were first met in (playbook order). */
export function sortByLocation<T extends { location?: SourceLocation }>(errors: T[]): T[] {
  const fileOrder = new Map<string, number>();
  for (const e of errors) if (e.location && !fileOrder.has(e.location.file)) fileOrder.set(e.location.file, fileOrder.size);
  return errors.sort((a, b) => {
    const la = a.location;
    const lb = b.location;
    if (!la || !lb) return la ? -1 : lb ? 1 : 0;
    if (la.file !== lb.file) return (fileOrder.get(la.file) ?? 0) - (fileOrder.get(lb.file) ?? 0);
    return la.line - lb.line || la.col - lb.col;
  });
}
