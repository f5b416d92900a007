/**
 * Loads a playbook file into the typed model (lib/playbook/types.ts): YAML → schema → language
 * rules → model, returned as a LoadedPlaybook (the model plus what the static checks need beside it).
 * Task files (import_tasks/include_tasks with fixed names) and vars files are read through renderThenLoad
 * (files.ts), on_failure playbooks here, so `omsplay validate` finds every problem before anything
 * connects. All problems are collected and thrown together as ValidationErrors.
 */
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { validateSchema } from '../config/validate.js';
import type { ValuePath, YamlFile } from '../config/yaml.js';
import { didYouMeanSuffix } from '../did-you-mean.js';
import { ConfigError, ValidationError } from '../errors.js';
import type { Vars } from '../inventory/types.js';
import type { ModuleDefinition } from '../modules/types.js';
import { buildTaskFile, LoadSession, renderThenLoad, varsFileRef, type VarsFile } from './files.js';
import type { LoadedPlaybook, VarsFromFiles } from './loaded.js';
import { playbookSchema } from './schema.js';
import { bool, buildHandlers, buildTasks, tagList } from './task.js';
import type { Play, TaskNode } from './types.js';

export interface LoadPlaybookOptions {
  modules: ReadonlyMap<string, ModuleDefinition>;
  /**
   * When given, undefined variables are checked too, with these names (inventory, -e, magic
   * variables) counted as defined. The CLI usually calls checkVariables() instead, with the inventory.
   */
  knownVariables?: Iterable<string>;
}

// The built CLI has precompiled validators for exactly these schemas (lib/playbook/schema-gen.ts).
const PLAYBOOK_SCHEMA = playbookSchema();

const PLAY_EXAMPLE = '- name: Say hello\n    hosts: all\n    tasks:\n      - debug: {msg: hello}';

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export async function loadPlaybook(file: string, opts: LoadPlaybookOptions): Promise<LoadedPlaybook> {
  const loader = new Loader(opts.modules);
  const loaded = await loader.playbook(file);
  if (opts.knownVariables) {
    const { checkVariables } = await import('./check.js');
    loader.session.problems.push(...checkVariables(loaded, undefined, {}, { knownVariables: opts.knownVariables }));
  }
  loader.session.throwIfProblems();
  return loaded;
}

/** Loads a task file on its own (tests, tools); every problem in it is thrown. */
export async function loadTaskFile(file: string, opts: { modules: ReadonlyMap<string, ModuleDefinition> }): Promise<TaskNode[]> {
  const session = new LoadSession(opts.modules);
  let tasks: TaskNode[] = [];
  try {
    tasks = await buildTaskFile(await session.read(file), session, [resolve(file)]);
  } catch (e) {
    if (!(e instanceof ConfigError || e instanceof ValidationError)) throw e;
    session.problems.push(e);
  }
  session.throwIfProblems();
  return tasks;
}

/** Builds the model of a playbook file and what the checks need beside it (LoadedPlaybook). */
class Loader {
  readonly session: LoadSession;
  private readonly varsFromFiles = new Map<Play, VarsFromFiles>();

  constructor(private readonly modules: ReadonlyMap<string, ModuleDefinition>) {
    this.session = new LoadSession(modules);
  }

  private get problems() {
    return this.session.problems;
  }

  async playbook(file: string): Promise<LoadedPlaybook> {
    const yaml = await this.session.read(file);
    const plays = await this.plays(yaml, [resolve(file)], 'playbook');
    return { playbook: { file, dir: dirname(file), plays }, sources: this.session.sources, varsFromFiles: this.varsFromFiles, modules: this.modules };
  }

  /** The plays of a playbook file (top level or an on_failure import). */
  private async plays(yaml: YamlFile, stack: string[], what: 'playbook' | 'on_failure playbook'): Promise<Play[]> {
    const v = yaml.value;
    const start = { file: yaml.file, line: 1, col: 1 };
    if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) {
      this.problems.push(new ValidationError(`the ${what} is empty`, { location: start, hint: `a playbook is a list of plays, e.g.\n  ${PLAY_EXAMPLE}` }));
      return [];
    }
    if (!Array.isArray(v)) {
      const got = isObject(v) ? 'a mapping' : `a ${typeof v}`;
      this.problems.push(
        new ValidationError(`a playbook is a list of plays, this one is ${got}`, {
          location: start,
          hint: isObject(v) ? 'start each play with `- ` (a dash and a space), and indent its keys under it' : `e.g.\n  ${PLAY_EXAMPLE}`,
        }),
      );
      return [];
    }
    const looksLikeTasks = v.every((p) => isObject(p) && !('hosts' in p) && Object.keys(p).some((k) => this.modules.has(k) || k === 'block' || k === 'import_tasks' || k === 'include_tasks'));
    if (looksLikeTasks) {
      this.problems.push(
        new ValidationError(`this ${what} is a list of tasks, not of plays`, {
          location: start,
          hint: 'a play says where tasks run: put them under `tasks:` of a play with `hosts:`, or import this task file from a playbook with import_tasks',
        }),
      );
      return [];
    }
    this.problems.push(...validateSchema(PLAYBOOK_SCHEMA, v, yaml));
    const out: Play[] = [];
    for (let i = 0; i < v.length; i++) {
      const play = await this.play(v[i], [i], yaml, stack);
      if (play) out.push(play);
    }
    return out;
  }

  private async play(raw: unknown, path: ValuePath, yaml: YamlFile, stack: string[]): Promise<Play | undefined> {
    if (!isObject(raw)) return undefined;
    const ctx = this.session.taskContext(yaml, stack);
    const hosts = typeof raw.hosts === 'string' ? raw.hosts : Array.isArray(raw.hosts) ? raw.hosts.filter((h) => typeof h === 'string').join(':') : '';
    const play: Play = {
      name: typeof raw.name === 'string' ? raw.name : hosts,
      hosts,
      vars: isObject(raw.vars) ? (raw.vars as Vars) : {},
      varsFiles: [],
      varsFileLocations: [],
      anyErrorsFatal: bool(raw, path, 'any_errors_fatal', ctx) ?? false,
      tags: tagList(raw.tags),
      tasks: [],
      handlers: [],
      onFailure: [],
      location: yaml.locate(path),
    };
    if (raw.serial !== undefined && raw.serial !== null) {
      const list = Array.isArray(raw.serial) ? raw.serial : [raw.serial];
      play.serial = list.filter((x): x is number | string => typeof x === 'number' || typeof x === 'string');
    }
    if (typeof raw.max_fail_percentage === 'number') play.maxFailPercentage = raw.max_fail_percentage;
    if (typeof raw.lock === 'string') play.lock = raw.lock;
    const become = bool(raw, path, 'become', ctx);
    if (become !== undefined) play.become = become;
    if (typeof raw.become_user === 'string') play.becomeUser = raw.become_user;
    this.session.sources.set(play, { yaml, path });

    await this.varsFiles(play, raw.vars_files, path, yaml);
    play.tasks = await buildTasks(raw.tasks, [...path, 'tasks'], ctx);
    play.handlers = await buildHandlers(raw.handlers, [...path, 'handlers'], ctx);
    this.checkNotify(play);
    if (Array.isArray(raw.on_failure)) play.onFailure = await this.onFailure(raw.on_failure, [...path, 'on_failure'], yaml, stack);
    return play;
  }

  /** Fixed vars_files names are read here; templated ones once their variables are known (resolveTemplatedVarsFiles, the engine). */
  private async varsFiles(play: Play, raw: unknown, path: ValuePath, yaml: YamlFile): Promise<void> {
    const list = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : [];
    list.forEach((name, i) => {
      if (typeof name !== 'string') return;
      play.varsFiles.push(name); // as written
      play.varsFileLocations.push(yaml.locate(Array.isArray(raw) ? [...path, 'vars_files', i] : [...path, 'vars_files']));
    });
    const values: Vars = {};
    const files: YamlFile[] = [];
    let complete = true;
    for (let i = 0; i < play.varsFiles.length; i++) {
      if (play.varsFiles[i]!.includes('{{')) {
        complete = false;
        continue;
      }
      try {
        const vf: VarsFile = await renderThenLoad(varsFileRef(play, i), {}, this.session);
        Object.assign(values, vf.values);
        files.push(vf.yaml);
      } catch (e) {
        if (e instanceof ConfigError || e instanceof ValidationError) this.problems.push(e);
        else throw e;
      }
    }
    this.varsFromFiles.set(play, { values, complete, files });
  }

  /** `notify` must reach a handler of the play (by name or listen). */
  private checkNotify(play: Play): void {
    const names = new Set(play.handlers.flatMap((h) => h.listen));
    const walk = (nodes: TaskNode[]) => {
      for (const n of nodes) {
        if (n.kind === 'block') {
          walk(n.block);
          walk(n.rescue);
          walk(n.always);
          continue;
        }
        if (n.includedTasks) walk(n.includedTasks);
        for (const name of n.notify) {
          if (names.has(name) || name.includes('{{')) continue;
          const known = [...names];
                    this.problems.push(
            new ValidationError(`notify \`${name}\` matches no handler of play \`${play.name}\`${didYouMeanSuffix(name, known)}`, {
              location: n.location,
              hint: known.length ? `handlers: ${known.join(', ')}` : 'the play has no handlers',
            }),
          );
        }
      }
    };
    walk(play.tasks);
    walk(play.handlers); // a handler may notify another one
  }

  private async onFailure(list: unknown[], path: ValuePath, yaml: YamlFile, stack: string[]): Promise<Play[]> {
    const out: Play[] = [];
    for (let i = 0; i < list.length; i++) {
      const item = list[i];
      if (isObject(item) && typeof item.import_playbook === 'string') {
        const name = item.import_playbook;
        const at = yaml.locate([...path, i, 'import_playbook']);
        const file = isAbsolute(name) ? name : join(dirname(yaml.file), name);
        const abs = resolve(file);
        if (stack.includes(abs)) {
          const cycle = [...stack.slice(stack.indexOf(abs)), abs].map((f) => relative(process.cwd(), f) || f);
          this.problems.push(new ValidationError(`import cycle: ${cycle.join(' → ')}`, { location: at }));
          continue;
        }
        let imported: YamlFile;
        try {
          imported = await this.session.read(file);
        } catch (e) {
          if (!(e instanceof ConfigError)) throw e;
          this.problems.push(
            e.location ? e : new ConfigError(`playbook \`${name}\` ${e.message.replace(/^file \S+ /, '')} (${file})`, { location: at, hint: 'import_playbook is relative to the file that names it' }),
          );
          continue;
        }
        const plays = await this.plays(imported, [...stack, abs], 'on_failure playbook');
        const extra = isObject(item.vars) ? (item.vars as Vars) : {};
        for (const p of plays) p.vars = { ...extra, ...p.vars };
        out.push(...plays);
      } else {
        const play = await this.play(item, [...path, i], yaml, stack);
        if (play) out.push(play);
      }
    }
    return out;
  }
}
