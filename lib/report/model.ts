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

/** When OMS was down: every window, in order (one per hop of a multi-hop upgrade or rollback), and their sum. */
export interface Downtime {
  windows: DowntimeWindow[];
  total_ms: number;
  /** One window: its own label; several: the sum ("OMS down 41.2 s in all, 2 windows (one per hop)"). */
  label: string;
}

export interface DowntimeWindow {
  /** ISO times as recorded in the journal: T1 (T3 in a rollback) and T2. */
  t1: string;
  t2?: string;
  /** Which mark opened the window: T1 (upgrade: old containers stopping) or T3 (rollback: new ones stopping). */
  start_mark: 'T1' | 'T3';
  start_ms: number;
  end_ms: number;
  /** What ended the window: T2 recorded, the old containers healthy again (rescue/rollback), or nothing seen (the run's end, or the next window). */
  end_kind: 't2' | 'old_back' | 'run_end';
  /** The hop of the path the window belongs to, as the journal recorded it. */
  hop?: DowntimeHop;
  /** "OMS down 12.3 s (T1 → T2)"; with several windows prefixed by the hop ("hop 2/2 4.2.1 → 4.2.2: …"). */
  label: string;
}

/** One hop: `index` of `of`, the version OMS was on and the one it went to (a rollback's hop goes back: 4.2.2 → 4.2.1). */
export interface DowntimeHop {
  index: number;
  of: number;
  from: string;
  to: string;
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
