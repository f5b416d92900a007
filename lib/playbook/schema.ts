/**
 * The playbook JSON Schema, built in code so the validator and the shipped editor schema
 * (schemas/playbook.schema.json, checked by a test to be in sync) cannot drift apart.
 *
 * At load time the task schema checks keyword types only; which keys are modules, and each
 * module's arguments, are checked by lib/playbook/load.ts against the module registry.
 */
import type { ModuleDefinition } from '../modules/types.js';

type Json = Record<string, unknown>;

export const PLAY_KEYWORDS = [
  'name',
  'hosts',
  'vars',
  'vars_files',
  'serial',
  'max_fail_percentage',
  'any_errors_fatal',
  'lock',
  'become',
  'become_user',
  'tags',
  'tasks',
  'handlers',
  'on_failure',
] as const;

/** Keywords a block (and an import) shares with a task. */
export const COMMON_TASK_KEYWORDS = [
  'name',
  'when',
  'tags',
  'vars',
  'become',
  'become_user',
  'delegate_to',
  'run_once',
  'throttle',
  'no_log',
  'ignore_errors',
  'check_mode',
  'timeout',
] as const;

export const MODULE_TASK_KEYWORDS = [
  'loop',
  'loop_control',
  'register',
  'record',
  'until',
  'retries',
  'delay',
  'failed_when',
  'changed_when',
  'notify',
] as const;

export const BLOCK_KEYWORDS = ['block', 'rescue', 'always'] as const;
export const INCLUDE_KEYWORDS = ['import_tasks', 'include_tasks'] as const;

export const TASK_KEYWORDS: readonly string[] = [...COMMON_TASK_KEYWORDS, ...MODULE_TASK_KEYWORDS, ...BLOCK_KEYWORDS, ...INCLUDE_KEYWORDS];

const IDENT = '^[A-Za-z_][A-Za-z0-9_]*$';

/** Ansible play keywords omsplay does not have, and what to write instead. */
export const PLAY_HINTS: Record<string, string> = {
  gather_facts: 'omsplay gathers no facts: remove it (run a command and `register` what you need)',
  roles: 'omsplay has no roles: put shared tasks in a task file and use import_tasks',
  pre_tasks: 'put these tasks at the start of `tasks`',
  post_tasks: 'put these tasks at the end of `tasks`',
  connection: 'connection settings belong in the inventory (`connection: local` or `ssh`)',
  remote_user: 'the user is a connection setting of the inventory (`user:`)',
  strategy: 'omsplay runs the linear strategy: every host finishes a task before the next one starts',
  environment: 'give `env:` to the command or shell module',
  become_method: 'omsplay becomes another user through sudo only',
  import_playbook: 'import_playbook is only for `on_failure` items; list the plays here instead',
};

/** Ansible task keywords omsplay does not have, and what to write instead. */
export const TASK_HINTS: Record<string, string> = {
  with_items: 'use `loop:`',
  with_list: 'use `loop:`',
  with_dict: 'use `loop:` over a list of mappings',
  with_sequence: 'use `loop:` with a list',
  environment: 'give `env:` to the command or shell module',
  args: 'write the arguments under the module key',
  action: 'write the module name as the key: `command: ...`',
  local_action: 'use the module with `delegate_to: localhost`',
  become_method: 'omsplay becomes another user through sudo only',
  async: 'omsplay has no background tasks: use `timeout`, and wait_for to wait for something',
  poll: 'omsplay has no background tasks: use `timeout`, and wait_for to wait for something',
  include: 'use import_tasks (inlined) or include_tasks (looped or templated)',
  include_role: 'omsplay has no roles: use include_tasks',
  import_role: 'omsplay has no roles: use import_tasks',
  import_playbook: 'import_playbook is only for `on_failure` items',
  any_errors_fatal: 'any_errors_fatal is a play keyword',
};

const condition: Json = {
  anyOf: [{ type: 'boolean' }, { type: 'string', minLength: 1 }],
  errorMessage: 'a condition: true/false, an expression like (eq region "hz"), or a {{ }} template',
};

const conditions: Json = {
  anyOf: [{ $ref: '#/$defs/condition' }, { type: 'array', items: { $ref: '#/$defs/condition' } }],
  errorMessage: 'a condition (true/false, an expression like (eq region "hz"), a {{ }} template) or a list of them',
  markdownDescription: 'A boolean, a Handlebars expression without braces (`(eq region "hz")`, `ha.enable`), a `{{ }}` template, or a list of these that must all hold.',
};

const stringOrList = (what: string): Json => ({
  anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', items: { type: 'string', minLength: 1 } }],
  errorMessage: `${what}: a string or a list of strings`,
});

const serialItem: Json = {
  anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: '^(100|[1-9][0-9]?)%$' }],
  errorMessage: 'a batch size: a whole number >= 1 or a percentage like "30%"',
};

function taskProperties(): Json {
  return {
    name: { type: 'string', description: 'Shown in the output and used by --start-at-task and notify.' },
    when: { $ref: '#/$defs/conditions', description: 'Run the task only when this holds.' },
    tags: { $ref: '#/$defs/tags' },
    vars: { $ref: '#/$defs/vars' },
    become: { type: 'boolean', description: 'Run through sudo.' },
    become_user: { type: 'string', minLength: 1 },
    delegate_to: { type: 'string', minLength: 1, description: 'Run on this inventory host (or localhost) instead.' },
    run_once: { anyOf: [{ type: 'boolean' }, { const: 'region' }], errorMessage: 'true, false or "region" (once per region)' },
    throttle: { type: 'integer', minimum: 1, description: 'At most this many hosts (or regions, with run_once: region) run the task at once; 1 = one after the other.' },
    no_log: { type: 'boolean', description: 'Mask all output of this task.' },
    ignore_errors: { type: 'boolean' },
    check_mode: { type: 'boolean', description: 'true: never change anything, even in a real run; false: run even under --check.' },
    timeout: { type: 'number', exclusiveMinimum: 0, description: 'Seconds.' },
    loop: {
      anyOf: [{ type: 'array' }, { type: 'string', pattern: '\\{\\{' }],
      errorMessage: 'a list, or a {{ }} template that gives one',
    },
    loop_control: {
      type: 'object',
      'x-noun': 'loop_control key',
      properties: {
        loop_var: { type: 'string', pattern: IDENT, errorMessage: 'a variable name (letters, digits, _)' },
        label: { type: 'string' },
        parallel: {
          anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: '\\{\\{' }],
          errorMessage: 'a whole number of at least 1, or a {{ }} template that gives one',
          description: 'How many items run at once (default 1: one after another), or a template rendered per host (a site setting). Every started item finishes before the task fails.',
        },
      },
      additionalProperties: false,
    },
    register: { type: 'string', pattern: IDENT, errorMessage: 'a variable name (letters, digits, _)' },
    record: { type: 'boolean', description: 'Keep the registered value and facts in the run journal for --from-run.' },
    until: { $ref: '#/$defs/conditions' },
    retries: { type: 'integer', minimum: 0, description: 'How many times to try again until `until` holds (default 3).' },
    delay: { type: 'number', minimum: 0, description: 'Seconds between retries.' },
    failed_when: { $ref: '#/$defs/conditions' },
    changed_when: { $ref: '#/$defs/conditions' },
    notify: stringOrList('handler names'),
    block: { $ref: '#/$defs/tasks' },
    rescue: { $ref: '#/$defs/tasks' },
    always: { $ref: '#/$defs/tasks' },
    import_tasks: { type: 'string', minLength: 1, description: 'A task file, inlined at load time (relative to this file).' },
    include_tasks: { type: 'string', minLength: 1, description: 'A task file, run at this point (may be looped; relative to this file).' },
  };
}

/** Which keyword needs which other one. */
const taskDependencies: Json = {
  loop_control: ['loop'],
  retries: ['until'],
  delay: ['until'],
  rescue: ['block'],
  always: ['block'],
};

export interface SchemaOptions {
  /** Editor form: module keys are listed with $refs to schemas/modules/<id>.schema.json and unknown keys are refused. */
  editor?: boolean;
  modules?: Iterable<ModuleDefinition>;
}

export function playbookSchema(opts: SchemaOptions = {}): Json {
  const props = taskProperties();
  const moduleProps: Json = {};
  for (const m of opts.modules ?? []) {
    const ref = { $ref: `modules/${m.name}.schema.json` };
    // Only the $ref: the module's own schema file carries its descriptions (and changes with it).
    moduleProps[m.name] = m.freeForm ? { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }, ref, { type: 'null' }] } : { anyOf: [ref, { type: 'null' }] };
  }
  const task: Json = {
    type: 'object',
    'x-noun': 'task keyword',
    'x-hints': TASK_HINTS,
    properties: opts.editor ? { ...props, ...moduleProps } : props,
    dependentRequired: taskDependencies,
    additionalProperties: !opts.editor,
  };
  const handlerProps = { ...(task.properties as Json), listen: stringOrList('names this handler answers to') };
  const play: Json = {
    type: 'object',
    'x-noun': 'play keyword',
    'x-hints': PLAY_HINTS,
    required: ['hosts'],
    properties: {
      name: { type: 'string' },
      hosts: {
        anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 }],
        errorMessage: 'a host pattern like "oms_nodes:&hangzhou" (or a list of patterns)',
        description: 'Where the play runs: a host pattern (all, a region, a group, a host, oms_nodes:&hangzhou, oms_nodes:!oms-hz-2).',
      },
      vars: { $ref: '#/$defs/vars' },
      vars_files: stringOrList('vars files'),
      serial: {
        anyOf: [{ $ref: '#/$defs/serialItem' }, { type: 'array', items: { $ref: '#/$defs/serialItem' }, minItems: 1 }],
        errorMessage: 'a batch size (a whole number >= 1 or a percentage like "30%") or a list of them',
        description: 'Rolling batches: serial: 1, serial: "30%", or serial: [1, "50%"] (the last size repeats).',
      },
      max_fail_percentage: { type: 'number', minimum: 0, maximum: 100 },
      any_errors_fatal: { type: 'boolean' },
      lock: {
        type: 'string',
        pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
        errorMessage: 'a lock name: letters, digits, ".", "_" and "-" (e.g. oms-upgrade)',
        description: 'Take this run lock (/var/lock/omsplay/NAME) on every host of the play before it starts; held until the run ends. Another run holding it makes this one refuse at once.',
      },
      become: { type: 'boolean' },
      become_user: { type: 'string', minLength: 1 },
      tags: { $ref: '#/$defs/tags' },
      tasks: { $ref: '#/$defs/tasks' },
      handlers: { type: 'array', items: { $ref: '#/$defs/handler' } },
      on_failure: {
        type: 'array',
        // biome-ignore lint/suspicious/noThenProperty: JSON Schema if/then/else, not a thenable
        items: { if: { type: 'object', required: ['import_playbook'] }, then: { $ref: '#/$defs/importPlaybook' }, else: { $ref: '#/$defs/play' } },
        description: 'Plays run when this play fails, on the still-reachable hosts of their own `hosts`, with `failure` in their variables.',
      },
    },
    additionalProperties: false,
  };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    // No $id: editors then resolve the module $refs (modules/<id>.schema.json) next to this file.
    title: 'omsplay playbook',
    description: 'A list of plays. Put `# yaml-language-server: $schema=<path>/schemas/playbook.schema.json` at the top of a playbook for editor completion.',
    type: 'array',
    errorMessage: 'a list of plays (start each play with `- `)',
    items: { $ref: '#/$defs/play' },
    $defs: {
      play,
      importPlaybook: {
        type: 'object',
        'x-noun': 'key',
        required: ['import_playbook'],
        properties: { import_playbook: { type: 'string', minLength: 1 }, vars: { $ref: '#/$defs/vars' } },
        additionalProperties: false,
      },
      tasks: { type: 'array', items: { $ref: '#/$defs/task' } },
      task,
      handler: { ...task, 'x-noun': 'handler keyword', properties: handlerProps },
      condition,
      conditions,
      tags: stringOrList('tags'),
      vars: { type: 'object', errorMessage: 'a mapping of variable names to values' },
      serialItem,
    },
  };
}

/** A task file (import_tasks/include_tasks): a list of tasks. */
export function taskFileSchema(opts: SchemaOptions = {}): Json {
  const base = playbookSchema(opts);
  return {
    ...base,
    title: 'omsplay task file',
    description: 'A list of tasks (for import_tasks/include_tasks). Put `# yaml-language-server: $schema=<path>/schemas/tasks.schema.json` at the top for editor completion.',
    errorMessage: 'a list of tasks (start each task with `- `)',
    items: { $ref: '#/$defs/task' },
  };
}

/** The shipped editor schemas (path under the repository → file text); a unit test keeps them in sync. */
export function editorSchemaFiles(modules: Iterable<ModuleDefinition>): Record<string, string> {
  const list = [...modules];
  const text = (o: Json) => `${JSON.stringify(o, null, 2)}\n`;
  return {
    'schemas/playbook.schema.json': text(playbookSchema({ editor: true, modules: list })),
    'schemas/tasks.schema.json': text(taskFileSchema({ editor: true, modules: list })),
  };
}
