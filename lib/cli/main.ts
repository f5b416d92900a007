/** Dispatches a subcommand and maps every error to a message and an exit code; no stack traces for user mistakes. */
import { ExitCode, isOmsplayError } from '../errors.js';

const HELP = `omsplay — declarative playbooks for OceanBase Migration Service operators

usage:
  omsplay run PLAYBOOK -i INVENTORY [options]   run a playbook (shipped ones by name: upgrade.yml, rollback.yml)
  omsplay validate PLAYBOOK -i INVENTORY        check a playbook and inventory without connecting
  omsplay inventory -i INVENTORY [--graph | --list | --host NAME]
  omsplay runs [--json]                         earlier runs: status, duration, report
  omsplay report [RUN_ID|last] [-o FILE] [--json]  one HTML page with the run's timeline
  omsplay unlock NAME -i INVENTORY [-l PATTERN]  break a run lock left by a run that died
  omsplay modules [NAME]                        modules and their arguments
  omsplay --version

run options: -l/--limit PATTERN, -t/--tags, --skip-tags, --start-at-task NAME, --list-tasks, --list-hosts,
  -e/--extra-vars key=value|@file.yml|'{json}', -C/--check, -D/--diff, -f/--forks N (default 50), --json,
  --plain, -v/--verbose, -y/--yes, --from-run RUN_ID|last, --no-on-failure, --accept-new-host-keys, -k/--ask-pass

exit codes: 0 ok, 1 error, 2 a host failed, 3 a host unreachable, 4 parse/validation error, 5 bad options,
  99 interrupted, 250 unexpected`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await (await import('./run.js')).runCommand(rest);
      case 'validate':
        return await (await import('./validate.js')).validateCommand(rest);
      case 'inventory':
        return await (await import('./inventory.js')).inventoryCommand(rest);
      case 'runs':
        return await (await import('./runs.js')).runsCommand(rest);
      case 'report':
        return await (await import('./report.js')).reportCommand(rest);
      case 'unlock':
        return await (await import('./unlock.js')).unlockCommand(rest);
      case 'modules':
        return await (await import('./modules.js')).modulesCommand(rest);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(`${HELP}\n`);
        return command === undefined ? ExitCode.badOptions : ExitCode.ok;
      default:
        process.stderr.write(`bad options: unknown command "${command}"\n  hint: one of run, validate, inventory, runs, report, unlock, modules (omsplay --help)\n`);
        return ExitCode.badOptions;
    }
  } catch (e) {
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
