/**
 * The command line, on commander: help for the program and each subcommand (every flag with its line),
 * "did you mean" for unknown commands and flags, -v/-vv/-vvv. Built from the table in commands.ts.
 * Every parsing mistake becomes an OptionsError (exit 5) with a hint; `--help` and `--version` exit 0.
 */
import { Command, type CommanderError, Option } from 'commander';
import { closest, distance } from 'fastest-levenshtein';
import { OptionsError } from '../errors.js';
import type { OptionSpec, OptionSpecs, Parsed } from './args.js';
import { COMMANDS, type CommandSpec } from './commands.js';

export const PROGRAM_SUMMARY = 'omsplay — declarative playbooks for OceanBase Migration Service operators';

function flags(name: string, spec: OptionSpec): string {
  const long = `${spec.short ? `-${spec.short}, ` : ''}--${name}`;
  return spec.type === 'string' ? `${long} <${spec.value ?? 'VALUE'}>` : long;
}

function toOption(name: string, spec: OptionSpec): Option {
  const o = new Option(flags(name, spec), spec.help);
  if (spec.type === 'count') o.argParser((_v: string, prev: number) => prev + 1).default(0);
  else if (spec.multiple) o.argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
  return o;
}

/** commander's values (camelCase, `--no-x` as x=false) back to the spec's long names. */
function valuesOf(cmd: Command, specs: OptionSpecs): Record<string, unknown> {
  const raw = cmd.opts();
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const attr = new Option(flags(name, spec)).attributeName();
    out[name] = name.startsWith('no-') ? raw[attr] === false || undefined : raw[attr];
  }
  return out;
}

export function usageOf(c: CommandSpec): string {
  return `omsplay ${c.name}${c.args ? ` ${c.args}` : ''}${Object.keys(c.options).length ? ' [options]' : ''}`;
}

/**
 * The program. With `only`, the other commands get their name and summary but not their flags: parsing ~40 flag
 * definitions costs a few milliseconds of every start, and a run only needs its own.
 */
export function buildProgram(version: () => string, onRun: (spec: CommandSpec, input: Parsed<OptionSpecs>) => Promise<void>, only?: string): Command {
  const program = new Command('omsplay')
    .description(PROGRAM_SUMMARY)
    .usage('COMMAND [options]')
    .version(version(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [COMMAND]', 'show help for a command')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s), outputError: () => {} })
    .addHelpText('after', '\nomsplay COMMAND --help shows every flag of a command.');
  for (const c of COMMANDS) {
    if (only && c.name !== only) {
      program.command(c.name).description(c.summary);
      continue;
    }
    const cmd = program
      .command(c.name)
      .description(c.summary)
      .usage(`${c.args ? `${c.args} ` : ''}${Object.keys(c.options).length ? '[options]' : ''}`.trim())
      .helpOption('-h, --help', 'show help')
      .allowExcessArguments(true)
      .showSuggestionAfterError(true)
      .exitOverride()
      .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s), outputError: () => {} });
    for (const [name, help] of Object.entries(c.argHelp ?? {})) cmd.argument(`[${name}]`, help);
    for (const [name, spec] of Object.entries(c.options)) cmd.addOption(toOption(name, spec));
    if (c.after) cmd.addHelpText('after', `\n${c.after}`);
    cmd.action(async (...args: unknown[]) => {
      const self = args[args.length - 1] as Command;
      await onRun(c, { values: valuesOf(self, c.options) as Parsed<OptionSpecs>['values'], positionals: self.args });
    });
  }
  return program;
}

/** `omsplay nosuch ...`: refused before commander, which would answer `nosuch --help` with the overview. */
export function unknownCommand(name: string): OptionsError | undefined {
  const names = COMMANDS.map((c) => c.name);
  if (name.startsWith('-') || name === 'help' || names.includes(name)) return undefined;
  const near = closest(name, names);
  const suggestion = distance(name, near) <= Math.max(1, Math.floor(name.length / 3)) ? near : undefined;
  return new OptionsError(`unknown command "${name}"`, {
    hint: `${suggestion ? `did you mean ${suggestion}? ` : ''}the commands: ${names.join(', ')} (omsplay --help)`,
  });
}

/** A commander mistake as an OptionsError: its message, and a hint with the did-you-mean it found. */
export function optionsErrorOf(e: CommanderError, argv: string[]): OptionsError {
  const [first, ...rest] = e.message.replace(/^error: /, '').split('\n');
  const suggestion = /\(Did you mean (.+)\?\)/.exec(rest.join(' '))?.[1];
  const spec = COMMANDS.find((c) => c.name === argv[0]);
  if (e.code === 'commander.unknownCommand') {
    const name = /'([^']*)'/.exec(first ?? '')?.[1] ?? argv[0];
    return new OptionsError(`unknown command "${name}"`, {
      hint: `${suggestion ? `did you mean ${suggestion}? ` : ''}the commands: ${COMMANDS.map((c) => c.name).join(', ')} (omsplay --help)`,
    });
  }
  const help = spec ? `usage: ${usageOf(spec)} (omsplay ${spec.name} --help lists every flag)` : 'omsplay --help';
  return new OptionsError(first ?? e.message, { hint: suggestion ? `did you mean ${suggestion}? ${help}` : help });
}
