/** What the engine knows of one host during a run. */
import type { Vars } from '../inventory/types.js';
import { emptyCounts, type HostCounts } from './events.js';

export class HostState {
  /** set_fact, record and register results; visible to later tasks and plays. */
  facts: Vars = {};
  failed = false;
  unreachable = false;
  unreachableReason?: string;
  counts: HostCounts = emptyCounts();
  /** Handlers notified in the current batch. */
  notified = new Set<string>();

  constructor(readonly name: string) {}

  get active(): boolean {
    return !this.failed && !this.unreachable;
  }
}
