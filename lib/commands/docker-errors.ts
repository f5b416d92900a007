/**
 * What a failed docker command means: "no such object" told apart from a real error, and the error
 * a person reads (CLI missing, daemon down, socket permission) with the hint that fixes it.
 */
import type { ExecResult } from '../connection/types.js';
import { quoteArgv } from '../connection/quote.js';
import { CommandFailedError } from '../errors.js';
import type { PlannedCommand } from '../plan/types.js';

/** True when a docker command's failure means "no such container/image" rather than a real error. */
export function isNotFound(r: ExecResult): boolean {
  return r.exitCode === 1 && /no such (container|image|object)/i.test(r.stderr);
}

/** The docker CLI itself is missing (shell: 127 "not found"; local spawn: ENOENT). */
export function isDockerMissing(r: ExecResult): boolean {
  return (r.exitCode === 127 && /docker[^\n]*(not found|ENOENT|No such file)/i.test(r.stderr)) || /sudo: docker: command not found/.test(r.stderr);
}

/** The docker daemon cannot be reached at all (not running, or the socket refuses the user). */
export function isDaemonUnreachable(r: ExecResult): boolean {
  return /Cannot connect to the Docker daemon|Is the docker daemon running|docker\.sock: connect: no such file|permission denied while trying to connect to the Docker daemon/i.test(r.stderr);
}

/** The error a failed docker command means, with the hint a person needs. */
export function dockerError(host: string, argv: readonly string[], r: ExecResult, what: string): CommandFailedError {
  const details = { command: quoteArgv(argv), exitCode: r.exitCode, signal: r.signal, stderr: r.stderr, stdout: r.stdout, timedOut: r.timedOut };
  const err = r.stderr.trim().split('\n').slice(-3).join('\n');
  if (isDockerMissing(r))
    return new CommandFailedError(`${what}: docker is not installed on ${host} (command not found)`, details, {
      hint: 'install the docker CLI on the host or fix PATH',
    });
  if (/Cannot connect to the Docker daemon|Is the docker daemon running|docker\.sock: connect: no such file/i.test(r.stderr))
    return new CommandFailedError(`${what}: the docker daemon is not running on ${host}`, details, {
      hint: 'start it (systemctl start docker) or point docker_host at its socket',
    });
  if (/permission denied while trying to connect to the Docker daemon/i.test(r.stderr))
    return new CommandFailedError(`${what}: permission denied on the docker socket of ${host}`, details, {
      hint: 'use `become: true` or add the user to the docker group',
    });
  if (r.timedOut) return new CommandFailedError(`${what}: timed out on ${host}`, details);
  const how = r.signal ? `signal ${r.signal}` : `exit ${r.exitCode}`;
  return new CommandFailedError(`${what} failed on ${host} (${how}): ${err || '(no output)'}`, details);
}

/** A docker command of a plan: named `what` in its error, which says what the failure means. */
export function dockerStep(argv: string[], what: string): PlannedCommand {
  return { argv, what, failure: (r, host) => dockerError(host, argv, r, what) };
}
