/**
 * Every subcommand: its name, arguments, flags (one help line each) and where its code is. This file imports
 * no command code: a command's module loads only when that command runs (`load`), so `omsplay validate` never
 * parses the engine, and `--help` of any command parses nothing but this table.
 *
 * Adding a subcommand: write lib/cli/NAME.ts exporting `async function nameCommand({ values, positionals }:
 * Parsed<typeof NAME_OPTIONS>): Promise<number>` (an exit code), and add one entry below. Help, did-you-mean,
 * shell completion and the README check pick it up from here.
 */
import type { OptionSpecs, Parsed } from './args.js';

export interface CommandSpec {
  name: string;
  /** The usage line after the command name ('PLAYBOOK -i INVENTORY'); the command checks its arguments itself. */
  args?: string;
  /** Help line of each positional argument. */
  argHelp?: Record<string, string>;
  summary: string;
  options: OptionSpecs;
  /** Lines shown after the options in `--help`. */
  after?: string;
  load: () => Promise<(input: Parsed<any>) => Promise<number>>;
}

const INVENTORY = { type: 'string', short: 'i', value: 'FILE', help: 'the inventory (YAML)' } as const;
const EXTRA_VARS = { type: 'string', short: 'e', multiple: true, value: 'VARS', help: 'key=value, @file.yml, or a JSON/YAML mapping; highest precedence (repeatable)' } as const;

/** Every `run` flag (the README's table is checked against this list). */
export const RUN_OPTIONS = {
  inventory: INVENTORY,
  limit: { type: 'string', short: 'l', value: 'PATTERN', help: "only these hosts (on top of each play's hosts)" },
  tags: { type: 'string', short: 't', multiple: true, value: 'TAGS', help: 'run only tasks with these tags (comma-separated, repeatable)' },
  'skip-tags': { type: 'string', multiple: true, value: 'TAGS', help: 'skip tasks with these tags (comma-separated, repeatable)' },
  'start-at-task': { type: 'string', value: 'NAME', help: 'skip every task before the one with this name' },
  'list-tasks': { type: 'boolean', help: 'list the tasks that would run (with their tags); run nothing' },
  'list-hosts': { type: 'boolean', help: 'list the hosts each play would run on; run nothing' },
  'extra-vars': EXTRA_VARS,
  check: { type: 'boolean', short: 'C', help: 'change nothing; modules report what they would do' },
  diff: { type: 'boolean', short: 'D', help: 'show before/after where a module can' },
  forks: { type: 'string', short: 'f', value: 'N', help: 'hosts worked on at once (default 50)' },
  json: { type: 'boolean', help: 'JSON Lines on stdout, one event per line' },
  plain: { type: 'boolean', help: 'plain lines even on a terminal' },
  verbose: { type: 'count', short: 'v', help: '-v whole results; -vv also task paths and hosts; -vvv also connection and become details' },
  yes: { type: 'boolean', short: 'y', help: 'answer yes to every confirmation (pause prompts)' },
  'from-run': { type: 'string', value: 'ID|last', help: 'read values recorded by an earlier run (omsplay runs lists them)' },
  'no-on-failure': { type: 'boolean', help: 'do not run on_failure plays; print how to roll back' },
  'accept-new-host-keys': { type: 'boolean', help: 'accept and record unknown host keys (changed keys are still refused)' },
  'ask-pass': { type: 'boolean', short: 'k', help: 'ask for the SSH password' },
} as const;

export const VALIDATE_OPTIONS = {
  inventory: INVENTORY,
  'extra-vars': EXTRA_VARS,
  'from-run': { type: 'string', value: 'ID|last', help: 'check as a run with --from-run would (without it: a warning when the playbook reads from_run values)' },
} as const;

export const INVENTORY_OPTIONS = {
  inventory: INVENTORY,
  graph: { type: 'boolean', help: 'draw regions, groups and hosts (the default; PATTERN narrows it)' },
  list: { type: 'boolean', help: 'everything as JSON (secrets masked)' },
  host: { type: 'string', value: 'NAME', help: "one host's merged variables as JSON (secrets masked)" },
} as const;

export const RUNS_OPTIONS = {
  json: { type: 'boolean', help: 'as JSON' },
} as const;

export const REPORT_OPTIONS = {
  output: { type: 'string', short: 'o', value: 'FILE', help: 'where to write the HTML page (default: report.html beside the run\'s journal)' },
  json: { type: 'boolean', help: 'print the report\'s data as JSON instead' },
} as const;

export const UNLOCK_OPTIONS = {
  inventory: INVENTORY,
  limit: { type: 'string', short: 'l', value: 'PATTERN', help: 'only these hosts' },
} as const;

export const COMPLETION_OPTIONS = {} as const;

const EXIT_CODES = 'exit codes: 0 ok, 1 error, 2 a host failed, 3 a host unreachable, 4 parse/validation error, 5 bad options, 99 interrupted, 250 unexpected';

export const COMMANDS: CommandSpec[] = [
  {
    name: 'run',
    args: 'PLAYBOOK -i INVENTORY',
    argHelp: { PLAYBOOK: 'a playbook file, or a shipped one by name (upgrade.yml, rollback.yml)' },
    summary: 'run a playbook',
    options: RUN_OPTIONS,
    after: EXIT_CODES,
    load: async () => (await import('./run.js')).runCommand,
  },
  {
    name: 'validate',
    args: 'PLAYBOOK -i INVENTORY',
    argHelp: { PLAYBOOK: 'a playbook file, or a shipped one by name' },
    summary: 'every check a run makes first, connecting to nothing',
    options: VALIDATE_OPTIONS,
    load: async () => (await import('./validate.js')).validateCommand,
  },
  {
    name: 'inventory',
    args: '-i INVENTORY [PATTERN]',
    argHelp: { PATTERN: 'with --graph: only the hosts this pattern matches' },
    summary: 'show an inventory: --graph, --list or --host NAME',
    options: INVENTORY_OPTIONS,
    load: async () => (await import('./inventory.js')).inventoryCommand,
  },
  {
    name: 'runs',
    summary: 'earlier runs: status, duration, report',
    options: RUNS_OPTIONS,
    load: async () => (await import('./runs.js')).runsCommand,
  },
  {
    name: 'report',
    args: '[RUN_ID|last]',
    argHelp: { 'RUN_ID|last': 'the run (default: the latest); omsplay runs lists them' },
    summary: "one self-contained HTML page of a run: timeline, downtime, changes, MetaDB",
    options: REPORT_OPTIONS,
    load: async () => (await import('./report.js')).reportCommand,
  },
  {
    name: 'unlock',
    args: 'NAME -i INVENTORY',
    argHelp: { NAME: 'the lock name (e.g. oms-upgrade)' },
    summary: 'break a run lock left by a run that died',
    options: UNLOCK_OPTIONS,
    load: async () => (await import('./unlock.js')).unlockCommand,
  },
  {
    name: 'modules',
    args: '[NAME]',
    argHelp: { NAME: "one module: its arguments, check mode and an example" },
    summary: 'modules, or one module\'s arguments',
    options: {},
    load: async () => (await import('./modules.js')).modulesCommand,
  },
  {
    name: 'completion',
    args: 'bash|zsh',
    argHelp: { 'bash|zsh': 'the shell; e.g. source <(omsplay completion bash)' },
    summary: 'print a shell completion script',
    options: COMPLETION_OPTIONS,
    load: async () => (await import('./completion.js')).completionCommand,
  },
];
