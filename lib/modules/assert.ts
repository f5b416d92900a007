/** assert: checks conditions on the host's variables and fails naming the ones that do not hold. */
import { evaluateCondition } from '../template/index.js';
import type { Condition } from '../playbook/types.js';
import type { ModuleDefinition, ModuleResult } from './types.js';

export interface AssertArgs {
  that: Condition | Condition[];
  fail_msg?: string;
  msg?: string;
  success_msg?: string;
  quiet?: boolean;
}

const condition = {
  description: 'A condition: boolean, bare Handlebars expression such as `(eq region "hz")`, or a `{{ }}` template.',
  type: ['boolean', 'string'],
};

export const assertModule: ModuleDefinition<AssertArgs> = {
  name: 'assert',
  summary: 'Check that conditions hold; fail the host naming each one that does not.',
  schema: {
    type: 'object',
    properties: {
      that: { description: 'A condition or a list of conditions; all must hold.', oneOf: [condition, { type: 'array', items: condition, minItems: 1 }], errorMessage: 'a condition (boolean or expression string) or a list of them' },
      fail_msg: { type: 'string', description: 'Message when a condition does not hold (the failing conditions are appended).' },
      msg: { type: 'string', description: 'Alias of `fail_msg`.' },
      success_msg: { type: 'string', description: 'Message when all hold.', default: 'All assertions passed' },
      quiet: { type: 'boolean', default: false, description: 'Leave out the success message.' },
    },
    required: ['that'],
    additionalProperties: false,
  },
  conditionArgs: ['that'],
  checkMode: 'read_only',
  changedMeans: 'Never changed.',
  result: [
    { name: 'msg', description: 'fail_msg (with the conditions that failed) or success_msg.' },
    { name: 'failed_conditions', description: 'The conditions that did not hold, as written.' },
    { name: 'assertion', description: 'The first condition that did not hold.' },
  ],
  example: `- name: Check the target version before touching anything
  assert:
    that:
      - (eq oms_arch "x86_64")
      - (ne target_version current_version)
    fail_msg: "nothing to upgrade on {{ inventory_hostname }}"`,
  async run(args, ctx): Promise<ModuleResult> {
    const conds = Array.isArray(args.that) ? args.that : [args.that];
    const failed = conds.filter((c) => !evaluateCondition(c, ctx.vars, { task: 'assert', masker: ctx.masker }));
    if (failed.length > 0) {
      const base = args.fail_msg ?? args.msg ?? 'Assertion failed';
      const list = failed.map((c) => JSON.stringify(c)).join(', ');
      return { changed: false, failed: true, msg: `${base} (did not hold: ${list})`, failed_conditions: failed, assertion: failed[0] };
    }
    const result: ModuleResult = { changed: false, failed_conditions: [] };
    if (!args.quiet) result.msg = args.success_msg ?? 'All assertions passed';
    return result;
  },
};
