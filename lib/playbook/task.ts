/**
 * Task normalisation: one YAML task mapping → a Task or Block of the model. Keyword types were
 * already checked by the playbook schema; here the language rules are applied (exactly one module,
 * which keywords fit a block or an include, module arguments against the module's own schema) and
 * values are put into their one canonical form (conditions and tags as lists, notify as a list).
 */
import { dirname } from 'node:path';
import { BOOLEAN_HINT, describeValue, YAML11_BOOLEANS } from '../config/describe.js';
import { validateSchema } from '../config/validate.js';
import { didYouMeanOf, suggest } from '../did-you-mean.js';
import type { ValuePath, YamlFile } from '../config/yaml.js';
import { type OmsplayError, type SourceLocation, ValidationError } from '../errors.js';
import type { Vars } from '../inventory/types.js';
import type { ModuleDefinition } from '../modules/types.js';
import type { NodeSource } from './loaded.js';
import { BLOCK_KEYWORDS, COMMON_TASK_KEYWORDS, TASK_HINTS, TASK_KEYWORDS } from './schema.js';
import type { Block, Condition, Handler, Play, Task, TaskCommon, TaskNode } from './types.js';

export interface TaskContext {
  modules: ReadonlyMap<string, ModuleDefinition>;
  problems: OmsplayError[];
  /** Where each node built is written (LoadedPlaybook.sources). */
  sources: Map<Play | TaskNode, NodeSource>;
  yaml: YamlFile;
  /** Loads an import_tasks/include_tasks file; returns undefined when it failed (problem recorded). */
  loadTaskFile(file: string, at: SourceLocation, kind: 'import_tasks' | 'include_tasks'): Promise<{ tasks: TaskNode[]; file: string } | undefined>;
}

const COMMON = new Set<string>(COMMON_TASK_KEYWORDS);
const ALL_KW = new Set<string>(TASK_KEYWORDS);
const INCLUDE_EXTRA = new Set(['loop', 'loop_control']);

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export async function buildTasks(list: unknown, path: ValuePath, ctx: TaskContext): Promise<TaskNode[]> {
  if (!Array.isArray(list)) return [];
  const out: TaskNode[] = [];
  for (let i = 0; i < list.length; i++) {
    const node = await buildTask(list[i], [...path, i], ctx);
    if (node) out.push(node);
  }
  return out;
}

export async function buildHandlers(list: unknown, path: ValuePath, ctx: TaskContext): Promise<Handler[]> {
  if (!Array.isArray(list)) return [];
  const out: Handler[] = [];
  for (let i = 0; i < list.length; i++) {
    const p = [...path, i];
    const raw = list[i];
    if (!isObject(raw)) continue;
    if ('block' in raw || 'import_tasks' in raw || 'include_tasks' in raw) {
      const key = ['block', 'import_tasks', 'include_tasks'].find((k) => k in raw) as string;
      ctx.problems.push(new ValidationError(`a handler is a single module task; \`${key}\` cannot be used in a handler`, { location: ctx.yaml.locate([...p, key], 'key') }));
      continue;
    }
    const task = await buildTask(raw, p, ctx, true);
    if (task?.kind !== 'task') continue;
    const listen = strList(raw.listen);
    const handler: Handler = { ...task, listen: [...(task.name ? [task.name] : []), ...listen] };
    if (handler.listen.length === 0) {
      ctx.problems.push(new ValidationError('a handler needs a `name` or `listen` so that `notify` can reach it', { location: task.location }));
    }
    ctx.sources.set(handler, { yaml: ctx.yaml, path: p, moduleKey: task.module });
    out.push(handler);
  }
  return out;
}

async function buildTask(raw: unknown, path: ValuePath, ctx: TaskContext, handler = false): Promise<TaskNode | undefined> {
  if (!isObject(raw)) return undefined; // the schema reported it
  const { yaml, problems } = ctx;
  const location = yaml.locate(path);
  const keys = Object.keys(raw);
  const moduleKeys = keys.filter((k) => ctx.modules.has(k) && !ALL_KW.has(k));
  const unknown = keys.filter((k) => !ALL_KW.has(k) && !ctx.modules.has(k) && !(handler && k === 'listen'));
  const actions = keys.filter((k) => ctx.modules.has(k) || k === 'block' || k === 'import_tasks' || k === 'include_tasks');
  const taskName = typeof raw.name === 'string' ? raw.name : undefined;

  for (const k of unknown) {
    const keywords = handler ? [...ALL_KW, 'listen'] : [...ALL_KW];
    const s = suggest(k, [...keywords, ...ctx.modules.keys()]);
    const at = yaml.locate([...path, k], 'key');
    // An argument written at task level (indentation slip): say where it belongs.
    const owner = moduleKeys.find((m) => Object.hasOwn((ctx.modules.get(m)?.schema as { properties?: object } | undefined)?.properties ?? {}, k));
    if (TASK_HINTS[k]) {
      problems.push(new ValidationError(`unknown task keyword \`${k}\``, { location: at, hint: TASK_HINTS[k] }));
    } else if (owner) {
      problems.push(
        new ValidationError(`\`${k}\` is an argument of module \`${owner}\`, not a task keyword`, {
          location: at,
          hint: `indent it under \`${owner}:\``,
        }),
      );
    } else if (s && ctx.modules.has(s)) {
      problems.push(new ValidationError(`unknown module \`${k}\` — ${didYouMeanOf([s])}`, { location: at, hint: `modules: ${[...ctx.modules.keys()].sort().join(', ')}` }));
    } else if (s) {
      problems.push(new ValidationError(`unknown task keyword \`${k}\` — ${didYouMeanOf([s])}`, { location: at, hint: `task keywords: ${keywords.join(', ')}` }));
    } else if (moduleKeys.length === 0 && actions.length === 0) {
      problems.push(new ValidationError(`unknown module \`${k}\``, { location: at, hint: `modules: ${[...ctx.modules.keys()].sort().join(', ')}` }));
    } else {
      problems.push(new ValidationError(`unknown task keyword \`${k}\``, { location: at, hint: `task keywords: ${keywords.join(', ')}` }));
    }
  }

  if (actions.length > 1) {
    const second = actions[1];
    const both = actions.map((a) => `\`${a}\``).join(' and ');
    const what = moduleKeys.length === actions.length ? 'modules' : 'actions';
    problems.push(
      new ValidationError(`a task has exactly one module, this one has ${actions.length} ${what}: ${both}`, {
        location: yaml.locate([...path, second], 'key'),
        hint: 'split it into one task per module (a block groups tasks that belong together)',
      }),
    );
    return undefined;
  }
  if (actions.length === 0) {
    if (unknown.length === 0) {
      problems.push(
        new ValidationError(`task${taskName ? ` \`${taskName}\`` : ''} has no module`, {
          location,
          hint: 'add exactly one module key (like `command: ...` or `debug: {msg: hi}`), or `block:`, `import_tasks:` or `include_tasks:`',
        }),
      );
    }
    return undefined;
  }

  const action = actions[0];
  const common = buildCommon(raw, path, ctx, location);
  if (action === 'block') return buildBlock(raw, path, ctx, common);
  if (action === 'import_tasks' || action === 'include_tasks') return buildInclude(raw, path, ctx, common, action);
  return buildModuleTask(raw, path, ctx, common, action);
}

function refuseKeys(raw: Raw, path: ValuePath, ctx: TaskContext, allowed: (k: string) => boolean, what: string): void {
  for (const k of Object.keys(raw)) {
    if (ALL_KW.has(k) && !allowed(k)) {
      ctx.problems.push(new ValidationError(`\`${k}\` cannot be used on ${what}`, { location: ctx.yaml.locate([...path, k], 'key') }));
    }
  }
}

async function buildBlock(raw: Raw, path: ValuePath, ctx: TaskContext, common: TaskCommon): Promise<Block> {
  refuseKeys(raw, path, ctx, (k) => COMMON.has(k) || (BLOCK_KEYWORDS as readonly string[]).includes(k), 'a block (put it on the tasks inside)');
  const block: Block = {
    kind: 'block',
    ...common,
    block: await buildTasks(raw.block, [...path, 'block'], ctx),
    rescue: await buildTasks(raw.rescue, [...path, 'rescue'], ctx),
    always: await buildTasks(raw.always, [...path, 'always'], ctx),
  };
  if (Array.isArray(raw.block) && raw.block.length === 0) {
    ctx.problems.push(new ValidationError('`block` is empty', { location: ctx.yaml.locate([...path, 'block']), hint: 'a block needs at least one task' }));
  }
  ctx.sources.set(block, { yaml: ctx.yaml, path });
  return block;
}

async function buildInclude(raw: Raw, path: ValuePath, ctx: TaskContext, common: TaskCommon, kind: 'import_tasks' | 'include_tasks'): Promise<TaskNode | undefined> {
  const allowedExtra = kind === 'include_tasks' ? INCLUDE_EXTRA : new Set<string>();
  refuseKeys(
    raw,
    path,
    ctx,
    (k) => COMMON.has(k) || k === kind || allowedExtra.has(k),
    kind === 'import_tasks' ? '`import_tasks` (it is inlined at load time; use include_tasks to loop)' : '`include_tasks`',
  );
  const file = raw[kind];
  if (typeof file !== 'string' || !file) return undefined;
  const at = ctx.yaml.locate([...path, kind]);
  const templated = file.includes('{{');
  if (templated && kind === 'import_tasks') {
    ctx.problems.push(new ValidationError('`import_tasks` needs a fixed file name', { location: at, hint: 'use include_tasks for a file name with a template' }));
    return undefined;
  }
  const loaded = templated ? undefined : await ctx.loadTaskFile(file, at, kind);
  if (kind === 'import_tasks') {
    if (!loaded) return undefined;
    const block: Block = { kind: 'block', ...common, name: common.name ?? `import_tasks ${file}`, block: loaded.tasks, rescue: [], always: [] };
    ctx.sources.set(block, { yaml: ctx.yaml, path });
    return block;
  }
  const task: Task = {
    kind: 'task',
    ...common,
    module: 'include_tasks',
    args: { file },
    loopVar: 'item',
    notify: [],
    // A templated name is rendered and resolved by the engine at run time, relative to `includeDir`.
    includeFile: loaded ? loaded.file : file,
    includeDir: dirname(ctx.yaml.file),
    includedTasks: loaded?.tasks,
  };
  applyLoop(task, raw, path, ctx);
  ctx.sources.set(task, { yaml: ctx.yaml, path });
  return task;
}

function buildModuleTask(raw: Raw, path: ValuePath, ctx: TaskContext, common: TaskCommon, moduleKey: string): Task {
  const mod = ctx.modules.get(moduleKey) as ModuleDefinition;
  let args: unknown = raw[moduleKey];
  let freeForm: string | undefined;
  const argPath = [...path, moduleKey];
  if (args === null || args === undefined) args = {};
  else if (typeof args === 'string' || Array.isArray(args)) {
    if (mod.freeForm) {
      freeForm = mod.freeForm;
      args = { [mod.freeForm]: args };
    } else {
      ctx.problems.push(
        new ValidationError(`module \`${moduleKey}\` takes a mapping of arguments, got ${describeValue(args)}`, {
          location: ctx.yaml.locate(argPath),
          hint: `write its arguments as keys under \`${moduleKey}:\`, e.g. ${moduleKey}: {…}`,
        }),
      );
      args = undefined;
    }
  }
  if (args !== undefined) {
    if (!isObject(args)) {
      ctx.problems.push(new ValidationError(`module \`${moduleKey}\` takes a mapping of arguments, got ${describeValue(args)}`, { location: ctx.yaml.locate(argPath) }));
    } else {
      const ff = freeForm;
      ctx.problems.push(
        ...validateSchema(mod.schema, args, ctx.yaml, {
          basePath: argPath,
          mapPath: ff ? (p) => (p[0] === ff ? p.slice(1) : p) : undefined,
          noun: 'argument',
          context: `for module \`${moduleKey}\``,
        }),
      );
    }
  }
  const task: Task = {
    kind: 'task',
    ...common,
    module: moduleKey,
    args: args ?? {},
    loopVar: 'item',
    register: typeof raw.register === 'string' ? raw.register : undefined,
    record: bool(raw, path, 'record', ctx),
    until: conditions(raw, path, 'until', ctx),
    retries: typeof raw.retries === 'number' ? raw.retries : undefined,
    delay: typeof raw.delay === 'number' ? raw.delay : undefined,
    failedWhen: conditions(raw, path, 'failed_when', ctx),
    changedWhen: conditions(raw, path, 'changed_when', ctx),
    notify: strList(raw.notify),
  };
  applyLoop(task, raw, path, ctx);
  ctx.sources.set(task, { yaml: ctx.yaml, path, moduleKey, freeForm });
  return task;
}

function applyLoop(task: Task, raw: Raw, path: ValuePath, ctx: TaskContext): void {
  if ('loop' in raw) {
    task.loop = raw.loop;
    if (raw.loop === null) ctx.problems.push(new ValidationError('`loop` is empty', { location: ctx.yaml.locate([...path, 'loop'], 'key'), hint: 'give a list or a {{ }} template' }));
  }
  const lc = raw.loop_control;
  if (isObject(lc)) {
    if (typeof lc.loop_var === 'string') task.loopVar = lc.loop_var;
    if (typeof lc.label === 'string') task.loopLabel = lc.label;
    if (typeof lc.parallel === 'number' || typeof lc.parallel === 'string') task.loopParallel = lc.parallel;
  }
}

function buildCommon(raw: Raw, path: ValuePath, ctx: TaskContext, location: SourceLocation): TaskCommon {
  const common: TaskCommon = {
    tags: tagList(raw.tags),
    vars: isObject(raw.vars) ? (raw.vars as Vars) : {},
    location,
  };
  if (typeof raw.name === 'string') common.name = raw.name;
  const when = conditions(raw, path, 'when', ctx);
  if (when) common.when = when;
  const become = bool(raw, path, 'become', ctx);
  if (become !== undefined) common.become = become;
  if (typeof raw.become_user === 'string') common.becomeUser = raw.become_user;
  if (typeof raw.delegate_to === 'string') common.delegateTo = raw.delegate_to;
  if (raw.run_once === true || raw.run_once === false || raw.run_once === 'region') common.runOnce = raw.run_once;
  if (typeof raw.throttle === 'number') common.throttle = raw.throttle;
  const noLog = bool(raw, path, 'no_log', ctx);
  if (noLog !== undefined) common.noLog = noLog;
  const ignore = bool(raw, path, 'ignore_errors', ctx);
  if (ignore !== undefined) common.ignoreErrors = ignore;
  const check = bool(raw, path, 'check_mode', ctx);
  if (check !== undefined) common.checkMode = check;
  if (typeof raw.timeout === 'number') common.timeout = raw.timeout;
  return common;
}

/** A boolean keyword: a template cannot stand in for it (the schema reports other wrong types). */
export function bool(raw: Raw, path: ValuePath, key: string, ctx: { yaml: YamlFile; problems: OmsplayError[] }): boolean | undefined {
  const v = raw[key];
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && v.includes('{{')) {
    ctx.problems.push(new ValidationError(`\`${key}\` must be true or false, not a template`, { location: ctx.yaml.locate([...path, key]), hint: 'use `when` to choose between two tasks' }));
  }
  return undefined;
}

/** when/until/failed_when/changed_when → a list; a YAML 1.1 boolean word is refused, not guessed. */
export function conditions(raw: Raw, path: ValuePath, key: string, ctx: { yaml: YamlFile; problems: OmsplayError[] }): Condition[] | undefined {
  if (!(key in raw)) return undefined;
  const v = raw[key];
  const list = Array.isArray(v) ? v : [v];
  const out: Condition[] = [];
  list.forEach((c, i) => {
    const at = () => ctx.yaml.locate(Array.isArray(v) ? [...path, key, i] : [...path, key]);
    if (typeof c === 'string' && YAML11_BOOLEANS.has(c.trim())) {
      ctx.problems.push(new ValidationError(`\`${key}: ${c}\` is the string "${c}", not a boolean`, { location: at(), hint: BOOLEAN_HINT }));
    } else if (typeof c === 'boolean' || typeof c === 'string') {
      out.push(c);
    }
  });
  return out;
}

function strList(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/** Tags: a list, or one string (comma-separated allowed, as in Ansible). */
export function tagList(v: unknown): string[] {
  const list = typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  return [...new Set(list.map((t) => t.trim()).filter(Boolean))];
}

