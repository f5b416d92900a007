/** Everything a run is told from outside (CLI flags, extra vars). */
import type { Connection } from '../connection/types.js';
import type { IncludeTasks } from '../playbook/types.js';
import type { Vars } from '../inventory/types.js';
import type { Masker } from '../secrets.js';
import type { RecordedValues } from './journal.js';
import type { Reporter } from './events.js';

export interface ConnectionProvider {
  /** The host's connection; `localhost` and `127.0.0.1` are the control node (the pool reaches them with the local transport). */
  get(host: string): Promise<Connection>;
  closeAll(): Promise<void>;
}

export interface RunOptions {
  check: boolean;
  diff: boolean;
  forks: number;
  limit?: string;
  tags: string[];
  skipTags: string[];
  startAtTask?: string;
  extraVars: Vars;
  /** Answers every confirmation prompt with yes. */
  yes: boolean;
  /** A person at a terminal can answer prompts. */
  interactive: boolean;
  /** Do not run on_failure plays; print how to roll back instead. */
  noOnFailure: boolean;
  fromRun?: RecordedValues;
  masker: Masker;
  reporters: Reporter[];
  connections: ConnectionProvider;
  signal: AbortSignal;
  /** Loads a task file include_tasks names at run time (the engine does not import the loader). */
  includeTasks: IncludeTasks;
  /** How a person breaks a run lock named `name` (shown when another run holds it). */
  unlockHint?: (name: string) => string;
  /** Asks a person (terminal); resolves to their answer. */
  prompt?: (question: string) => Promise<string>;
}
