/**
 * Render, then load: the one way a file named by a playbook (import_tasks, include_tasks, vars_files) is found
 * and read. The name as written is rendered with the variables at hand (none at load time, a host's at run
 * time), resolved against the directory of the file that names it, then read, checked and built. The loader
 * uses it for fixed names, the pre-run checks for templated vars_files, the engine (through
 * includeTasksLoader, handed to it in RunOptions) for include_tasks named by a template.
 */
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { sortByLocation } from '../config/problem-order.js';
import { validateSchema } from '../config/validate.js';
import { loadYamlFile, type YamlFile } from '../config/yaml.js';
import { ConfigError, type OmsplayError, type SourceLocation, ValidationError, ValidationErrors } from '../errors.js';
import type { Vars } from '../inventory/types.js';
import type { ModuleDefinition } from '../modules/types.js';
import type { Masker } from '../secrets.js';
import { renderValue } from '../template/index.js';
import type { NodeSource } from './loaded.js';
import { taskFileSchema } from './schema.js';
import { buildTasks, type TaskContext } from './task.js';
import type { IncludeTasks, Play, Task, TaskNode } from './types.js';

/** A file name as a playbook writes it. */
export interface FileRef {
  /** What names the file: how it is read (a task list or a mapping of variables) and how errors are worded. */
  kind: 'import_tasks' | 'include_tasks' | 'vars_files';
  /** As written; may hold a template. */
  name: string;
  /** The directory a relative name is resolved against: that of the file that names it. */
  dir: string;
  /** Where the name is written. */
  at: SourceLocation;
  /** Who names it, for template errors ("play \"x\" vars_files", a task's name). */
  owner: string;
}

export interface TaskFileRef extends FileRef {
  kind: 'import_tasks' | 'include_tasks';
}

export interface VarsFileRef extends FileRef {
  kind: 'vars_files';
}

export interface TaskFile {
  /** The path read. */
  file: string;
  tasks: TaskNode[];
}

export interface VarsFile {
  /** The path read. */
  file: string;
  yaml: YamlFile;
  values: Vars;
}

export interface RenderThenLoadOptions<T> {
  masker?: Masker;
  /** Task files being loaded around this one (absolute paths): a name among them is an include cycle. */
  stack?: string[];
  /**
   * Files already loaded, by rendered path: each is loaded once. A load that goes into the cache also fails
   * with the problems found inside the file (nothing else collects them at run time).
   */
  cache?: Map<string, Promise<T>>;
}

// The built CLI has precompiled validators for exactly these schemas (lib/playbook/schema-gen.ts).
const TASK_FILE_SCHEMA = taskFileSchema();

/**
 * One loading: the problems found so far, where each node was written, and every YAML file parsed once.
 * The loader collects problems here and reports them all together.
 */
export class LoadSession {
  readonly problems: OmsplayError[] = [];
  readonly sources = new Map<Play | TaskNode, NodeSource>();
  private readonly yamlCache = new Map<string, Promise<YamlFile>>();

  constructor(readonly modules: ReadonlyMap<string, ModuleDefinition>) {}

  /** Parsed file (cached); a file that cannot be read rejects with a ConfigError without location. */
  read(file: string): Promise<YamlFile> {
    const key = resolve(file);
    let p = this.yamlCache.get(key);
    if (!p) {
      p = loadYamlFile(file);
      this.yamlCache.set(key, p);
      // A failed read is reported at each place that names the file: do not cache the failure.
      p.catch(() => this.yamlCache.delete(key));
    }
    return p;
  }

  throwIfProblems(): void {
    throwProblems(this.problems);
  }

  /** Building tasks of `yaml`: nested import_tasks/include_tasks with fixed names go through renderThenLoad. */
  taskContext(yaml: YamlFile, stack: string[]): TaskContext {
    return {
      modules: this.modules,
      problems: this.problems,
      sources: this.sources,
      yaml,
      loadTaskFile: async (name, at, kind) => {
        try {
          return await renderThenLoad({ kind, name, dir: dirname(yaml.file), at, owner: kind }, {}, this, { stack });
        } catch (e) {
          if (!(e instanceof ConfigError || e instanceof ValidationError)) throw e;
          this.problems.push(e);
          return undefined;
        }
      },
    };
  }
}

export function throwProblems(problems: OmsplayError[]): void {
  if (problems.length === 0) return;
  const sorted = sortByLocation(dedupe(problems));
  throw sorted.length === 1 ? sorted[0] : new ValidationErrors(sorted);
}

function dedupe(problems: OmsplayError[]): OmsplayError[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = p.format();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The path a name stands for, its template rendered with `vars`; an error at the name when it renders to no file name. */
export function renderFileName(ref: FileRef, vars: Vars, masker?: Masker): string {
  const rendered = ref.name.includes('{{') ? renderValue(ref.name, vars, { location: ref.at, task: ref.owner, masker }) : ref.name;
  if (typeof rendered !== 'string' || rendered === '') {
    const what = ref.kind === 'vars_files' ? 'vars file' : 'task file';
    throw new ValidationError(`${what} name \`${ref.name}\` renders to ${rendered === '' ? 'an empty string' : (JSON.stringify(rendered) ?? 'nothing')}`, {
      location: ref.at,
      hint: `${ref.kind} entries are file names`,
    });
  }
  return isAbsolute(rendered) ? rendered : join(ref.dir, rendered);
}

/**
 * Renders the name, then reads the file it names. A name that renders to nothing, a file that cannot be read,
 * has the wrong shape or closes an include cycle throws (at the name); problems inside a task file's tasks go
 * to the session (with a `cache`, they are thrown too).
 */
export function renderThenLoad(ref: TaskFileRef, vars: Vars, session: LoadSession, opts?: RenderThenLoadOptions<TaskFile>): Promise<TaskFile>;
export function renderThenLoad(ref: VarsFileRef, vars: Vars, session: LoadSession, opts?: RenderThenLoadOptions<VarsFile>): Promise<VarsFile>;
export async function renderThenLoad(ref: FileRef, vars: Vars, session: LoadSession, opts: RenderThenLoadOptions<TaskFile | VarsFile> = {}): Promise<TaskFile | VarsFile> {
  const file = renderFileName(ref, vars, opts.masker);
  const load = () => (ref.kind === 'vars_files' ? loadVarsFile(ref, file, session) : loadTaskFile(ref as TaskFileRef, file, session, opts.stack ?? []));
  if (!opts.cache) return load();
  let p = opts.cache.get(file);
  if (!p) {
    p = (async () => {
      const before = session.problems.length;
      const out = await load();
      throwProblems(session.problems.slice(before));
      return out;
    })();
    opts.cache.set(file, p);
  }
  return p;
}

/** The error for a file that cannot be read, at the name that names it (the rendered path too when templated). */
function unreadable(e: unknown, ref: FileRef, file: string): unknown {
  if (!(e instanceof ConfigError) || e.location) return e;
  const rel = file.slice(ref.dir.length + 1) || file;
  const shown = !ref.name.includes('{{') ? `\`${ref.name}\`` : `\`${ref.name}\` (${rel})`;
  const reason = e.message.replace(/^file \S+ /, '');
  return ref.kind === 'vars_files'
    ? new ConfigError(`vars file ${shown} ${reason} (${file})`, { location: ref.at, hint: 'vars_files are relative to the playbook that names them' })
    : new ConfigError(`task file ${shown} ${reason} (${file})`, { location: ref.at, hint: 'task file names are relative to the file that includes them' });
}

async function loadVarsFile(ref: FileRef, file: string, session: LoadSession): Promise<VarsFile> {
  let yaml: YamlFile;
  try {
    yaml = await session.read(file);
  } catch (e) {
    throw unreadable(e, ref, file);
  }
  const v = yaml.value;
  if (v !== null && v !== undefined && (typeof v !== 'object' || Array.isArray(v))) {
    throw new ValidationError('a vars file is a mapping of variable names to values', { location: { file, line: 1, col: 1 }, hint: 'write `name: value` lines, without `- `' });
  }
  return { file, yaml, values: (v ?? {}) as Vars };
}

async function loadTaskFile(ref: TaskFileRef, file: string, session: LoadSession, stack: string[]): Promise<TaskFile> {
  const abs = resolve(file);
  if (stack.includes(abs)) {
    const cycle = [...stack.slice(stack.indexOf(abs)), abs].map((f) => relative(process.cwd(), f) || f);
    throw new ValidationError(`include cycle: ${cycle.join(' → ')}`, { location: ref.at, hint: 'a task file must not include itself, directly or through other files' });
  }
  let yaml: YamlFile;
  try {
    yaml = await session.read(file);
  } catch (e) {
    throw unreadable(e, ref, file);
  }
  return { file, tasks: await buildTaskFile(yaml, session, [...stack, abs]) };
}

/** A parsed task file's tasks; a file that is not a list of tasks throws (at its start). */
export async function buildTaskFile(yaml: YamlFile, session: LoadSession, stack: string[]): Promise<TaskNode[]> {
  const v = yaml.value;
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) {
    const isMapping = typeof v === 'object';
    throw new ValidationError(`a task file is a list of tasks, this one is ${isMapping ? 'a mapping' : `a ${typeof v}`}`, {
      location: { file: yaml.file, line: 1, col: 1 },
      hint: isMapping && ('hosts' in v || 'tasks' in v) ? 'this looks like a play: task files hold only tasks' : 'start each task with `- `',
    });
  }
  session.problems.push(...validateSchema(TASK_FILE_SCHEMA, v, yaml));
  return buildTasks(v, [], session.taskContext(yaml, stack));
}

/** How an include_tasks task names its file, for renderThenLoad. */
export function includeRef(task: Task): TaskFileRef {
  return { kind: 'include_tasks', name: task.includeFile ?? '', dir: task.includeDir ?? '.', at: task.location, owner: task.name ?? `include_tasks ${task.includeFile}` };
}

/** How the i-th vars_files entry of a play names its file. */
export function varsFileRef(play: Play, i: number): VarsFileRef {
  return { kind: 'vars_files', name: play.varsFiles[i]!, dir: dirname(play.location.file), at: play.varsFileLocations[i] ?? play.location, owner: `play "${play.name}" vars_files` };
}

/**
 * The engine's way to the task files include_tasks names at run time: rendered with the host's variables,
 * each file read, checked and built once per run; a problem in it fails the hosts that include it.
 */
export function includeTasksLoader(modules: ReadonlyMap<string, ModuleDefinition>): IncludeTasks {
  const cache = new Map<string, Promise<TaskFile>>();
  // A session per load: the problems a cached load throws are exactly those of its own file.
  return (task, vars, masker) => renderThenLoad(includeRef(task), vars, new LoadSession(modules), { masker, cache });
}
