/** fromRunNames (lib/playbook/from-run.ts): the values of an earlier run a playbook reads, from the template analysis. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modules } from '../../../lib/modules/index.js';
import { fromRunNames } from '../../../lib/playbook/from-run.js';
import { loadPlaybook } from '../../../lib/playbook/load.js';
import { SHIPPED_PLAYBOOKS } from '../../../lib/cli/find-playbook.js';

async function namesOf(files: Record<string, string>): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'omsplay-fromrun-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return fromRunNames(await loadPlaybook(join(dir, 'site.yml'), { modules })).sort();
}

describe('fromRunNames', () => {
  it('finds reads in templates, conditions, assert conditions, per-host paths, task files and vars files', async () => {
    const names = await namesOf({
      'site.yml': [
        '- hosts: all',
        '  vars_files: [v.yml]',
        '  vars: {a: "{{ default from_run.in_play_vars \'\' }}"}',
        '  tasks:',
        '    - debug: {msg: "{{ from_run.hosts.oms-hz-1.per_host }} {{ from_run.run_id }} {{ from_run.started_at }}"}',
        '      when: from_run.in_when',
        '    - assert: {that: [(eq from_run.in_assert 1)]}',
        '    - import_tasks: t.yml',
        '    - command: echo from_run.not_a_template',
      ].join('\n'),
      't.yml': '- debug: {msg: "{{ from_run.in_task_file.sub }}"}\n',
      'v.yml': 'b: "{{ from_run.in_vars_file }}"\n',
    });
    expect(names).toEqual(['in_assert', 'in_play_vars', 'in_task_file', 'in_vars_file', 'in_when', 'per_host']);
  });

  it('for the shipped rollback: the values the upgrade records', async () => {
    const loaded = await loadPlaybook(join(SHIPPED_PLAYBOOKS, 'rollback.yml'), { modules });
    expect(fromRunNames(loaded).sort()).toEqual(['dumps', 'ha_before', 't1', 'upgrade_phase']);
  });
});
