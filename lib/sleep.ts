/** Waits, or rejects with InterruptedError as soon as the run is aborted (Ctrl-C, a task's timeout). */
import { InterruptedError } from './errors.js';

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new InterruptedError('interrupted while waiting'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new InterruptedError('interrupted while waiting'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
