/** --list-tasks and --list-hosts: what a run would touch, without connecting. */
import { applyLimit } from '../inventory/patterns.js';
import type { Inventory } from '../inventory/types.js';
import type { Playbook, TaskNode } from '../playbook/types.js';
import { type TagFilter, anyTaskSelected, tagSelected } from '../engine/tags.js';

/**
 * The tasks a run with these tags would run. Tasks that run whatever the selection (rescue, always and
 * on_failure: engine/tags.ts) are marked so, not hidden: a person choosing --tags sees what would put the site back.
 */
export function listTasks(playbook: Playbook, filter: TagFilter): string {
  const lines: string[] = [`playbook: ${playbook.file}`];
  const walk = (nodes: TaskNode[], tags: string[], indent: string, everyTask: boolean) => {
    for (const n of nodes) {
      const all = [...tags, ...n.tags];
      if (n.kind === 'block') {
        if (!everyTask && !anyTaskSelected(n.block, all, filter)) continue;
        // Its condition shown: which blocks run is often chosen by data (e.g. the upgrade's procedure family).
        if (n.name) lines.push(`${indent}block: ${n.name}${n.when?.length ? `\tWHEN: ${n.when.join(' and ')}` : ''}`);
        walk(n.block, all, `${indent}  `, everyTask);
        if (n.rescue.length) {
          lines.push(`${indent}  rescue:${everyTask ? '' : ` ${WHATEVER_TAGS}`}`);
          walk(n.rescue, all, `${indent}    `, true);
        }
        if (n.always.length) {
          lines.push(`${indent}  always:${everyTask ? '' : ` ${WHATEVER_TAGS}`}`);
          walk(n.always, all, `${indent}    `, true);
        }
      } else if (n.includedTasks) {
        // An include with a fixed file (e.g. upgrade.yml's loop over the hops): its tasks, under it, once.
        if (!everyTask && !anyTaskSelected(n.includedTasks, all, filter)) continue;
        lines.push(`${indent}${n.name ?? 'include_tasks'}${n.loop !== undefined ? ' (per loop item)' : ''}`);
        walk(n.includedTasks, all, `${indent}  `, everyTask);
      } else if (everyTask || tagSelected(all, filter)) {
        lines.push(`${indent}${n.name ?? n.module}\tTAGS: [${[...new Set(all)].join(', ')}]`);
      }
    }
  };
  for (const play of playbook.plays) {
    lines.push(`\n  play: ${play.name} (hosts: ${play.hosts})`);
    walk(play.tasks, play.tags, '    ', false);
    for (const f of play.onFailure) {
      lines.push(`    on_failure play: ${f.name} (hosts: ${f.hosts}) ${WHATEVER_TAGS}`);
      walk(f.tasks, f.tags, '      ', true);
    }
  }
  return `${lines.join('\n')}\n`;
}

const WHATEVER_TAGS = '(runs whatever --tags/--skip-tags select)';

export function listHosts(playbook: Playbook, inventory: Inventory, limit?: string): string {
  const lines: string[] = [`playbook: ${playbook.file}`];
  for (const play of playbook.plays) {
    const hosts = applyLimit(inventory, inventory.select(play.hosts), limit);
    lines.push(`\n  play: ${play.name} (${hosts.length})`);
    for (const h of hosts) lines.push(`    ${h}`);
  }
  return `${lines.join('\n')}\n`;
}
