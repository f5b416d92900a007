/**
 * Tag selection, as Ansible does it: `always` runs unless skipped by name; `never` runs only when
 * asked for by name; `all` (the default of --tags) selects every task that is not `never`.
 *
 * What puts a site back is never switched off by a tag selection (as if tagged `always`, but not even
 * `--skip-tags always` drops it): the tasks of `on_failure` plays, and the `rescue`/`always` sections of a
 * block some of whose tasks were selected. `--no-on-failure` is the one way to leave the site as it is.
 */
import type { TaskNode } from '../playbook/types.js';

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

/**
 * Whether the selection picks any task among `nodes` (with the tags inherited from above): a block none
 * of whose tasks is selected is not entered, so its rescue and always do not run either. An include whose
 * file is known only at run time counts as selected (its tasks are filtered when they are read).
 */
export function anyTaskSelected(nodes: readonly TaskNode[], inherited: readonly string[], filter: TagFilter): boolean {
  return nodes.some((n) => {
    const tags = [...inherited, ...n.tags];
    if (n.kind === 'block') return anyTaskSelected(n.block, tags, filter);
    if (n.module === 'include_tasks') return n.includedTasks ? anyTaskSelected(n.includedTasks, tags, filter) : true;
    return tagSelected(tags, filter);
  });
}
