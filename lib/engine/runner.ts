/**
 * The linear strategy: plays run in order; within a play (and a serial batch) every task runs on
 * all active hosts in parallel (bounded by forks) and every host finishes a task before the next
 * begins. Blocks rescue per host; `on_failure` plays handle a failed play across the whole site.
 */
import { ExitCode, InterruptedError, formatLocation, isOmsplayError } from '../errors.js';
import { applyLimit } from '../inventory/patterns.js';
import { renderValue } from '../template/index.js';
import type { Inventory, Vars } from '../inventory/types.js';
import type { Block, Play, Playbook, Task, TaskNode } from '../playbook/types.js';
import type { RunEvent } from './events.js';
import { HostState } from './host-state.js';
import type { Journal } from './journal.js';
import type { RunOptions } from './options.js';
import { batches } from './serial.js';
import { anyTaskSelected, tagSelected } from './tags.js';
import { LockError, type RunLocks, manualBreak } from './lock.js';
import { TaskExecutor, type TaskScope, nodeName } from './task-executor.js';
import { registerPlaybookSecrets } from './playbook-secrets.js';

/** Raised inside a play when any_errors_fatal or max_fail_percentage ends it. */
class PlayAborted extends Error {
  constructor(
    readonly reason: string,
    readonly task: string,
  ) {
    super(reason);
  }
}

export interface RunSummary {
  exitCode: number;
  hosts: Map<string, HostState>;
  stoppedAt?: string;
}

export class PlaybookRunner {
  readonly hosts = new Map<string, HostState>();
  private readonly executor: TaskExecutor;
  private started = false;
  private lastTask?: string;
  private rescuableDepth = 0;

  constructor(
    private readonly playbook: Playbook,
    private readonly inventory: Inventory,
    private readonly options: RunOptions,
    private readonly journal: Journal | null,
    private readonly locks?: RunLocks,
  ) {
    for (const name of inventory.hosts.keys()) this.hosts.set(name, new HostState(name));
    this.executor = new TaskExecutor(inventory, options, this.hosts, (e) => this.emit(e), journal);
    registerPlaybookSecrets(playbook, options.masker);
    this.started = !options.startAtTask;
  }

  emit(e: RunEvent): void {
    const masked = this.options.masker.maskValue(e);
    this.journal?.add(masked);
    for (const r of this.options.reporters) r.event(masked);
  }

  async run(): Promise<RunSummary> {
    let fatal = false;
    let stoppedAt: string | undefined;
    try {
      for (const play of this.playbook.plays) {
        const ok = await this.runPlay(play, {});
        if (!ok) {
          fatal = true;
          break;
        }
      }
      if (!this.started) this.emit({ type: 'warning', message: `--start-at-task "${this.options.startAtTask}" matched no task; nothing ran` });
    } catch (e) {
      if (!(e instanceof InterruptedError)) throw e;
      stoppedAt = this.lastTask;
    }
    const exitCode = stoppedAt !== undefined || this.options.signal.aborted ? ExitCode.interrupted : this.exitCode(fatal);
    return { exitCode, hosts: this.hosts, stoppedAt };
  }

  private exitCode(fatal: boolean): number {
    const states = [...this.hosts.values()];
    if (states.some((h) => h.unreachable)) return ExitCode.hostUnreachable;
    if (states.some((h) => h.failed) || fatal) return ExitCode.hostFailed;
    return ExitCode.ok;
  }

  /**
   * Returns false when the play failed in a way that stops the playbook. `everyTask`: the tag selection
   * does not apply (on_failure plays, see tags.ts).
   */
  private async runPlay(play: Play, extra: Vars, everyTask = false): Promise<boolean> {
    const names = applyLimit(this.inventory, this.inventory.select(play.hosts), this.options.limit);
    // The implicit localhost (`hosts: localhost`) gets its state when a play first names it.
    for (const n of names) if (!this.hosts.has(n)) this.hosts.set(n, new HostState(n));
    // Hosts that failed or went unreachable earlier take no part in later plays (as Ansible).
    const eligible = names.filter((n) => this.hosts.get(n)?.active);
    await this.takeLock(play, eligible);
    const groups = batches(eligible, play.serial);
    for (const [i, batch] of groups.entries()) {
      this.emit({
        type: 'play_start',
        play: play.name,
        hosts: batch,
        batch: groups.length > 1 ? i + 1 : undefined,
        batches: groups.length > 1 ? groups.length : undefined,
        location: formatLocation(play.location),
        time: new Date().toISOString(),
      });
      const scope: TaskScope = { play, playVars: {}, hostsInBatch: batch, extraPlayVars: extra, blockVars: [] };
      await this.executor.vars.preparePlayVars(play, batch, scope);
      try {
        await this.runNodes(play.tasks, batch, scope, play.tags, everyTask);
        await this.flushHandlers(play, batch, scope);
        const failedHere = batch.filter((h) => !this.hosts.get(h)!.active);
        this.emit({ type: 'play_end', play: play.name, failed: failedHere.length > 0, time: new Date().toISOString() });
        if (failedHere.length === batch.length && batch.length > 0 && play.onFailure.length > 0) {
          await this.runOnFailure(play, 'every host of the play failed', this.lastTask ?? '', failedHere);
          return false;
        }
      } catch (e) {
        if (!(e instanceof PlayAborted)) throw e;
        this.emit({ type: 'play_end', play: play.name, failed: true, reason: e.reason, time: new Date().toISOString() });
        await this.journal?.flush();
        await this.runOnFailure(play, e.reason, e.task, batch.filter((h) => !this.hosts.get(h)!.active));
        return false;
      }
    }
    return true;
  }

  /** `lock:` taken on every host of the play before it starts (not under --check, which changes nothing). */
  private async takeLock(play: Play, hosts: string[]): Promise<void> {
    if (!play.lock || this.options.check || !this.locks || hosts.length === 0) return;
    try {
      const taken = await this.locks.acquire(play.lock, hosts, this.options.unlockHint?.(play.lock) ?? `${manualBreak(play.lock)} on each host`);
      if (taken.length > 0) this.emit({ type: 'lock', name: play.lock, hosts: hosts.filter((h) => taken.includes(h)), state: 'acquired', time: new Date().toISOString() });
    } catch (e) {
      if (e instanceof LockError) this.emit({ type: 'play_end', play: play.name, failed: true, reason: e.format(), time: new Date().toISOString() });
      throw e;
    }
  }

  private async runOnFailure(play: Play, reason: string, task: string, failedHosts: string[]): Promise<void> {
    if (play.onFailure.length === 0) return;
    const results: Record<string, unknown> = {};
    for (const h of failedHosts) results[h] = this.executor.lastResults.get(h);
    const failure = {
      play: play.name,
      task,
      reason,
      hosts: failedHosts.filter((h) => this.hosts.get(h)!.failed),
      unreachable: failedHosts.filter((h) => this.hosts.get(h)!.unreachable),
      unreachable_reasons: Object.fromEntries(failedHosts.filter((h) => this.hosts.get(h)!.unreachable).map((h) => [h, this.hosts.get(h)!.unreachableReason])),
      results,
    };
    this.emit({ type: 'on_failure', play: play.name, failure, time: new Date().toISOString() });
    if (this.options.noOnFailure) {
      this.emit({ type: 'warning', message: `on_failure of "${play.name}" not run (--no-on-failure). ${this.rollbackHint()}` });
      return;
    }
    // The failed hosts that can still be reached take part again: the rescue covers the whole site.
    for (const h of failure.hosts) this.hosts.get(h)!.failed = false;
    for (const rescuePlay of play.onFailure) {
      await this.runPlay(rescuePlay, { failure }, true);
    }
    // The original failure stays the outcome of the run.
    for (const h of failure.hosts) this.hosts.get(h)!.failed = true;
  }

  /**
   * How to resume after an interruption: `--start-at-task` by default; a play var `resume_command` replaces it
   * (an empty one: the playbook cannot resume part-way, e.g. the upgrade, whose later steps need its earlier facts).
   */
  resumeHint(defaultCommand: string | undefined, stoppedAt: string): string {
    const v = this.options.extraVars.resume_command ?? this.executor.vars.playVarOf('resume_command');
    if (typeof v === 'string') return v.trim() ? `To resume: ${v.trim()}` : '';
    return defaultCommand ? `To resume: ${defaultCommand} --start-at-task "${stoppedAt}".` : '';
  }

  rollbackHint(): string {
    const v = this.options.extraVars.rollback_command ?? this.executor.vars.playVarOf('rollback_command');
    return typeof v === 'string' ? `To roll back: ${v}` : '';
  }

  private throwIfInterrupted(): void {
    if (this.options.signal.aborted) throw new InterruptedError('interrupted by the user');
  }

  /** `everyTask`: run the nodes whatever --tags/--skip-tags select (rescue and on_failure, see tags.ts). */
  private async runNodes(nodes: TaskNode[], hosts: string[], scope: TaskScope, inheritedTags: string[], everyTask: boolean): Promise<void> {
    for (const node of nodes) {
      this.throwIfInterrupted();
      const active = hosts.filter((h) => this.hosts.get(h)!.active);
      if (active.length === 0) return;
      if (node.kind === 'block') await this.runBlock(node, active, scope, [...inheritedTags, ...node.tags], everyTask);
      else await this.runTaskNode(node, active, scope, [...inheritedTags, ...node.tags], everyTask);
    }
  }

  private async runTaskNode(task: Task, hosts: string[], scope: TaskScope, tags: string[], everyTask: boolean): Promise<void> {
    if (!this.started) {
      if (task.name !== this.options.startAtTask) return;
      this.started = true;
    }
    if (task.module === 'include_tasks') return this.runInclude(task, hosts, scope, tags, everyTask);
    if (!everyTask && !tagSelected(tags, this.options)) return;
    this.lastTask = task.name ?? task.module;
    const outcome = await this.executor.runTask(task, hosts, scope);
    await this.syncJournal();
    // Commands ended by Ctrl-C fail their hosts: an interruption, not a failure to rescue.
    this.throwIfInterrupted();
    this.checkPlayFailure(scope, outcome.newlyFailed, task.name ?? task.module);
  }

  /**
   * include_tasks: the file's tasks run like a block with the include's vars and `when`. With `loop`, they run
   * once per item, in order, each host with its own items and the loop variable (as Ansible's linear strategy:
   * item 1 on every host that has one, then item 2). A templated file name is rendered per host (and item);
   * hosts whose names resolve to different files run them one file after the other.
   */
  private async runInclude(task: Task, hosts: string[], scope: TaskScope, tags: string[], everyTask: boolean): Promise<void> {
    const name = nodeName(task);
    const where = { location: task.location, task: name, masker: this.options.masker };
    const items = new Map<string, unknown[]>();
    const badLoop = new Map<string, string>();
    for (const h of hosts) {
      if (task.loop === undefined) {
        items.set(h, [undefined]);
        continue;
      }
      try {
        const list = renderValue(task.loop, this.executor.vars.loopExpressionVars(h, scope, task), where);
        if (!Array.isArray(list)) throw new Error(`loop must be a list, got ${typeof list} (hint: loop: "{{ my_list }}" or a YAML list)`);
        items.set(h, list);
      } catch (e) {
        badLoop.set(h, errorText(e));
      }
    }
    this.executor.failNode(task, scope, badLoop);
    this.checkPlayFailure(scope, hosts.filter((h) => !items.has(h) && !this.hosts.get(h)!.active), name);
    const rounds = Math.max(0, ...[...items.values()].map((l) => l.length));
    for (let i = 0; i < rounds; i++) {
      const round = hosts.filter((h) => this.hosts.get(h)!.active && (items.get(h)?.length ?? 0) > i);
      const loopVars: Record<string, Vars> = { ...scope.loopVars };
      if (task.loop !== undefined) for (const h of round) loopVars[h] = { ...scope.loopVars?.[h], [task.loopVar]: items.get(h)![i], loop_index: i };
      const inner: TaskScope = { ...scope, blockVars: [...scope.blockVars, task.vars], loopVars };
      const entering = await this.executor.filterWhen(task, round, inner);
      const byFile = new Map<string, { tasks: TaskNode[]; hosts: string[] }>();
      if (task.includedTasks) byFile.set('', { tasks: task.includedTasks, hosts: entering });
      // A templated name: rendered with each host's variables, then loaded (once per file per run, options.includeTasks).
      else {
        const failed = new Map<string, string>();
        for (const h of entering) {
          try {
            const { file, tasks } = await this.options.includeTasks(task, this.executor.vars.varsFor(h, inner), this.options.masker);
            const group = byFile.get(file) ?? { tasks, hosts: [] };
            group.hosts.push(h);
            byFile.set(file, group);
          } catch (e) {
            failed.set(h, errorText(e));
          }
        }
        // Hosts whose include could not be resolved fail it.
        this.executor.failNode(task, inner, failed);
      }
      // Hosts failed by the include's when, vars or file name.
      this.checkPlayFailure(scope, round.filter((h) => !this.hosts.get(h)!.active), name);
      for (const { tasks, hosts: group } of byFile.values()) await this.runNodes(tasks, group, inner, tags, everyTask);
    }
  }

  /**
   * After each task: recorded values (what --from-run and rollbacks read) are on disk before the run goes on;
   * the other events are written and synced in order without holding up the next task (an append and an
   * fdatasync through the thread pool cost a few ms per task on a busy machine). close() waits for them all.
   */
  private async syncJournal(): Promise<void> {
    if (!this.journal) return;
    const mustWait = this.journal.holdsRecords;
    const written = this.journal.flush();
    if (mustWait) await written;
    // A write error is not lost: the chain stays rejected, so the next awaited flush (at the latest close()) throws it.
    else written.catch(() => undefined);
  }

  private checkPlayFailure(scope: TaskScope, newlyFailed: string[], name: string): void {
    if (newlyFailed.length === 0 || this.rescuableDepth > 0) return;
    const play = scope.play;
    if (play.anyErrorsFatal) throw new PlayAborted(`task "${name}" failed on ${newlyFailed.join(', ')} (any_errors_fatal)`, name);
    if (play.maxFailPercentage !== undefined) {
      const batch = scope.hostsInBatch;
      const failed = batch.filter((h) => !this.hosts.get(h)!.active).length;
      if ((failed / batch.length) * 100 > play.maxFailPercentage)
        throw new PlayAborted(`${failed} of ${batch.length} hosts failed, above max_fail_percentage ${play.maxFailPercentage}`, name);
    }
  }

  private async runBlock(block: Block, hosts: string[], scope: TaskScope, tags: string[], everyTask: boolean): Promise<void> {
    // A block none of whose tasks is selected is not entered; one that is keeps its rescue and always whatever the tags.
    if (!everyTask && !anyTaskSelected(block.block, tags, this.options)) return;
    const inner: TaskScope = { ...scope, blockVars: [...scope.blockVars, block.vars], blockStack: [...(scope.blockStack ?? []), block] };
    const entering = await this.executor.filterWhen(block, hosts, inner);
    this.checkPlayFailure(scope, hosts.filter((h) => !this.hosts.get(h)!.active), block.name ?? 'block');
    if (entering.length === 0) return;
    const hasRescue = block.rescue.length > 0;
    if (hasRescue) this.rescuableDepth++;
    try {
      await this.runNodes(block.block, entering, inner, tags, everyTask);
    } finally {
      if (hasRescue) this.rescuableDepth--;
    }
    const failedInBlock = entering.filter((h) => this.hosts.get(h)!.failed);
    if (hasRescue && failedInBlock.length > 0) {
      for (const h of failedInBlock) {
        const st = this.hosts.get(h)!;
        st.failed = false;
        st.counts.rescued++;
      }
      const rescueScope: TaskScope = { ...inner, failedTaskResult: this.executor.lastResults };
      await this.runNodes(block.rescue, failedInBlock, rescueScope, tags, true);
    }
    if (block.always.length > 0) {
      // `always` runs on every host that entered, including those that failed (but not unreachable ones).
      const stillFailed = entering.filter((h) => this.hosts.get(h)!.failed);
      for (const h of stillFailed) this.hosts.get(h)!.failed = false;
      const failedBefore = new Set(stillFailed);
      await this.runNodes(block.always, entering.filter((h) => !this.hosts.get(h)!.unreachable), inner, tags, true);
      for (const h of failedBefore) this.hosts.get(h)!.failed = true;
    }
    const remaining = entering.filter((h) => !this.hosts.get(h)!.active && failedInBlock.includes(h));
    if (hasRescue && remaining.length > 0) this.checkPlayFailure(scope, remaining, block.name ?? 'block');
  }

  private async flushHandlers(play: Play, batch: string[], scope: TaskScope): Promise<void> {
    for (const handler of play.handlers) {
      const notified = batch.filter((h) => {
        const st = this.hosts.get(h)!;
        return st.active && handler.listen.some((n) => st.notified.has(n));
      });
      if (notified.length === 0) continue;
      this.lastTask = handler.name ?? handler.module;
      const outcome = await this.executor.runTask(handler, notified, scope, true);
      await this.syncJournal();
      this.throwIfInterrupted();
      this.checkPlayFailure(scope, outcome.newlyFailed, handler.name ?? handler.module);
    }
    for (const h of batch) this.hosts.get(h)!.notified.clear();
  }
}

function errorText(e: unknown): string {
  return isOmsplayError(e) ? e.format() : e instanceof Error ? e.message : String(e);
}
