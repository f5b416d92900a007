/**
 * "Did you mean" for every misspelt name omsplay reports (keywords, modules, arguments, variables, hosts,
 * groups, handlers): one notion of "close" and one wording, so a typo is answered the same way everywhere.
 */
import { distance } from 'fastest-levenshtein';

/** Separators people mix up: `becomeuser` for `become_user`, `docker-container` for `docker.container`. */
const squash = (s: string) => s.toLowerCase().replace(/[_\-. ]/g, '');

/**
 * How far (case-insensitive edit distance) a candidate may be and still count as a typo. Short names are all
 * close to each other (`b` is no typo of `a`), so the limit grows with the longer of the two names.
 */
export function typoLimit(a: string, b: string): number {
  const len = Math.max(a.length, b.length);
  return len <= 2 ? 0 : len === 3 ? 1 : Math.max(2, Math.floor(len / 3));
}

/**
 * Up to `max` candidates close to `word`, closest first (ties alphabetically). Close: within typoLimit, or
 * equal once separators are dropped, or (3 characters or more) a prefix of the other (`oms` for `oms_nodes`).
 */
export function closeNames(word: string, candidates: Iterable<string>, max = 3): string[] {
  if (!word) return [];
  const lower = word.toLowerCase();
  const scored: Array<[number, string]> = [];
  for (const c of new Set(candidates)) {
    if (c === word) continue;
    const cl = c.toLowerCase();
    const limit = typoLimit(word, c);
    let d = distance(lower, cl);
    if (d > limit && (squash(c) === squash(word) || (lower.length >= 3 && cl.length >= 3 && (cl.startsWith(lower) || lower.startsWith(cl))))) d = limit;
    if (d <= limit) scored.push([d, c]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
  return scored.slice(0, max).map(([, c]) => c);
}

/** The closest candidate when it is close enough to be a likely typo. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  return closeNames(word, candidates, 1)[0];
}

/** The one wording: "did you mean `a`?" / "did you mean `a` or `b`?"; '' when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>, max = 3): string {
  return didYouMeanOf(closeNames(word, candidates, max));
}

/** The wording for names already chosen (e.g. rewritten to full paths). */
export function didYouMeanOf(names: readonly string[]): string {
  return names.length === 0 ? '' : `did you mean ${names.map((n) => `\`${n}\``).join(' or ')}?`;
}

/** For the end of a message: " — did you mean `a`?" (the closest only) or ''. */
export function didYouMeanSuffix(word: string, candidates: Iterable<string>): string {
  const s = didYouMean(word, candidates, 1);
  return s ? ` — ${s}` : '';
}

/** A hint sentence: the close names, or a list of what exists when nothing is close. */
export function didYouMeanOrKnown(word: string, candidates: Iterable<string>, what = 'names'): string {
  const all = [...new Set(candidates)];
  const near = didYouMean(word, all);
  if (near) return near;
  if (all.length === 0) return `there are no ${what}`;
  const shown = all.slice(0, 8).join(', ');
  return `known ${what}: ${shown}${all.length > 8 ? `, ... (${all.length} in all)` : ''}`;
}
