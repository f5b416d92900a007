/** The upgrade refuses settings it cannot act on before it touches anything. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHIPPED_PLAYBOOKS } from '../../../lib/cli/find-playbook.js';
import { runYaml } from '../engine/harness.js';

const inventory = `
connection: {connection: local}
vars: {oms_old_container: oms_331, oms_image_tar: /nonexistent/oms.tar}
regions: {hz: {hosts: {a: {}}}}
groups: {oms: {hosts: [a]}}
`;

describe('upgrade settings', () => {
  it('an unknown oms_docker_init value stops the run at once', async () => {
    const r = await runYaml({
      playbook: '',
      playbookFile: join(SHIPPED_PLAYBOOKS, 'upgrade.yml'),
      inventory,
      extraVars: ['oms_docker_init=every'],
      options: { tags: ['settings-only'], noOnFailure: true },
    });
    expect(r.exitCode).toBe(2);
    const failed = r.collect.results().find((e) => e.status === 'failed')!;
    expect(failed.task).toBe('Settings are valid');
    expect(String(failed.result.msg)).toMatch(/oms_docker_init must be auto, region or node \(got every\)/);
  });

  it('valid settings pass, and computed defaults are as documented', async () => {
    const r = await runYaml({ playbook: '', playbookFile: join(SHIPPED_PLAYBOOKS, 'upgrade.yml'), inventory, options: { tags: ['settings-only'] } });
    expect(r.exitCode).toBe(0);
    const settings = r.collect.results('Settings')[0]!.result.facts as { upgrade: Record<string, unknown> };
    expect(settings.upgrade).toMatchObject({ new_container: 'oms_400', target_version: '4.0.0', backup_host: 'localhost', docker_init: 'auto', ha_margin_minutes: 30 });
    expect(String(settings.upgrade.backup_dir)).toMatch(/^\/var\/backups\/oms\/\d{8}T\d{6}Z-/);
  });
});
