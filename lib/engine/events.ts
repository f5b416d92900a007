/**
 * The one event stream. The engine emits these; reporters (terminal, plain, JSON) and the journal
 * consume them. Values inside are masked before they leave the engine.
 */
export type HostStatus = 'ok' | 'changed' | 'skipped' | 'failed' | 'unreachable';

export interface HostCounts {
  ok: number;
  changed: number;
  skipped: number;
  failed: number;
  unreachable: number;
  rescued: number;
  ignored: number;
}

export type RunEvent =
  | { type: 'run_start'; run_id: string; playbook: string; inventory: string; check: boolean; time: string; from_run?: string }
  | { type: 'play_start'; play: string; hosts: string[]; batch?: number; batches?: number; location: string; time: string }
  | { type: 'task_start'; play: string; task: string; hosts: string[]; location: string; time: string; handler?: boolean }
  | {
      type: 'task_result';
      play: string;
      task: string;
      host: string;
      status: HostStatus;
      duration_ms: number;
      result: Record<string, unknown>;
      ignored?: boolean;
      delegated_to?: string;
      item?: unknown;
      /** The module that ran (absent in journals written before it was added). */
      module?: string;
      /** When the host's result came in (ISO); the bar of a report ends here. Absent in older journals. */
      time?: string;
    }
  /** One item of a loop, as it finishes (the task's own task_result, with every item's result, follows). */
  | { type: 'item_result'; play: string; task: string; host: string; status: HostStatus; label: string; result: Record<string, unknown>; ignored?: boolean; delegated_to?: string }
  | { type: 'task_end'; play: string; task: string; duration_ms: number }
  | { type: 'progress'; host: string; task: string; done: number; total?: number; unit: string; message?: string }
  | { type: 'record'; host: string; name: string; value: unknown }
  | { type: 'warning'; message: string }
  /** -vvv: how a host is reached and each command run there (connection and become details). */
  | { type: 'detail'; host: string; message: string }
  | { type: 'lock'; name: string; hosts: string[]; state: 'acquired' | 'released'; time: string; failed?: string[] }
  | { type: 'play_end'; play: string; failed: boolean; reason?: string; time: string }
  | { type: 'on_failure'; play: string; failure: Record<string, unknown>; time: string }
  | { type: 'recap'; hosts: Record<string, HostCounts>; stopped_at?: string; resume_hint?: string }
  | { type: 'run_end'; run_id: string; exit_code: number; time: string; duration_ms: number; journal: string };

export interface Reporter {
  event(e: RunEvent): void;
  /** Called once at the end; resolves when the output is flushed. */
  close(): Promise<void>;
}

export function emptyCounts(): HostCounts {
  return { ok: 0, changed: 0, skipped: 0, failed: 0, unreachable: 0, rescued: 0, ignored: 0 };
}
