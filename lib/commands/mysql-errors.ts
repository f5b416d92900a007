/** What a failed MySQL client command (mysql, mysqldump, mariadb-*) means: its message and the hint that fixes it. */
import type { ExecResult } from '../connection/types.js';
import { CommandFailedError } from '../errors.js';

/** How a command ended, for messages: its stderr (last lines), else its exit code or signal. */
export function failureText(r: Pick<ExecResult, 'exitCode' | 'signal' | 'stderr' | 'timedOut'>): string {
  const err = r.stderr.trim();
  const how = r.timedOut ? 'timed out' : r.signal ? `signal ${r.signal}` : `exit ${r.exitCode}`;
  return err ? `${err} (${how})` : how;
}

/** The hint for a client's failure, from its exit code and stderr (none when the cause is not recognised). */
export function clientHint(exitCode: number | null, stderr: string): string | undefined {
  if (exitCode === 127) return 'install the MySQL or MariaDB client on that host (mysqldump/mysql or mariadb-dump/mariadb)';
  if (/Access denied/i.test(stderr)) return 'check login_user and login_password';
  if (/Can't connect|Unknown MySQL server host|Lost connection/i.test(stderr)) return 'check login_host/login_port as seen from that host';
  if (/errno:? 28\b|Errcode: 28\b|No space left on device/i.test(stderr)) {
    return 'the filesystem the file is written to is full (errno 28: no space left on device): free space there or choose another directory';
  }
  return undefined;
}

/** `what` failed: the last lines of stderr, the exit code, and the hint. */
export function clientFailure(r: ExecResult, what: string, command: string): CommandFailedError {
  const msg = r.stderr.trim().split('\n').slice(-3).join('\n');
  const hint = clientHint(r.exitCode, r.stderr);
  return new CommandFailedError(`${what} failed (exit ${r.exitCode}): ${msg}`, { command, exitCode: r.exitCode, stderr: r.stderr }, hint ? { hint } : {});
}
