/**
 * Tag selection, as Ansible does it: `always` runs unless skipped by name; `never` runs only when
 * asked for by name; `all` (the default of --tags) selects every task that is not `never`.
 */
export interface TagFilter {
  tags: string[];
  skipTags: string[];
}

export function tagSelected(taskTags: readonly string[], filter: TagFilter): boolean {
  const has = (t: string) => taskTags.includes(t);
  if (filter.skipTags.some((t) => has(t) || t === 'all')) return false;
  if (has('always')) return true;
  const wanted = filter.tags.length ? filter.tags : ['all'];
  if (has('never')) return wanted.some((t) => t !== 'all' && has(t));
  return wanted.some((t) => t === 'all' || has(t) || (t === 'untagged' && taskTags.length === 0));
}
