/**
 * A module argument written as a template that renders to nothing (an explicitly undefined value such as
 * `from_run` without --from-run, or a `lookup` of a missing key) is an error naming the template, as in
 * Ansible: passed on, it would read as "argument not given" and the module would fall back to its default
 * (debug's "Hello world!", a default path) instead of what was written.
 */
import { TaskFailedError } from '../errors.js';

export function refuseUndefinedArgs(written: unknown, rendered: unknown, path = ''): void {
  if (typeof written === 'string') {
    if (rendered === undefined && written.includes('{{')) {
      throw new TaskFailedError(`argument \`${path || 'value'}\` renders to nothing: ${written.trim()} is undefined`, {}, {
        hint: 'define that variable, or give a fallback with (default VALUE "fallback")',
      });
    }
    return;
  }
  if (Array.isArray(written)) {
    if (!Array.isArray(rendered)) return;
    for (const [i, w] of written.entries()) refuseUndefinedArgs(w, rendered[i], `${path}[${i}]`);
    return;
  }
  if (written && typeof written === 'object' && rendered && typeof rendered === 'object') {
    for (const [k, w] of Object.entries(written)) refuseUndefinedArgs(w, (rendered as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
  }
}
