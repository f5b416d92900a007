/** Parses the command line (lib/cli/program.ts), runs the subcommand, maps every error to a message and an exit code. */
import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { ExitCode, isOmsplayError } from '../errors.js';
import { buildProgram, optionsErrorOf, unknownCommand } from './program.js';

/** The package's version (package.json sits two levels up from lib/cli and from dist/cli alike). */
const version = () => 'omsplay ' + (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export async function main(argv: string[]): Promise<number> {
  let code: number = ExitCode.ok;
  let args = argv;
  try {
    // `omsplay` alone: the overview, as --help; `omsplay help X` is `omsplay X --help` (an unknown X gets a did-you-mean).
    args = argv.length === 0 ? ['--help'] : argv[0] === 'help' && argv[1] ? [argv[1], '--help'] : argv;
    const unknown = args[0] === undefined ? undefined : unknownCommand(args[0]);
    if (unknown) throw unknown;
    const program = buildProgram(
      version,
      async (spec, input) => {
        code = await (await spec.load())(input);
      },
      args[0],
    );
    await program.parseAsync(args, { from: 'user' });
    return code;
  } catch (thrown) {
    // --help, --version, `help`: output done, success.
    if (thrown instanceof CommanderError && thrown.exitCode === 0) return ExitCode.ok;
    const e = thrown instanceof CommanderError ? optionsErrorOf(thrown, args) : thrown;
    if (isOmsplayError(e)) {
      process.stderr.write(`${e.format()}\n`);
      return e.exitCode;
    }
    const err = e as Error;
    process.stderr.write(`unexpected error: ${err?.message ?? String(e)}\n  hint: this is a bug in omsplay; rerun with OMSPLAY_DEBUG=1 for details and report it\n`);
    if (process.env.OMSPLAY_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
    return ExitCode.unexpected;
  }
}
