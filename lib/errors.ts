/**
 * Typed errors. Every error a person can cause or fix carries what they need to fix it:
 * where (file:line:col), what was expected, and a hint. The CLI maps `exitCode` to the process
 * exit status and prints `format()`; it never prints a stack trace for these.
 */

/** Exit codes, as Ansible's. Documented in the README. */
export const ExitCode = {
  ok: 0,
  error: 1,
  hostFailed: 2,
  hostUnreachable: 3,
  parse: 4,
  badOptions: 5,
  interrupted: 99,
  unexpected: 250,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** A position in a source file; line and col are 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  col: number;
}

export function formatLocation(loc: SourceLocation | undefined): string {
  return loc ? `${loc.file}:${loc.line}:${loc.col}` : '';
}

/** What every error may carry besides its message: where (file:line:col), a hint, and the error behind it. */
export interface OmsplayErrorOptions {
  location?: SourceLocation;
  hint?: string;
  cause?: unknown;
}

export abstract class OmsplayError extends Error {
  abstract readonly kind: string;
  abstract readonly exitCode: ExitCodeValue;
  readonly location?: SourceLocation;
  readonly hint?: string;

  constructor(message: string, opts: OmsplayErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.location = opts.location;
    this.hint = opts.hint;
  }

  /** The text a person reads: `file:line:col: kind: message` then `  hint: ...`. */
  format(): string {
    const where = this.location ? `${formatLocation(this.location)}: ` : '';
    const hint = this.hint ? `\n  hint: ${this.hint}` : '';
    return `${where}${this.kind}: ${this.message}${hint}`;
  }
}

/** A file that cannot be read or parsed, or a setting that makes no sense (exit 4). */
export class ConfigError extends OmsplayError {
  readonly kind = 'config error';
  readonly exitCode = ExitCode.parse;
}

/** A playbook or inventory that breaks a schema or a language rule (exit 4). */
export class ValidationError extends OmsplayError {
  readonly kind = 'validation error';
  readonly exitCode = ExitCode.parse;
}

/** Several validation problems found in one pass; all are shown, not only the first. */
export class ValidationErrors extends OmsplayError {
  readonly kind = 'validation failed';
  readonly exitCode = ExitCode.parse;
  constructor(readonly errors: OmsplayError[]) {
    super(`${errors.length} problem${errors.length === 1 ? '' : 's'} found`);
  }
  override format(): string {
    return this.errors.map((e) => e.format()).join('\n');
  }
}

/** Bad command-line options (exit 5). */
export class OptionsError extends OmsplayError {
  readonly kind = 'bad options';
  readonly exitCode = ExitCode.badOptions;
}

/** A host that cannot be reached or whose connection was lost (host outcome: unreachable). */
export class UnreachableError extends OmsplayError {
  readonly kind = 'unreachable';
  readonly exitCode = ExitCode.hostUnreachable;
  constructor(
    readonly host: string,
    message: string,
    opts: OmsplayErrorOptions = {},
  ) {
    super(message, opts);
  }
}

/** A command that ran and failed (non-zero exit, signal, or timeout). */
export class CommandFailedError extends OmsplayError {
  readonly kind = 'command failed';
  readonly exitCode = ExitCode.hostFailed;
  constructor(
    message: string,
    readonly details: { command: string; exitCode: number | null; signal?: string | null; stderr?: string; stdout?: string; timedOut?: boolean },
    opts: OmsplayErrorOptions = {},
  ) {
    super(message, opts);
  }
}

/** A task failure raised by a module: the host fails (exit 2). */
export class TaskFailedError extends OmsplayError {
  readonly kind = 'task failed';
  readonly exitCode = ExitCode.hostFailed;
  constructor(
    message: string,
    readonly result: Record<string, unknown> = {},
    opts: OmsplayErrorOptions = {},
  ) {
    super(message, opts);
  }
}

/** Raised when the user presses Ctrl-C; the run stops cleanly (exit 99). */
export class InterruptedError extends OmsplayError {
  readonly kind = 'interrupted';
  readonly exitCode = ExitCode.interrupted;
}

export function isOmsplayError(e: unknown): e is OmsplayError {
  return e instanceof OmsplayError;
}
