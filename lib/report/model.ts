/**
 * What a run report shows, extracted from a run's journal (`omsplay report --json` prints exactly this).
 * Times are milliseconds since the run started, so the page never has to parse dates.
 */
import type { HostStatus } from '../engine/events.js';

export interface ReportData {
  header: ReportHeader;
  timeline: Timeline;
  hosts: HostChanges[];
  metadb: MetaDbReport;
  warnings: string[];
  /** Exact commands to run next when the run did not end cleanly (rollback, resume). */
  next_steps: string[];
}

export interface ReportHeader {
  run_id: string;
  playbook: string;
  inventory: string;
  operator?: string;
  started_at: string;
  ended_at?: string;
  duration_ms?: number;
  exit_code?: number;
  exit_meaning: string;
  check: boolean;
  from_run?: string;
  /** ok | failed | unreachable | interrupted | unfinished | error */
  outcome: string;
}

export interface Timeline {
  /** Length of the drawn range (ms since start). */
  span_ms: number;
  /** Lanes grouped by region, inventory order; `localhost` last in a group of its own. */
  groups: Array<{ name: string; hosts: string[] }>;
  tasks: Array<{ name: string; play: string; location: string }>;
  bars: Bar[];
  plays: Band[];
  phases: Band[];
  downtime?: Downtime;
  failure?: FailurePoint;
  rescue?: Band;
}

export interface Bar {
  host: string;
  /** Index into `tasks`. */
  task: number;
  status: HostStatus;
  start_ms: number;
  end_ms: number;
  ignored?: boolean;
  /** One line: the result's message, or what the module returned, shortened. */
  summary: string;
}

export interface Band {
  name: string;
  start_ms: number;
  end_ms: number;
}

export interface Downtime {
  /** ISO times as recorded in the journal. */
  t1: string;
  t2?: string;
  start_ms: number;
  end_ms: number;
  /** What ended the window: T2 recorded, the old containers healthy again (rescue/rollback), or the run's end. */
  end_kind: 't2' | 'old_back' | 'run_end';
  label: string;
}

export interface FailurePoint {
  host: string;
  task: string;
  status: HostStatus;
  at_ms: number;
  message: string;
}

export interface ContainerState {
  exists: boolean;
  state?: string;
  image?: string;
  restart_policy?: string;
}

export interface HostChanges {
  host: string;
  region: string;
  counts: Record<string, number>;
  containers: Array<{ name: string; before?: ContainerState; after?: ContainerState }>;
  version_before?: string;
  version_after?: string;
}

export interface DumpInfo {
  database: string;
  path: string;
  host: string;
  size?: number;
  sha256?: string;
  completed?: boolean;
}

export interface MetaDbReport {
  dumps: DumpInfo[];
  ha_before?: Record<string, unknown>;
  ha_after?: Record<string, unknown>;
  /** Databases restored from dumps (rescue or rollback). */
  restored: string[];
  /** Versions per hop: the version found and the version the run left, as far as the journal tells. */
  versions: Array<{ hop: string; before?: string; after?: string }>;
}
