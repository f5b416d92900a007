/**
 * Option specs shared by every subcommand, and the values they parse to. Parsing itself is commander's
 * (lib/cli/program.ts); mistakes are OptionsErrors (exit 5) with a hint.
 */
import { OptionsError } from '../errors.js';

/** One flag: `--name` (kebab-case), its one-letter form, what it takes, and its line in `--help`. */
export interface OptionSpec {
  /** string: takes a value; boolean: a switch; count: repeatable switch (-v, -vv, -vvv). */
  type: 'string' | 'boolean' | 'count';
  short?: string;
  /** A string flag given several times keeps every value. */
  multiple?: boolean;
  /** Placeholder of the value in help (default VALUE). */
  value?: string;
  help: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

type ValueOf<S extends OptionSpec> = S['type'] extends 'count'
  ? number
  : S['type'] extends 'boolean'
    ? boolean | undefined
    : S extends { multiple: true }
      ? string[] | undefined
      : string | undefined;

/** What a subcommand receives: its flags by their long names, and its positional arguments. */
export interface Parsed<O extends OptionSpecs> {
  values: { [K in keyof O]: ValueOf<O[K]> };
  positionals: string[];
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
