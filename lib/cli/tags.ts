/**
 * --tags / --skip-tags against the tags the playbook has: a tag no task carries is a typo until shown otherwise
 * (exit 5 with a did-you-mean), and a tag that selects no task is said before the run starts.
 */
import { suggest } from '../did-you-mean.js';
import { type TagFilter, tagSelected } from '../engine/tags.js';
import { OptionsError } from '../errors.js';
import type { Play, Playbook, TaskNode } from '../playbook/types.js';

/** Tags with a meaning of their own (lib/engine/tags.ts). */
const SPECIAL = ['all', 'always', 'never', 'untagged'];

interface Walked {
  /** Every tag written in the playbook (plays, blocks, tasks, handlers, on_failure plays, static includes). */
  known: Set<string>;
  /** Tags of each task, with those it inherits. */
  tasks: string[][];
  /** An include_tasks with a templated file name: its tasks (and their tags) are known only at run time. */
  dynamic: boolean;
}

function walk(playbook: Playbook): Walked {
  const w: Walked = { known: new Set(), tasks: [], dynamic: false };
  const nodes = (list: TaskNode[], inherited: string[], main: boolean) => {
    for (const n of list) {
      const tags = [...inherited, ...n.tags];
      for (const t of n.tags) w.known.add(t);
      if (n.kind === 'block') {
        for (const part of [n.block, n.rescue, n.always]) nodes(part, tags, main);
        continue;
      }
      if (n.includedTasks) nodes(n.includedTasks, tags, main);
      else if (n.includeFile) w.dynamic = true;
      else if (main) w.tasks.push(tags);
    }
  };
  const play = (p: Play, main: boolean) => {
    for (const t of p.tags) w.known.add(t);
    nodes(p.tasks, p.tags, main);
    nodes(p.handlers, p.tags, false);
    for (const f of p.onFailure) play(f, false);
  };
  for (const p of playbook.plays) play(p, true);
  return w;
}

/** Throws for a tag no task has; returns warnings for tags that select no task. */
export function checkTags(playbook: Playbook, filter: TagFilter): string[] {
  const w = walk(playbook);
  const candidates = [...w.known, ...SPECIAL];
  const warnings: string[] = [];
  for (const [flag, list] of [['--tags', filter.tags], ['--skip-tags', filter.skipTags]] as const) {
    for (const tag of list) {
      if (w.known.has(tag) || SPECIAL.includes(tag)) continue;
      const near = suggest(tag, candidates);
      const listed = [...w.known].sort().join(', ') || 'none';
      if (w.dynamic) {
        warnings.push(`${flag} ${tag}: no task of the playbook has this tag${near ? ` (did you mean ${near}?)` : ''}; tasks included at run time may`);
        continue;
      }
      throw new OptionsError(`${flag} ${tag}: no task of ${playbook.file} has this tag${near ? ` — did you mean ${near}?` : ''}`, {
        hint: `the playbook's tags: ${listed} (--list-tasks shows each task's tags)`,
      });
    }
  }
  for (const tag of filter.tags.filter((t) => t !== 'all')) {
    const hits = w.tasks.filter((tags) => (tag === 'untagged' ? tags.length === 0 : tags.includes(tag)) && tagSelected(tags, filter));
    if (hits.length === 0 && (w.known.has(tag) || tag === 'untagged')) warnings.push(`--tags ${tag} selects no task${filter.skipTags.length ? ` (with --skip-tags ${filter.skipTags.join(',')})` : ''}`);
  }
  return warnings;
}
