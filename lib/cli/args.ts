/** Command-line parsing on node:util parseArgs; every mistake is an OptionsError (exit 5) with a hint. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { OptionsError } from '../errors.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export function parse<T extends OptionSpec>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new OptionsError((e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''), { hint: usage });
  }
}

export function intOption(value: string | undefined, name: string, dflt: number, min = 1): number {
  if (value === undefined) return dflt;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new OptionsError(`${name} must be a whole number of at least ${min}, got "${value}"`, { hint: `e.g. ${name} ${Math.max(min, 10)}` });
  return n;
}

export function csv(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}
