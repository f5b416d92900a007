/** "Did you mean" hints for misspelt host, group and region names. */
import { distance } from 'fastest-levenshtein';

/** Candidates close to `name` (edit distance, case-insensitive, or a shared prefix), best first. */
export function nearNames(name: string, candidates: Iterable<string>, max = 3): string[] {
  const lower = name.toLowerCase();
  const limit = Math.max(2, Math.floor(name.length / 3));
  const scored: Array<[string, number]> = [];
  for (const c of new Set(candidates)) {
    const cl = c.toLowerCase();
    let d = distance(lower, cl);
    if (d > limit && lower.length >= 3 && (cl.startsWith(lower) || lower.startsWith(cl))) d = limit;
    if (d <= limit) scored.push([c, d]);
  }
  return scored
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
    .slice(0, max)
    .map(([c]) => c);
}

/** A hint sentence: "did you mean a or b?", or a list of what exists when nothing is close. */
export function didYouMean(name: string, candidates: Iterable<string>, what = 'names'): string {
  const all = [...new Set(candidates)];
  const near = nearNames(name, all);
  if (near.length > 0) return `did you mean ${near.map((n) => `\`${n}\``).join(' or ')}?`;
  if (all.length === 0) return `there are no ${what}`;
  const shown = all.slice(0, 8).join(', ');
  return `known ${what}: ${shown}${all.length > 8 ? `, ... (${all.length} in all)` : ''}`;
}
