/**
 * Static checks run by `omsplay validate` and before every run, without connecting anywhere:
 * - every variable a template or condition reads is defined by something (inventory, play vars,
 *   vars_files, -e, magic variables, an earlier register/set_fact, the loop variable, ...);
 * - templates parse;
 * - each play's host pattern matches inventory hosts, and delegate_to names a known host.
 * Problems are returned (not thrown) so the caller can show them together with others.
 */
import type { ValuePath } from '../config/yaml.js';
import { sortByLocation } from '../config/problem-order.js';
import { didYouMeanSuffix } from '../did-you-mean.js';
import { isOmsplayError, type OmsplayError, type SourceLocation, ValidationError, ValidationErrors } from '../errors.js';
import type { Inventory, Vars } from '../inventory/types.js';
import { Secret } from '../secrets.js';
import { referencedVariables, type TemplateKind, templateSyntaxErrors } from '../template/index.js';
import type { ModuleDefinition } from '../modules/types.js';
import { MAGIC_VARIABLES, ON_FAILURE_VARIABLES, RESCUE_VARIABLES } from '../vars/magic.js';
import { type LoadedPlaybook, type NodeSource, varsFromFilesOf } from './loaded.js';
import type { Condition, Play, Task, TaskNode } from './types.js';

const MAGIC = new Set<string>(MAGIC_VARIABLES);

export interface CheckOptions {
  /** More names to treat as defined. */
  knownVariables?: Iterable<string>;
  /**
   * Whether --from-run was given. `from_run` stays defined either way, so that `validate` works without a
   * journal; `run` refuses a playbook that reads its values without --from-run (lib/cli/from-run-needed.ts).
   */
  fromRun?: boolean;
  /** The module registry, to read condition arguments (assert's `that`) as conditions. */
  modules?: ReadonlyMap<string, ModuleDefinition>;
}

/** All static checks; throws ValidationErrors (every problem, sorted by location) when any fails. */
export function checkPlaybook(loaded: LoadedPlaybook, inventory: Inventory | undefined, extraVars: Vars, opts: CheckOptions = {}): void {
  const problems = playbookProblems(loaded, inventory, extraVars, opts);
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) throw new ValidationErrors(problems);
}

/** The same checks, returned instead of thrown. */
export function playbookProblems(loaded: LoadedPlaybook, inventory: Inventory | undefined, extraVars: Vars, opts: CheckOptions = {}): OmsplayError[] {
  return sortByLocation([...(inventory ? checkHostPatterns(loaded, inventory) : []), ...checkVariables(loaded, inventory, extraVars, opts)]);
}

/** A play whose pattern matches nothing, or a delegate_to naming no inventory host. */
export function checkHostPatterns(loaded: LoadedPlaybook, inventory: Inventory): OmsplayError[] {
  const problems: OmsplayError[] = [];
  const names = [...inventory.hosts.keys(), ...inventory.regions.keys(), ...inventory.groups.keys(), 'all'];
  const visitPlay = (play: Play) => {
    const src = loaded.sources.get(play);
    const at = src ? src.yaml.locate([...src.path, 'hosts']) : play.location;
    if (play.hosts && !play.hosts.includes('{{')) {
      let matched: string[] = [];
      try {
        matched = inventory.select(play.hosts, { location: at, source: 'playbook' });
      } catch (e) {
        // The inventory names the term that matched nothing, with its own suggestions.
        if (!isOmsplayError(e)) throw e;
        problems.push(e.location ? e : new ValidationError(e.message, { location: at, hint: e.hint }));
        matched = ['(reported)'];
      }
      if (matched.length === 0) {
        const first = play.hosts.split(/[:,]/).map((p) => p.replace(/^[&!]/, ''))[0] ?? '';
                problems.push(
          new ValidationError(`host pattern \`${play.hosts}\` of play \`${play.name}\` matches no host in ${inventory.file}${didYouMeanSuffix(first, names)}`, {
            location: at,
            hint: `regions: ${[...inventory.regions.keys()].join(', ') || '(none)'}; groups: ${[...inventory.groups.keys()].join(', ') || '(none)'}`,
          }),
        );
      }
    }
    walkNodes(play.tasks, (t) => {
      const d = t.delegateTo;
      if (!d || d === 'localhost' || d === '127.0.0.1' || d.includes('{{') || inventory.hosts.has(d)) return;
            const tsrc = loaded.sources.get(t);
      problems.push(
        new ValidationError(`delegate_to \`${d}\` is not a host of ${inventory.file}${didYouMeanSuffix(d, inventory.hosts.keys())}`, {
          location: tsrc ? tsrc.yaml.locate([...tsrc.path, 'delegate_to']) : t.location,
          hint: 'delegate_to takes an inventory host name or localhost',
        }),
      );
    });
    play.onFailure.forEach(visitPlay);
  };
  loaded.playbook.plays.forEach(visitPlay);
  return problems;
}

function walkNodes(nodes: TaskNode[], f: (t: TaskNode) => void): void {
  for (const n of nodes) {
    f(n);
    if (n.kind === 'block') {
      walkNodes(n.block, f);
      walkNodes(n.rescue, f);
      walkNodes(n.always, f);
    } else if (n.includedTasks) walkNodes(n.includedTasks, f);
  }
}

/** Names defined for a template: fixed ones, facts that grow as tasks run, and local scopes. */
class Scope {
  constructor(
    private readonly names: ReadonlySet<string>,
    private readonly parent?: Scope,
  ) {}
  has(n: string): boolean {
    return this.names.has(n) || (this.parent?.has(n) ?? false);
  }
  with(names: Iterable<string>): Scope {
    return new Scope(new Set(names), this);
  }
  all(): string[] {
    return [...this.names, ...(this.parent?.all() ?? [])];
  }
}

export function checkVariables(loaded: LoadedPlaybook, inventory: Inventory | undefined, extraVars: Vars, opts: CheckOptions = {}): OmsplayError[] {
  const problems: OmsplayError[] = [];
  const base = new Set<string>([...MAGIC_VARIABLES, ...Object.keys(extraVars), ...(opts.knownVariables ?? [])]);
  if (inventory) {
    for (const k of Object.keys(inventory.vars)) base.add(k);
    for (const h of inventory.hosts.values()) for (const k of Object.keys(h.vars)) base.add(k);
  }
  // Facts and registered values live on the host for the rest of the run (later plays see them).
  const facts = new Set<string>();
  const root = new Scope(base).with([]);
  const factScope = new Scope(facts, root);

  const checkPlay = (play: Play, extra: string[]) => {
    const fromFiles = varsFromFilesOf(loaded, play);
    if (!fromFiles.complete) return; // a templated vars_files name: which names it defines is known only at run time
    const playScope = factScope.with([...Object.keys(play.vars), ...Object.keys(fromFiles.values), ...extra]);
    const psrc = loaded.sources.get(play);
    const label = `play \`${play.name}\``;
    const c = new Checker(problems, opts.modules ?? loaded.modules, loaded.sources);
    c.scan(play.vars, psrc, ['vars'], play.location, playScope, label);
    for (const f of fromFiles.files) c.scan(f.value, { yaml: f, path: [] }, [], play.location, playScope, `vars file ${f.file}`);
    c.scan(play.hosts, psrc, ['hosts'], play.location, playScope, label);
    c.nodes(play.tasks, playScope, facts);
    for (const h of play.handlers) c.node(h, playScope, facts);
  };
  for (const play of loaded.playbook.plays) checkPlay(play, []);
  const visitFailure = (play: Play) => {
    checkPlay(play, [...ON_FAILURE_VARIABLES]);
    play.onFailure.forEach(visitFailure);
  };
  for (const play of loaded.playbook.plays) play.onFailure.forEach(visitFailure);
  return problems;
}

class Checker {
  constructor(
    private readonly problems: OmsplayError[],
    private readonly modules: ReadonlyMap<string, ModuleDefinition>,
    private readonly sources: LoadedPlaybook['sources'],
  ) {}

  nodes(nodes: TaskNode[], scope: Scope, facts: Set<string>): void {
    for (const n of nodes) this.node(n, scope, facts);
  }

  node(n: TaskNode, outer: Scope, facts: Set<string>): void {
    const src = this.sources.get(n);
    const label = `task \`${n.name ?? (n.kind === 'task' ? n.module : 'block')}\``;
    // Task vars are visible to the task's own templates; their values see the outer scope (and a loop's item).
    const loopNames = n.kind === 'task' && n.loop !== undefined ? [n.loopVar, 'loop_index'] : [];
    this.scan(n.vars, src, ['vars'], n.location, loopNames.length ? outer.with(loopNames) : outer, label);
    const local = outer.with(Object.keys(n.vars));
    if (n.kind === 'block') {
      this.conds(n.when, src, 'when', n.location, local, label);
      this.scan(n.delegateTo, src, ['delegate_to'], n.location, local, label);
      this.scan(n.becomeUser, src, ['become_user'], n.location, local, label);
      this.nodes(n.block, local, facts);
      const rescued = local.with(RESCUE_VARIABLES);
      this.nodes(n.rescue, rescued, facts);
      this.nodes(n.always, rescued, facts);
      return;
    }
    const t = n as Task;
    if (t.loop !== undefined) this.scan(t.loop, src, ['loop'], t.location, local, label);
    const item = loopNames.length ? local.with(loopNames) : local;
    this.conds(t.when, src, 'when', t.location, item, label);
    this.scan(t.name, src, ['name'], t.location, item, label);
    this.scan(t.loopLabel, src, ['loop_control', 'label'], t.location, item, label);
    if (typeof t.loopParallel === 'string') this.scan(t.loopParallel, src, ['loop_control', 'parallel'], t.location, local, label);
    this.scan(t.delegateTo, src, ['delegate_to'], t.location, item, label);
    this.scan(t.becomeUser, src, ['become_user'], t.location, item, label);
    if (t.module === 'include_tasks') {
      if (t.includeFile?.includes('{{')) this.scan(t.includeFile, src, ['include_tasks'], t.location, item, label);
      if (t.includedTasks) this.nodes(t.includedTasks, item, facts);
    } else {
      const mod = this.modules.get(t.module);
      const condKeys = mod?.conditionArgs ? new Set(mod.conditionArgs) : undefined;
      this.scan(t.args, src, src?.moduleKey ? [src.moduleKey] : [], t.location, item, label, src?.freeForm, condKeys);
    }
    const after = t.register ? item.with([t.register]) : item;
    this.conds(t.until, src, 'until', t.location, after, label);
    this.conds(t.failedWhen, src, 'failed_when', t.location, after, label);
    this.conds(t.changedWhen, src, 'changed_when', t.location, after, label);
    if (t.register) facts.add(t.register);
    if (t.module === 'set_fact' && t.args && typeof t.args === 'object') {
      for (const k of Object.keys(t.args as object)) if (k !== 'cacheable') facts.add(k);
    }
    // The engine sets these itself: a register/set_fact/loop variable of that name would be lost or hide it.
    const reserved = (name: string | undefined, path: ValuePath, what: string) => {
      if (!name || !MAGIC.has(name)) return;
      this.problems.push(
        new ValidationError(`${what} \`${name}\` is the name of a variable omsplay sets itself`, {
          location: src ? src.yaml.locate([...src.path, ...path]) : t.location,
          hint: `choose another name; omsplay's own variables are ${MAGIC_VARIABLES.join(', ')}`,
        }),
      );
    };
    reserved(t.register, ['register'], 'register');
    if (t.loop !== undefined && t.loopVar !== 'item') reserved(t.loopVar, ['loop_control', 'loop_var'], 'loop_var');
    if (t.module === 'set_fact' && t.args && typeof t.args === 'object') {
      for (const k of Object.keys(t.args as object)) reserved(k, [src?.moduleKey ?? 'set_fact', k], 'set_fact');
    }
  }

  private conds(list: Condition[] | undefined, src: NodeSource | undefined, key: string, fallback: SourceLocation, scope: Scope, label: string): void {
    if (!list) return;
    const single = src ? !Array.isArray(getIn(src.yaml.value, [...src.path, key])) : true;
    list.forEach((c, i) => {
      if (typeof c !== 'string') return;
      this.check(c, 'condition', src, single ? [key] : [key, i], fallback, scope, label);
    });
  }

  /**
   * Every string leaf of `v`. `conditionKeys` (module args like assert's `that`) hold conditions;
   * `freeForm` maps `{cmd: "..."}` back to the string written directly under the module key.
   */
  scan(v: unknown, src: NodeSource | undefined, path: ValuePath, fallback: SourceLocation, scope: Scope, label: string, freeForm?: string, conditionKeys?: ReadonlySet<string>, kind: TemplateKind = 'template'): void {
    if (typeof v === 'string') {
      if (kind === 'condition' || v.includes('{{')) this.check(v, kind, src, freeForm && path.length > 1 && path[1] === freeForm ? [path[0], ...path.slice(2)] : path, fallback, scope, label);
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) this.scan(v[i], src, [...path, i], fallback, scope, label, freeForm, undefined, kind);
    } else if (v && typeof v === 'object' && !(v instanceof Secret)) {
      for (const [k, x] of Object.entries(v)) {
        const k2: TemplateKind = conditionKeys?.has(k) ? 'condition' : kind;
        this.scan(x, src, [...path, k], fallback, scope, label, freeForm, undefined, k2);
      }
    }
  }

  private check(text: string, kind: TemplateKind, src: NodeSource | undefined, path: ValuePath, fallback: SourceLocation, scope: Scope, label: string): void {
    const at = src ? src.yaml.locate([...src.path, ...path]) : fallback;
    const syntax = templateSyntaxErrors(text, { location: at, task: label.replace(/^task /, '').replace(/`/g, '') }, kind);
    if (syntax.length > 0) {
      this.problems.push(...syntax);
      return;
    }
    const names = referencedVariables(text, kind);
    for (const name of names) {
      if (scope.has(name)) continue;
            this.problems.push(
        new ValidationError(`undefined variable \`${name}\` in ${label}${didYouMeanSuffix(name, scope.all())}`, {
          location: at,
          hint: `define it in the inventory, the play's vars or vars_files, pass -e ${name}=..., set it with register/set_fact in an earlier task, or use (default ${name} "value")`,
        }),
      );
    }
  }
}

function getIn(v: unknown, path: ValuePath): unknown {
  let cur = v;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}
