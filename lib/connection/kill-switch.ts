/**
 * Ends a running command when its timeout passes or the run is aborted (Ctrl-C): the one place both
 * transports arm and disarm that, so they cannot drift apart.
 */
import type { ExecOptions } from './types.js';

export interface KillSwitch {
  /** True once the timeout (not an abort) ended the command. */
  readonly timedOut: boolean;
  /** Call when the command has ended: clears the timer and the abort listener. */
  disarm(): void;
}

export function armKillSwitch(opts: Pick<ExecOptions, 'timeoutMs' | 'signal'>, kill: () => void): KillSwitch {
  let timedOut = false;
  const timer = opts.timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        kill();
      }, opts.timeoutMs)
    : undefined;
  const onAbort = () => kill();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  return {
    get timedOut() {
      return timedOut;
    },
    disarm() {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    },
  };
}
