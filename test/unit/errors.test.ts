/**
 * lib/errors.ts: every error class takes the one options type (OmsplayErrorOptions) and keeps what it carries —
 * where, the hint, the cause — for format() and the exit code the CLI maps it to.
 */
import { describe, expect, it } from 'vitest';
import { BecomeRefusedError } from '../../lib/connection/become.js';
import { LockError } from '../../lib/engine/lock.js';
import {
  CommandFailedError,
  ConfigError,
  ExitCode,
  InterruptedError,
  type OmsplayError,
  type OmsplayErrorOptions,
  OptionsError,
  TaskFailedError,
  UnreachableError,
  ValidationError,
} from '../../lib/errors.js';

const cause = new Error('the cause');
const opts: OmsplayErrorOptions = { location: { file: 'site.yml', line: 3, col: 7 }, hint: 'do this', cause };
const command = { command: 'false', exitCode: 1 };
const sudo = { host: 'h1', user: 'admin', command: 'true', sudoSays: 'no' };

const made: Array<[OmsplayError, number, string]> = [
  [new ConfigError('bad', opts), ExitCode.parse, 'config error'],
  [new ValidationError('bad', opts), ExitCode.parse, 'validation error'],
  [new OptionsError('bad', opts), ExitCode.badOptions, 'bad options'],
  [new InterruptedError('bad', opts), ExitCode.interrupted, 'interrupted'],
  [new UnreachableError('h1', 'bad', opts), ExitCode.hostUnreachable, 'unreachable'],
  [new CommandFailedError('bad', command, opts), ExitCode.hostFailed, 'command failed'],
  [new TaskFailedError('bad', {}, opts), ExitCode.hostFailed, 'task failed'],
  [new BecomeRefusedError('bad', sudo, opts), ExitCode.hostFailed, 'sudo refused'],
  [new LockError('bad', opts), ExitCode.error, 'locked'],
];

describe('the error classes take one options type', () => {
  it.each(made.map(([e, code, kind]) => [e.name, e, code, kind] as const))('%s keeps where, hint and cause', (_name, e, code, kind) => {
    expect(e.exitCode).toBe(code);
    expect(e.location).toEqual(opts.location);
    expect(e.hint).toBe('do this');
    expect(e.cause).toBe(cause);
    expect(e.format()).toBe(`site.yml:3:7: ${kind}: bad\n  hint: do this`);
  });

  it('without options: no location, no hint, no cause', () => {
    for (const e of [new OptionsError('bad'), new TaskFailedError('bad'), new UnreachableError('h1', 'bad')]) {
      expect(e.format()).toBe(`${e.kind}: bad`);
      expect('cause' in e).toBe(false);
    }
  });

  it('a lock a host could not give exits 3 (unreachable), another holder 1', () => {
    expect(new LockError('held', { unreachable: true, hint: 'h' }).exitCode).toBe(ExitCode.hostUnreachable);
    expect(new LockError('held', { hint: 'h' }).exitCode).toBe(ExitCode.error);
  });
});
