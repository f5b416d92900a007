/**
 * One task across the hosts of a batch: conditions, loops, retries, delegation, run_once,
 * register/record, failed_when/changed_when, and the per-host outcome.
 */
import { setMaxListeners } from 'node:events';
import type { Connection, ConnectionSettings, ExecOptions } from '../connection/types.js';
import { CommandFailedError, OmsplayError, TaskFailedError, UnreachableError, formatLocation } from '../errors.js';
import type { Inventory, Vars } from '../inventory/types.js';
import { getModule } from '../modules/index.js';
import type { ModuleContext, ModuleResult } from '../modules/types.js';
import type { Block, Condition, Task } from '../playbook/types.js';
import { type Masker, Secret, looksSecret } from '../secrets.js';
import { evaluateConditions, renderValue } from '../template/index.js';
import type { HostStatus, RunEvent } from './events.js';
import type { HostState } from './host-state.js';
import type { Journal } from './journal.js';
import { mapLimit } from './limit.js';
import type { RunOptions } from './options.js';
import { sleep } from '../sleep.js';
import { refuseUndefinedArgs } from './undefined-args.js';
import { RunVariables, type VarScope } from '../vars/run-variables.js';
import { isPlanModule } from '../plan/define.js';
import { execPlanned } from '../plan/execute.js';
import { FactCaches } from '../plan/facts.js';

export interface TaskScope extends VarScope {
  blockStack?: Block[];
}

interface HostOutcome {
  status: HostStatus;
  result: ModuleResult;
}

const NO_LOG_RESULT = 'the output has been hidden due to no_log: true';
const NO_LOG_LABEL = '(hidden: no_log)';

export class TaskExecutor {
  /** The last result of each host (for `failure.results` and rescue's `failed_result`). */
  readonly lastResults = new Map<string, unknown>();
  private readonly lastFailedTask = new Map<string, string>();
  /** Hosts unreachable so far (magic variable `unreachable_hosts`, for manual-steps reports). */
  private readonly unreachableHosts: string[] = [];
  private promptQueue: Promise<unknown> = Promise.resolve();
  /** Every variable a task sees, composed in one order (lib/vars/). */
  readonly vars: RunVariables;
  /** Facts read by modules, per host for the run (lib/plan/facts.ts). */
  private readonly facts = new FactCaches();

  constructor(
    private readonly inventory: Inventory,
    private readonly options: RunOptions,
    private readonly hosts: Map<string, HostState>,
    private readonly emit: (e: RunEvent) => void,
    private readonly journal: Journal | null,
  ) {
    // Every task on every host listens to the run's signal while it runs (removed after): with more than 10 hosts
    // Node would print a MaxListenersExceededWarning on stderr, which is no leak.
    setMaxListeners(0, options.signal);
    this.vars = new RunVariables(inventory, options, { hosts, lastResults: this.lastResults, lastFailedTask: this.lastFailedTask, unreachableHosts: this.unreachableHosts, runId: journal?.meta.run_id });
  }

  /**
   * A task's, block's or include's failure on a host found outside a module run (its `when` or vars, an include's
   * loop or file name): reported and settled as a result.
   */
  failTask(node: Task | Block, host: string, scope: TaskScope, msg: string): void {
    const result: ModuleResult = { changed: false, failed: true, msg };
    const task = node.kind === 'task' ? node : blockAsTask(node);
    this.settle(task, host, { status: 'failed', result });
    this.emit({ type: 'task_result', play: scope.play.name, task: nodeName(node), host, status: 'failed', duration_ms: 0, result, ignored: task.ignoreErrors || undefined, module: task.module, time: new Date().toISOString() });
  }

  /** Hosts on which a block or include failed before any of its tasks ran: shown as a task of its own (reporters list tasks by their start). */
  failNode(node: Task | Block, scope: TaskScope, failed: ReadonlyMap<string, string>): void {
    if (failed.size === 0) return;
    const name = nodeName(node);
    this.emit({ type: 'task_start', play: scope.play.name, task: name, hosts: [...failed.keys()], location: formatLocation(node.location), time: new Date().toISOString() });
    for (const [h, msg] of failed) this.failTask(node, h, scope, msg);
    this.emit({ type: 'task_end', play: scope.play.name, task: name, duration_ms: 0 });
  }

  /**
   * Hosts that enter a block or include (`scope` holds its vars): its `when` holds (the others are counted skipped)
   * and its vars render. `when` decides first, reading only the vars it names, so a false `when` never renders the
   * others; a template error in either fails the host with a task_result naming the node's file:line:col.
   */
  async filterWhen(node: Block | Task, hosts: string[], scope: TaskScope): Promise<string[]> {
    const ownVars = Object.keys(node.vars).length > 0;
    if (!node.when && !ownVars) return hosts;
    const out: string[] = [];
    const failed = new Map<string, string>();
    for (const h of hosts) {
      try {
        if (node.when && !evaluateConditions(node.when, this.vars.conditionVars(h, scope, node), { location: node.location, task: node.name, masker: this.options.masker })) {
          this.hosts.get(h)!.counts.skipped++;
          continue;
        }
        if (ownVars) this.vars.enteringVars(h, scope, node);
        out.push(h);
      } catch (e) {
        failed.set(h, errorMessage(e));
      }
    }
    this.failNode(node, scope, failed);
    return out;
  }

  async runTask(task: Task, hosts: string[], scope: TaskScope, handler = false): Promise<{ newlyFailed: string[] }> {
    const name = task.name ?? task.module;
    const started = performance.now();
    const runners = this.runOnceHosts(task, hosts);
    this.emit({ type: 'task_start', play: scope.play.name, task: name, hosts: runners, location: formatLocation(task.location), time: new Date().toISOString(), handler: handler || undefined });
    const outcomes = await mapLimit(runners, Math.min(this.options.forks, task.throttle ?? Number.POSITIVE_INFINITY), (h) => this.runOnHost(task, h, scope));
    if (task.runOnce) this.shareRunOnce(task, hosts, runners);
    this.emit({ type: 'task_end', play: scope.play.name, task: name, duration_ms: Math.round(performance.now() - started) });
    const newlyFailed = runners.filter((_, i) => outcomes[i]!.status === 'unreachable' || (outcomes[i]!.status === 'failed' && !this.hosts.get(runners[i]!)!.active));
    return { newlyFailed };
  }

  private runOnceHosts(task: Task, hosts: string[]): string[] {
    if (!task.runOnce) return hosts;
    if (task.runOnce === true) return hosts.slice(0, 1);
    const seen = new Set<string>();
    return hosts.filter((h) => {
      const region = this.inventory.hosts.get(h)?.region ?? '';
      if (seen.has(region)) return false;
      seen.add(region);
      return true;
    });
  }

  /** run_once: the result registered on the host that ran is given to the others (of its region). */
  private shareRunOnce(task: Task, hosts: string[], runners: string[]): void {
    for (const h of hosts) {
      if (runners.includes(h)) continue;
      const region = this.inventory.hosts.get(h)?.region;
      const from = task.runOnce === 'region' ? runners.find((r) => this.inventory.hosts.get(r)?.region === region) : runners[0];
      if (!from) continue;
      const src = this.hosts.get(from)!.facts;
      const dst = this.hosts.get(h)!.facts;
      if (task.register && task.register in src) dst[task.register] = src[task.register];
      const facts = (this.lastResults.get(from) as ModuleResult | undefined)?.facts;
      if (facts) Object.assign(dst, facts);
    }
  }

  private async runOnHost(task: Task, host: string, scope: TaskScope): Promise<HostOutcome> {
    const st = this.hosts.get(host)!;
    const started = performance.now();
    let outcome: HostOutcome;
    let delegatedTo: string | undefined;
    try {
      const vars = this.vars.varsFor(host, scope, task);
      delegatedTo = task.delegateTo ? String(renderValue(task.delegateTo, vars, this.where(task))) : undefined;
      outcome = task.loop !== undefined ? await this.runLoop(task, host, vars, scope, delegatedTo) : await this.runOnce(task, host, vars, scope, delegatedTo);
    } catch (e) {
      if (e instanceof UnreachableError) {
        st.unreachable = true;
        st.unreachableReason = e.message;
        // The hint says how to fix it (a host key to check, a bastion to reach): shown with the reason, as for failed tasks.
        outcome = { status: 'unreachable', result: { changed: false, unreachable: true, msg: e.hint ? `${e.message} (hint: ${e.hint})` : e.message } };
      } else {
        outcome = { status: 'failed', result: { changed: false, failed: true, msg: errorMessage(e) } };
      }
    }
    // A command ended by Ctrl-C failed because of it: say so rather than show a bare kill signal.
    if (outcome.status === 'failed' && this.options.signal.aborted) {
      const why = typeof outcome.result.msg === 'string' && outcome.result.msg ? `: ${outcome.result.msg}` : '';
      outcome = { status: 'failed', result: { ...outcome.result, interrupted: true, msg: `interrupted (Ctrl-C)${why}` } };
    }
    this.settle(task, host, outcome);
    const shown = task.noLog ? censor(outcome.result) : outcome.result;
    this.emit({
      type: 'task_result',
      play: scope.play.name,
      task: task.name ?? task.module,
      host,
      status: outcome.status,
      duration_ms: Math.round(performance.now() - started),
      result: shown,
      ignored: outcome.status === 'failed' && task.ignoreErrors ? true : undefined,
      delegated_to: delegatedTo,
      module: task.module,
      time: new Date().toISOString(),
    });
    return outcome;
  }

  /** Applies an outcome to the host: counts, failure, register, facts, record, notify. */
  private settle(task: Task, host: string, outcome: HostOutcome): void {
    const st = this.hosts.get(host)!;
    const { status, result } = outcome;
    this.lastResults.set(host, task.noLog ? censor(result) : result);
    switch (status) {
      case 'unreachable':
        st.counts.unreachable++;
        if (!this.unreachableHosts.includes(host)) this.unreachableHosts.push(host);
        return;
      case 'failed':
        // As Ansible's recap: an ignored failure is counted as ignored, not failed.
        if (task.ignoreErrors) st.counts.ignored++;
        else {
          st.counts.failed++;
          st.failed = true;
          this.lastFailedTask.set(host, task.name ?? task.module);
        }
        break;
      case 'skipped':
        st.counts.skipped++;
        break;
      case 'changed':
        st.counts.changed++;
        st.counts.ok++;
        break;
      default:
        st.counts.ok++;
    }
    if (task.register) {
      st.facts[task.register] = result;
      // A result registered under a secret-looking name is a secret variable: what it holds is masked from now on.
      if (looksSecret(task.register)) for (const text of resultOutput(result)) this.options.masker.add(text);
    }
    if (result.facts && status !== 'failed') {
      Object.assign(st.facts, result.facts);
      this.options.masker.addFromVars(result.facts);
    }
    if (task.record && status !== 'failed' && status !== 'skipped') this.record(task, host, result);
    if (status === 'changed') for (const n of task.notify) st.notified.add(n);
  }

  private record(task: Task, host: string, result: ModuleResult): void {
    const entries: Array<[string, unknown]> = [];
    if (task.register) entries.push([task.register, stripFacts(result)]);
    if (result.facts) entries.push(...Object.entries(result.facts));
    for (const [name, value] of entries) {
      const e = this.options.masker.maskValue({ type: 'record' as const, host, name, value });
      this.journal?.add(e);
    }
  }

  private async runLoop(task: Task, host: string, vars: Vars, scope: TaskScope, delegatedTo?: string): Promise<HostOutcome> {
    const items = renderValue(task.loop, Object.keys(task.vars).length ? this.vars.loopExpressionVars(host, scope, task) : vars, this.where(task));
    if (!Array.isArray(items)) throw new TaskFailedError(`loop must be a list, got ${typeof items}`, {}, { hint: 'loop: "{{ my_list }}" or a YAML list' });
    const results: ModuleResult[] = [];
    const labels: string[] = [];
    let unreachable: HostOutcome | undefined;
    const runItem = async (index: number, item: unknown): Promise<void> => {
      if (looksSecret(task.loopVar)) this.options.masker.addFromVars(item, true);
      const itemVars = Object.keys(task.vars).length ? this.vars.varsFor(host, scope, task, { [task.loopVar]: item, loop_index: index }) : { ...vars, [task.loopVar]: item, loop_index: index };
      const label = this.itemLabel(task, item, itemVars);
      labels[index] = label;
      let r: HostOutcome;
      if (task.when && !evaluateConditions(task.when, itemVars, this.where(task))) {
        r = { status: 'skipped', result: { changed: false, skipped: true } };
      } else {
        r = await this.runOnce(task, host, itemVars, scope, delegatedTo, true);
      }
      results[index] = { ...r.result, [task.loopVar]: item, status: r.status };
      this.emit({
        type: 'item_result',
        play: scope.play.name,
        task: task.name ?? task.module,
        host,
        status: r.status,
        label: task.noLog ? NO_LOG_LABEL : label,
        result: task.noLog ? censor(r.result) : r.result,
        ignored: r.status === 'failed' && task.ignoreErrors ? true : undefined,
        delegated_to: delegatedTo,
      });
      if (r.status === 'unreachable') unreachable ??= r;
    };
    const parallel = this.loopParallel(task, vars);
    if (parallel > 1) {
      // loop_control.parallel: up to N items at once (each its own command on the host's connection, whose
      // channel limit still holds); every started item finishes before the task's outcome is settled.
      let next = 0;
      const worker = async () => {
        while (next < items.length && !unreachable) {
          const i = next++;
          await runItem(i, items[i]);
        }
      };
      await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
    } else {
      for (const [index, item] of items.entries()) {
        await runItem(index, item);
        if (unreachable) break;
      }
    }
    if (unreachable) throw new UnreachableError(host, String(unreachable.result.msg ?? 'unreachable'));
    const failed = results.some((r) => r.failed);
    const changed = results.some((r) => r.changed);
    const skipped = results.length === 0 || results.every((r) => r.skipped);
    const result: ModuleResult = { changed, failed, skipped, results, msg: failed ? loopFailureMessage(results, labels, task.noLog) : undefined };
    return { status: failed ? 'failed' : skipped ? 'skipped' : changed ? 'changed' : 'ok', result };
  }

  /** loop_control.parallel as a number: a template (a site setting such as oms_metadb_parallel) is rendered with the host's variables. */
  private loopParallel(task: Task, vars: Vars): number {
    if (task.loopParallel === undefined) return 1;
    const value = typeof task.loopParallel === 'number' ? task.loopParallel : renderValue(task.loopParallel, vars, this.where(task));
    const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      throw new TaskFailedError(`loop_control.parallel must be a whole number of at least 1, got ${JSON.stringify(value)}`, {}, { hint: `"${task.loopParallel}" gave ${JSON.stringify(value)}: set the variable it reads to 1 or more` });
    }
    return n;
  }

  /** What a person reads for an item: loop_control.label rendered with the item, else the item itself, shortened. */
  private itemLabel(task: Task, item: unknown, itemVars: Vars): string {
    const shown = task.loopLabel !== undefined ? renderValue(task.loopLabel, itemVars, this.where(task)) : item;
    const text = typeof shown === 'string' || typeof shown === 'number' || typeof shown === 'boolean' ? String(shown) : (JSON.stringify(shown) ?? String(shown));
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  }

  private where(task: Task) {
    return { location: task.location, task: task.name ?? task.module, masker: this.options.masker };
  }

  private conditionVars(vars: Vars, task: Task, result: ModuleResult): Vars {
    return task.register ? { ...vars, [task.register]: result, result } : { ...vars, result };
  }

  private holds(conds: Condition[] | undefined, vars: Vars, task: Task): boolean {
    return evaluateConditions(conds, vars, this.where(task));
  }

  private async runOnce(task: Task, host: string, vars: Vars, scope: TaskScope, delegatedTo?: string, inLoop = false): Promise<HostOutcome> {
    if (!inLoop && task.when && !this.holds(task.when, vars, task)) {
      return { status: 'skipped', result: { changed: false, skipped: true, skip_reason: 'condition false' } };
    }
    const attempts = task.until ? (task.retries ?? 3) + 1 : 1;
    let result: ModuleResult = { changed: false };
    for (let attempt = 1; attempt <= attempts; attempt++) {
      result = await this.invoke(task, host, vars, scope, delegatedTo);
      if (!task.until) break;
      result.attempts = attempt;
      if (!result.failed && this.holds(task.until, this.conditionVars(vars, task, result), task)) break;
      if (attempt === attempts) {
        result = { ...result, failed: true, msg: `gave up after ${attempts} attempts: until condition never held${result.msg ? ` (last: ${result.msg})` : ''}` };
        break;
      }
      await sleep((task.delay ?? 5) * 1000, this.options.signal);
    }
    if (task.failedWhen) result = { ...result, failed: this.holds(task.failedWhen, this.conditionVars(vars, task, result), task) };
    if (task.changedWhen) result = { ...result, changed: this.holds(task.changedWhen, this.conditionVars(vars, task, result), task) };
    const status: HostStatus = result.failed ? 'failed' : result.skipped ? 'skipped' : result.changed ? 'changed' : 'ok';
    return { status, result };
  }

  private async invoke(task: Task, host: string, vars: Vars, scope: TaskScope, delegatedTo?: string): Promise<ModuleResult> {
    const module = getModule(task.module);
    if (!module) throw new TaskFailedError(`unknown module ${task.module}`);
    // A `!secret` literal in the arguments reaches the module as its plain value, registered for masking.
    const rendered = renderValue(task.args, vars, this.where(task));
    if (!module.keepsUndefined) refuseUndefinedArgs(task.args, rendered);
    const args = revealSecrets(rendered, this.options.masker);
    const check = task.checkMode ?? this.options.check;
    if (check && module.checkMode === 'none' && !module.runsInCheckMode) {
      return { changed: false, skipped: true, msg: `check mode: would run ${task.module}`, would_run: args };
    }
    const conn = await this.connection(delegatedTo ?? host);
    const inv = this.inventory.hosts.get(host)?.connection;
    const wantBecome = task.become ?? lastDefined(scope.blockStack?.map((b) => b.become)) ?? scope.play.become ?? inv?.become ?? false;
    const becomeUser = task.becomeUser ?? scope.play.becomeUser ?? inv?.becomeUser;
    const becomePassword = inv?.becomePasswordEnv ? process.env[inv.becomePasswordEnv] : undefined;
    if (becomePassword) this.options.masker.add(becomePassword);
    const become: ExecOptions['become'] = wantBecome ? becomeFor(inv, becomeUser, becomePassword) : false;
    const timeoutMs = task.timeout ? task.timeout * 1000 : undefined;
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    this.options.signal.addEventListener('abort', onAbort, { once: true });
    const ctx: ModuleContext = {
      host,
      conn,
      connectionFor: (h) => this.connection(h),
      vars,
      check,
      diff: this.options.diff,
      become,
      timeoutMs,
      noLog: task.noLog ?? false,
      masker: this.options.masker,
      signal: controller.signal,
      playbookDir: task.location.file ? dirnameOf(task.location.file) : process.cwd(),
      runDir: this.journal?.dir ?? process.cwd(),
      confirm: (q) => this.confirm(q),
      progress: (p) => this.emit({ type: 'progress', host, task: task.name ?? task.module, ...p }),
      exec: (command, opts) => conn.exec(command, { become, timeoutMs, signal: controller.signal, ...opts }),
    };
    const facts = this.facts.forHost(conn.host);
    ctx.facts = facts.reader(host, (c) => execPlanned(ctx, c));
    let timer: NodeJS.Timeout | undefined;
    try {
      const run = module.run(args, ctx);
      if (!timeoutMs) return await run;
      const timeout = new Promise<ModuleResult>((resolve) => {
        timer = setTimeout(() => {
          controller.abort();
          resolve({ changed: false, failed: true, msg: `task timed out after ${task.timeout} s` });
        }, timeoutMs);
      });
      return await Promise.race([run, timeout]);
    } catch (e) {
      if (e instanceof UnreachableError) throw e;
      if (e instanceof TaskFailedError) return { changed: false, ...e.result, failed: true, msg: e.hint ? `${e.message} (hint: ${e.hint})` : e.message };
      if (e instanceof CommandFailedError) return { changed: false, failed: true, msg: errorMessage(e), ...commandDetails(e) };
      return { changed: false, failed: true, msg: errorMessage(e) };
    } finally {
      clearTimeout(timer);
      this.options.signal.removeEventListener('abort', onAbort);
      // A planning module forgets what its commands change; any other module may have changed anything.
      facts.endTask();
      if (!isPlanModule(module) && module.checkMode !== 'read_only' && !check) facts.invalidate();
    }
  }

  private connection(host: string): Promise<Connection> {
    return this.options.connections.get(host);
  }

  /** Prompts are asked one at a time, even when several hosts ask at once. */
  private confirm(question: string): Promise<boolean> {
    if (this.options.yes) return Promise.resolve(true);
    if (!this.options.interactive || !this.options.prompt) {
      return Promise.reject(new TaskFailedError(`confirmation needed: ${question}`, {}, { hint: 'this run is not interactive: add --yes to answer yes' }));
    }
    const ask = this.options.prompt;
    const next = this.promptQueue.then(() => ask(`${this.options.masker.mask(question)} [y/N] `)).then((a) => /^y(es)?$/i.test(a.trim()));
    this.promptQueue = next.catch(() => undefined);
    return next;
  }
}

/** Which items failed and why (each item's label and own message), so the reason is in the line a person reads. */
function loopFailureMessage(results: ModuleResult[], labels: string[], noLog = false): string {
  const reasons: string[] = [];
  for (const [i, r] of results.entries()) {
    if (!r.failed) continue;
    reasons.push(noLog ? NO_LOG_LABEL : `${labels[i]}: ${typeof r.msg === 'string' && r.msg ? r.msg : 'failed'}`);
  }
  return `${reasons.length} of ${results.length} items failed — ${reasons.join('; ')}`;
}

function revealSecrets(v: unknown, masker: Masker): unknown {
  if (v instanceof Secret) {
    masker.add(v.value);
    return v.value;
  }
  if (Array.isArray(v)) return v.map((x) => revealSecrets(x, masker));
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revealSecrets(x, masker)]));
  }
  return v;
}

function lastDefined<T>(values: Array<T | undefined> | undefined): T | undefined {
  if (!values) return undefined;
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== undefined) return values[i];
  return undefined;
}

function dirnameOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i > 0 ? file.slice(0, i) : '.';
}

function censor(result: ModuleResult): ModuleResult {
  return { changed: result.changed, failed: result.failed, skipped: result.skipped, censored: NO_LOG_RESULT };
}

/** The text a registered result holds, without the bookkeeping every result has (the command, timings, codes). */
function resultOutput(result: ModuleResult): string[] {
  const { cmd: _cmd, start: _st, end: _e, delta: _d, status: _x, ...rest } = result;
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (v instanceof Secret) out.push(v.value);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(rest);
  return out;
}

function stripFacts(result: ModuleResult): ModuleResult {
  const { facts: _facts, ...rest } = result;
  return rest as ModuleResult;
}

/** The command a module ran and failed with, its exit code and (when the message does not quote it) its stderr. */
function commandDetails(e: CommandFailedError): Record<string, unknown> {
  const { command, exitCode, stderr } = e.details;
  const out: Record<string, unknown> = { cmd: command };
  if (exitCode !== null) out.rc = exitCode;
  if (stderr?.trim() && !e.message.includes(stderr.trim())) out.stderr = stderr;
  return out;
}

/** How a task, block or include is named in events: its name, else what it is. */
export function nodeName(node: Task | Block): string {
  if (node.name) return node.name;
  if (node.kind === 'block') return 'block';
  return node.module === 'include_tasks' ? `include_tasks ${node.includeFile}` : node.module;
}

/** A block as settle() counts a failure of its own (its `when` or vars): no module, nothing registered or notified. */
function blockAsTask(block: Block): Task {
  return { ...block, kind: 'task', module: 'block', args: {}, loopVar: 'item', notify: [] };
}

function errorMessage(e: unknown): string {
  if (e instanceof OmsplayError) return e.format();
  if (e instanceof Error) return e.message;
  return String(e);
}

/** The become options of a task on a host: user, password, and the inventory's become_method / become_commands. */
function becomeFor(inv: ConnectionSettings | undefined, user: string | undefined, password: string | undefined): ExecOptions['become'] {
  const method = inv?.becomeMethod;
  if (!user && !password && !method) return true;
  return {
    ...(user ? { user } : {}),
    ...(password ? { password } : {}),
    ...(method ? { method } : {}),
    ...(inv?.becomeCommands ? { commands: inv.becomeCommands } : {}),
  };
}
