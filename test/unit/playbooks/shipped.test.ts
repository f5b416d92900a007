/** The shipped playbooks and example inventories stay valid together, and stay runnable part by part. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHIPPED_PLAYBOOKS, findPlaybook } from '../../../lib/cli/find-playbook.js';
import { loadInventory } from '../../../lib/inventory/load.js';
import { modules } from '../../../lib/modules/index.js';
import { checkPlaybook } from '../../../lib/playbook/check.js';
import { loadPlaybook } from '../../../lib/playbook/load.js';
import type { TaskNode } from '../../../lib/playbook/types.js';

const INVENTORIES = join(SHIPPED_PLAYBOOKS, '..', 'inventories');

function tasksOf(nodes: TaskNode[], inherited: string[] = []): Array<{ name?: string; tags: string[] }> {
  return nodes.flatMap((n) =>
    n.kind === 'block'
      ? tasksOf([...n.block, ...n.rescue, ...n.always], [...inherited, ...n.tags])
      : // An included file's tasks (upgrade.yml's hop loop) count as the playbook's.
        n.includedTasks
        ? tasksOf(n.includedTasks, [...inherited, ...n.tags])
        : [{ name: n.name, tags: [...inherited, ...n.tags] }],
  );
}

describe('shipped playbooks', () => {
  it('are found by name from any directory', () => {
    const cwd = process.cwd();
    process.chdir('/');
    try {
      expect(findPlaybook('upgrade.yml')).toBe(join(SHIPPED_PLAYBOOKS, 'upgrade.yml'));
      expect(findPlaybook('rollback')).toBe(join(SHIPPED_PLAYBOOKS, 'rollback.yml'));
    } finally {
      process.chdir(cwd);
    }
  });

  for (const inv of readdirSync(INVENTORIES).filter((f) => f.endsWith('.yml'))) {
    for (const pb of ['upgrade.yml', 'rollback.yml']) {
      it(`${pb} validates against inventories/${inv}`, async () => {
        const inventory = await loadInventory(join(INVENTORIES, inv), { checkKeyFiles: false });
        const playbook = await loadPlaybook(join(SHIPPED_PLAYBOOKS, pb), { modules });
        expect(() => checkPlaybook(playbook, inventory, {}, { fromRun: pb === 'rollback.yml', modules })).not.toThrow();
        expect(inventory.select('oms').length).toBeGreaterThan(0);
      });
    }
  }

  it('every upgrade step is named and tagged after the procedure, so a part can run alone', async () => {
    const { playbook } = await loadPlaybook(join(SHIPPED_PLAYBOOKS, 'upgrade.yml'), { modules });
    const tasks = tasksOf(playbook.plays[0]!.tasks);
    expect(tasks.length).toBeGreaterThan(30);
    for (const t of tasks) {
      expect(t.name, 'every task has a name').toBeTruthy();
      expect(t.tags.length, `${t.name} is tagged`).toBeGreaterThan(0);
    }
    const tags = new Set(tasks.flatMap((t) => t.tags));
    for (const step of ['preflight', 'stage', 'disable_ha', 'stop', 'heartbeat', 'backup', 'load_image', 'start_new', 'docker_init', 'verify', 'enable_ha', 'report'])
      expect(tags, step).toContain(step);
    expect(playbook.plays[0]!.anyErrorsFatal).toBe(true);
    expect(playbook.plays[0]!.onFailure.length).toBeGreaterThan(0);
  });
});
