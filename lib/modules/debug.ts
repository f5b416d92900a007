/** debug: prints a message or a variable's value. */
import type { ModuleDefinition, ModuleResult } from './types.js';

export interface DebugArgs {
  msg?: unknown;
  var?: string;
}

export const debug: ModuleDefinition<DebugArgs> = {
  name: 'debug',
  summary: "Print a message, or a variable's value (dotted paths like `result.stdout_lines` work).",
  freeForm: 'msg',
  schema: {
    type: 'object',
    properties: {
      msg: { description: 'The message (any value; non-strings are shown as JSON).' },
      var: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z0-9_-]+|\\[\\d+\\])*$', description: 'Name of a variable to show, with optional `.key` / `[index]` path.' },
    },
    additionalProperties: false,
    not: { required: ['msg', 'var'] },
    errorMessage: '`msg` or `var`, not both',
  },
  checkMode: 'read_only',
  changedMeans: 'Never changed.',
  result: [
    { name: 'msg', description: 'The message, or the variable shown as `name: value`.' },
    { name: 'value', description: 'With `var`: the raw value (undefined when the variable is not defined).' },
  ],
  example: `- name: Show the running version
  debug:
    msg: "{{ inventory_hostname }} runs OMS {{ oms_version.stdout }}"

- debug:
    var: health.components

- debug: "backup written to {{ backup.dest }}"`,
  async run(args, ctx): Promise<ModuleResult> {
    if (args.var !== undefined) {
      const { found, value } = lookupPath(ctx.vars, args.var);
      return { changed: false, value, msg: `${args.var}: ${found ? show(value) : 'VARIABLE IS NOT DEFINED!'}` };
    }
    return { changed: false, msg: args.msg === undefined ? 'Hello world!' : show(args.msg) };
  },
};

function show(v: unknown): string {
  return typeof v === 'string' ? v : (JSON.stringify(v, null, 2) ?? String(v));
}

/** Follows `a.b[0].c` through objects and arrays. */
export function lookupPath(root: Record<string, unknown>, path: string): { found: boolean; value: unknown } {
  let cur: unknown = root;
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, part)) return { found: false, value: undefined };
    cur = (cur as Record<string, unknown>)[part];
  }
  return { found: true, value: cur };
}
