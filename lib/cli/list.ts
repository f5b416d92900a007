/** --list-tasks and --list-hosts: what a run would touch, without connecting. */
import { applyLimit } from '../inventory/patterns.js';
import type { Inventory } from '../inventory/types.js';
import type { Playbook, TaskNode } from '../playbook/types.js';
import { type TagFilter, tagSelected } from '../engine/tags.js';

export function listTasks(playbook: Playbook, filter: TagFilter): string {
  const lines: string[] = [`playbook: ${playbook.file}`];
  const walk = (nodes: TaskNode[], tags: string[], indent: string) => {
    for (const n of nodes) {
      const all = [...tags, ...n.tags];
      if (n.kind === 'block') {
        if (n.name) lines.push(`${indent}block: ${n.name}`);
        walk(n.block, all, `${indent}  `);
        if (n.rescue.length) {
          lines.push(`${indent}  rescue:`);
          walk(n.rescue, all, `${indent}    `);
        }
        if (n.always.length) {
          lines.push(`${indent}  always:`);
          walk(n.always, all, `${indent}    `);
        }
      } else if (tagSelected(all, filter)) {
        lines.push(`${indent}${n.name ?? n.module}\tTAGS: [${[...new Set(all)].join(', ')}]`);
      }
    }
  };
  for (const play of playbook.plays) {
    lines.push(`\n  play: ${play.name} (hosts: ${play.hosts})`);
    walk(play.tasks, play.tags, '    ');
    for (const f of play.onFailure) {
      lines.push(`    on_failure play: ${f.name} (hosts: ${f.hosts})`);
      walk(f.tasks, f.tags, '      ');
    }
  }
  return `${lines.join('\n')}\n`;
}

export function listHosts(playbook: Playbook, inventory: Inventory, limit?: string): string {
  const lines: string[] = [`playbook: ${playbook.file}`];
  for (const play of playbook.plays) {
    const hosts = applyLimit(inventory, inventory.select(play.hosts), limit);
    lines.push(`\n  play: ${play.name} (${hosts.length})`);
    for (const h of hosts) lines.push(`    ${h}`);
  }
  return `${lines.join('\n')}\n`;
}
