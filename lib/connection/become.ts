/**
 * become = sudo, non-interactive. With a password, `sudo -S` reads it from the first line of stdin
 * (never argv); the prompt is emptied so it cannot pollute stderr.
 */
import type { BecomeOptions, ExecOptions } from './types.js';

export function becomeArgv(become: ExecOptions['become']): { argv: string[]; stdinPrefix: string } | null {
  if (!become) return null;
  const opts: BecomeOptions = become === true ? {} : become;
  const user = opts.user ?? 'root';
  if (opts.password !== undefined) {
    return { argv: ['sudo', '-S', '-p', '', '-H', '-u', user, '--'], stdinPrefix: `${opts.password}\n` };
  }
  return { argv: ['sudo', '-n', '-H', '-u', user, '--'], stdinPrefix: '' };
}
