/**
 * rollback.yml's on_failure (rollback-stopped.yml, oms.rollback_stopped) when a host of the site cannot be reached:
 * with the upgrade run it names that host's containers and the command to go on; without --from-run it refuses to
 * print a rollback command that names no run, and says how to name one. The shipped playbook, run by the engine
 * over local connections (the first play stops before the lock is taken).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHIPPED_PLAYBOOKS } from '../../../lib/cli/find-playbook.js';
import { runYaml, workdir } from '../engine/harness.js';

const rollback = { playbook: '', playbookFile: join(SHIPPED_PLAYBOOKS, 'rollback.yml'), unreachable: ['b'], options: { yes: true } };

describe('rollback.yml stopped by a host it cannot reach', () => {
  it('names the containers the upgrade run recorded there, and the same rollback again', async () => {
    const dir = await workdir();
    // A stand-in for the upgrade run: what preflight records per host.
    const upgrade = await runYaml({
      dir,
      playbook: `
- hosts: oms
  tasks:
    - name: Preflight records the site
      set_fact: {site: {old_container: oms_331, new_container: "oms_400_{{ inventory_hostname }}"}}
      record: true
`,
    });
    expect(upgrade.exitCode).toBe(0);
    const r = await runYaml({ ...rollback, dir, fromRun: upgrade.runId });
    const stopped = r.collect.results('Rollback: stopped')[0]!;
    expect(stopped.status).toBe('ok');
    expect(stopped.result.msg).toContain('b could not be reached to make sure oms_331 and oms_400_b are stopped there');
    expect(stopped.result.msg).toMatch(new RegExp(`omsplay run rollback\\.yml -i \\S+inventory\\.yml --from-run ${upgrade.runId} --yes$`));
  });

  it('without --from-run: refused, saying how to name the upgrade run, instead of a command naming none', async () => {
    const r = await runYaml(rollback);
    const stopped = r.collect.results('Rollback: stopped')[0]!;
    expect(stopped.status).toBe('failed');
    expect(stopped.result.msg).toMatch(/^The rollback stopped at "Rollback: every host of the site can be reached": .*How to go on cannot be said: run_id is empty \(was rollback\.yml run without --from-run\?\) \(hint: a rollback undoes a recorded upgrade run: omsplay run rollback\.yml -i \S+inventory\.yml --from-run last/);
    expect(JSON.stringify(r.collect.events)).not.toMatch(/--from-run +--yes/);
    expect(r.exitCode).not.toBe(0);
  });
});
