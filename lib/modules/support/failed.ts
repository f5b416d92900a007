/** The task failure a module raises: the message, the result fields it still reports, and a hint. */
import { TaskFailedError } from '../../errors.js';

export function failed(msg: string, result: Record<string, unknown> = {}, hint?: string): TaskFailedError {
  return new TaskFailedError(msg, result, hint ? { hint } : {});
}
