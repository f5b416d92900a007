/**
 * A run's variables: what a host sees in a task, `hostvars`, and the play vars prepared at play start, all
 * composed in the one order of precedence.ts from the layers below. The engine (lib/engine/task-executor.ts)
 * asks; it does not merge variables itself.
 */
import { hostOrLocalhost } from '../inventory/localhost.js';
import type { Inventory } from '../inventory/types.js';
import { type VarsFile, readVarsFiles } from '../playbook/vars-files.js';
import type { Play, Task, TaskCommon } from '../playbook/types.js';
import type { Masker } from '../secrets.js';
import { renderValue, templateReferences } from '../template/index.js';
import { makeHostvars } from './hostvars.js';
import { type Rendered, withRenderedInventory } from './inventory-templates.js';
import type { RunMagic } from './magic.js';
import { type Layers, type Vars, compose, flatten, setAbove } from './precedence.js';

/** Where in the playbook a task runs, as far as its variables go. */
export interface VarScope {
  play: Play;
  /** Play vars (and vars_files) rendered per host at play start. */
  playVars: Record<string, Vars>;
  hostsInBatch: string[];
  /** Variables given to on_failure plays (`failure`). */
  extraPlayVars: Vars;
  /** `vars` of the enclosing blocks (and include_tasks), outer first. */
  blockVars: Vars[];
  /** Per host: the loop variable (and loop_index) of an include_tasks loop the tasks run under. */
  loopVars?: Record<string, Vars>;
  /** In rescue: each host's failed result (`failed_result`). */
  failedTaskResult?: Map<string, unknown>;
}

/** What the engine knows that variables show; read when variables are composed (it changes as tasks run). */
export interface RunState {
  hosts: ReadonlyMap<string, { readonly name: string; readonly facts: Vars; readonly failed: boolean }>;
  /** Each host's last result (its `msg` is the reason in `hosts_failed_reasons`). */
  lastResults: ReadonlyMap<string, unknown>;
  lastFailedTask: ReadonlyMap<string, string>;
  unreachableHosts: readonly string[];
  runId?: string;
}

export interface VarOptions {
  extraVars: Vars;
  masker: Masker;
  check: boolean;
  fromRun?: { run_id: string; started_at: string; vars: Vars; hosts: Record<string, Vars> };
}

export class RunVariables {
  /** Every inventory host's variables at every level but block and task vars (a task's, not a host's). */
  readonly hostvars: Record<string, Vars>;
  /** Group and region name -> hosts, and `all`. */
  readonly groups: Record<string, string[]>;
  private currentPlayVars: Record<string, Vars> = {};
  /** The variables each block's or include's `when` reads (found once per node). */
  private readonly whenReads = new WeakMap<TaskCommon, ReadonlySet<string>>();

  constructor(
    private readonly inventory: Inventory,
    private readonly options: VarOptions,
    private readonly state: RunState,
  ) {
    this.groups = { all: [...inventory.hosts.keys()] };
    for (const r of inventory.regions.values()) this.groups[r.name] = r.hosts;
    for (const g of inventory.groups.values()) this.groups[g.name] = g.hosts;
    // hostvars[h]: h's inventory, play vars, facts and -e, in the order of its own variables.
    this.hostvars = makeHostvars(inventory.hosts.keys(), (name) => {
      const layers = { host: this.inventory.hosts.get(name)!.vars, play: this.currentPlayVars[name], facts: this.state.hosts.get(name)?.facts, extra: this.options.extraVars };
      return this.hostLevel(name, layers).vars;
    });
  }

  /** A play var of the current play (of any host), for hints after the run (`resume_command`). */
  playVarOf(name: string): unknown {
    for (const vars of Object.values(this.currentPlayVars)) if (name in vars) return vars[name];
    return undefined;
  }

  /** Renders the play's vars and vars_files per host of the batch into `scope.playVars`. */
  async preparePlayVars(play: Play, batch: string[], scope: VarScope): Promise<void> {
    // vars_files names may be templates: rendered per host (the same file is read once).
    const files = new Map<string, Promise<VarsFile>>();
    const where = { location: play.location, task: `play "${play.name}" vars`, masker: this.options.masker };
    for (const host of batch) {
      const { layers, vars } = this.hostLevel(host, this.layers(host, scope));
      const fileVars = await readVarsFiles(play, compose({ ...layers, play: play.vars }), files, this.options.masker);
      const rendered: Vars = {};
      // Play vars may refer to inventory vars and to earlier play vars (below facts and -e, as always).
      for (const [k, v] of Object.entries(flatten([play.vars, fileVars]))) {
        rendered[k] = renderValue(v, vars, where);
        if (!setAbove(layers, 'play', k)) vars[k] = rendered[k];
      }
      // Secret by name or by `!secret`, wherever the value came from (vars_files, a template).
      this.options.masker.addFromVars(rendered);
      scope.playVars[host] = rendered;
    }
    this.currentPlayVars = scope.playVars;
  }

  /**
   * A host's variables for a task. `item`: the task's own loop variable(s) for one item; a looped task's vars
   * are rendered only then (they may read the item), not for the loop expression itself.
   */
  varsFor(host: string, scope: VarScope, task?: Task, item?: Vars): Vars {
    return this.taskLevel(host, scope, task, item).vars;
  }

  /**
   * Variables for the `when` of a block or include (`scope` holds its vars and those of the blocks around it):
   * of those vars, only the ones the condition reads are rendered, so a false `when` never renders the others
   * (a fact that a skipped task did not set). `enteringVars` renders them all once the `when` holds.
   */
  conditionVars(host: string, scope: VarScope, node: TaskCommon): Vars {
    let reads = this.whenReads.get(node);
    if (!reads) {
      reads = new Set(templateReferences(node.when, 'condition').map((r) => r.root));
      this.whenReads.set(node, reads);
    }
    return this.taskLevel(host, scope, undefined, undefined, { only: reads, at: node }).vars;
  }

  /** A host's variables as it enters a block or include: a template error in their vars is the node's (its file:line:col). */
  enteringVars(host: string, scope: VarScope, node: TaskCommon): Vars {
    return this.taskLevel(host, scope, undefined, undefined, { at: node }).vars;
  }

  /**
   * Variables for a task's `loop` expression: with the task's own vars, except those that read the loop
   * variable (not known before the loop is); facts and -e stay above them.
   */
  loopExpressionVars(host: string, scope: VarScope, task: Task): Vars {
    const { layers, vars } = this.taskLevel(host, scope);
    const where = { location: task.location, task: task.name, masker: this.options.masker };
    for (const [k, v] of Object.entries(task.vars)) {
      if (setAbove(layers, 'task', k)) continue;
      try {
        vars[k] = renderValue(v, vars, where);
      } catch {
        // reads the item: known per item only
      }
    }
    return vars;
  }

  /** `node.only`: render only these block vars; `node.at`: the block or include whose vars a template error is in. */
  private taskLevel(host: string, scope: VarScope, task?: Task, item?: Vars, node?: { only?: ReadonlySet<string>; at: TaskCommon }): Rendered {
    const { layers: hostLayers, vars: hostVars } = this.hostLevel(host, this.layers(host, scope));
    const loopVars = scope.loopVars?.[host];
    const allBlockVars = flatten(scope.blockVars);
    const only = node?.only;
    const blockVars = only ? Object.fromEntries(Object.entries(allBlockVars).filter(([k]) => only.has(k))) : allBlockVars;
    const withTaskVars = task && Object.keys(task.vars).length > 0 && (task.loop === undefined || item);
    if (!loopVars && !item && Object.keys(blockVars).length === 0 && !withTaskVars) return { layers: hostLayers, vars: hostVars };
    const at = node?.at ?? task;
    const where = { location: at?.location ?? scope.play.location, task: at?.name, masker: this.options.masker };
    const layers: Layers = { ...hostLayers, task: [loopVars], loop: item };
    // The task and loop slots are put over the host's variables in order, each name only where no higher slot
    // (facts, -e, the item) sets it: the same result as compose(layers), without composing again at each step.
    const vars = hostVars;
    const put = (map: Vars | undefined, slot: 'task' | 'loop') => {
      if (map) for (const [k, v] of Object.entries(map)) if (!setAbove(layers, slot, k)) vars[k] = v;
    };
    put(loopVars, 'task');
    put(item, 'loop');
    // Block vars are rendered with the host's variables (and the loop's), task vars with the block's too.
    const block = Object.keys(blockVars).length ? (renderValue(blockVars, vars, where) as Vars) : undefined;
    put(block, 'task');
    const taskVars = withTaskVars ? (renderValue(task.vars, vars, where) as Vars) : undefined;
    put(taskVars, 'task');
    this.options.masker.addFromVars(block);
    this.options.masker.addFromVars(taskVars);
    return { layers: { ...layers, task: [loopVars, block, taskVars] }, vars };
  }

  /** Every slot but the task's and the loop's, as the engine knows them now. */
  private layers(host: string, scope: VarScope): Layers & { host: Vars } {
    return {
      host: hostOrLocalhost(this.inventory, host)?.vars ?? { inventory_hostname: host },
      play: scope.playVars[host],
      run: [scope.extraPlayVars, this.runMagic(host, scope)],
      facts: this.state.hosts.get(host)?.facts,
      extra: this.options.extraVars,
    };
  }

  /** A host's variables from `layers`, its inventory templates rendered. */
  private hostLevel(host: string, layers: Layers & { host: Vars }): Rendered {
    return withRenderedInventory(layers, { inventoryFile: this.inventory.file, host, masker: this.options.masker });
  }

  private runMagic(host: string, scope: VarScope): RunMagic {
    const fromRun = this.options.fromRun;
    return {
      hostvars: this.hostvars,
      groups: this.groups,
      play_hosts: scope.hostsInBatch,
      check_mode: this.options.check,
      from_run: fromRun ? { ...fromRun.vars, hosts: fromRun.hosts, run_id: fromRun.run_id, started_at: fromRun.started_at } : undefined,
      run_id: this.state.runId,
      inventory_file: this.inventory.file,
      unreachable_hosts: this.state.unreachableHosts,
      hosts_failed: this.failedHosts(),
      hosts_failed_reasons: this.failedReasons(),
      failed_task: this.state.lastFailedTask.get(host),
      failed_result: scope.failedTaskResult?.get(host),
    };
  }

  /** Hosts failed now (not rescued, not ignored): in on_failure plays, those a rescue step failed on. */
  private failedHosts(): string[] {
    return [...this.state.hosts.values()].filter((s) => s.failed).map((s) => s.name);
  }

  /** host -> `task "NAME": message` of its last failure, for the failed hosts. */
  private failedReasons(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const s of this.state.hosts.values()) {
      if (!s.failed) continue;
      const msg = (this.state.lastResults.get(s.name) as { msg?: unknown } | undefined)?.msg;
      out[s.name] = `task "${this.state.lastFailedTask.get(s.name) ?? '?'}": ${typeof msg === 'string' ? msg : 'failed'}`;
    }
    return out;
  }
}
