/** fail: fails the host with a message (usually under `when`). */
import type { ModuleDefinition, ModuleResult } from './types.js';

export const fail: ModuleDefinition<{ msg?: string }> = {
  name: 'fail',
  summary: 'Fail the host with a message; use it with `when`.',
  freeForm: 'msg',
  schema: {
    type: 'object',
    properties: { msg: { type: 'string', description: 'Why the host fails.', default: 'Failed as requested from task' } },
    additionalProperties: false,
  },
  checkMode: 'read_only',
  changedMeans: 'Never changed.',
  result: [{ name: 'msg', description: 'The message.' }],
  example: `- name: Refuse to upgrade a node that is not healthy
  fail:
    msg: "{{ inventory_hostname }} is {{ health.status }}, not healthy"
  when: (ne health.status "healthy")`,
  async run(args): Promise<ModuleResult> {
    return { changed: false, failed: true, msg: args.msg ?? 'Failed as requested from task' };
  },
};
