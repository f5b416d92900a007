/**
 * command: runs a program with arguments on the host, without a shell. A free-form string is
 * split into words like a shell would (quotes, backslashes) but pipes, redirections and `;` are
 * refused: that is what `shell` is for.
 */
import { quoteArgv } from '../connection/quote.js';
import { CommandSplitError, splitCommand } from '../commands/split-command.js';
import { definePlanModule } from '../plan/define.js';
import { type GuardFacts, type RunArgs, commandResultFields, finishRun, gatherGuards, guardSkip, plannedRun, runSchema } from './support/run-command.js';

export interface CommandArgs extends RunArgs {
  cmd?: string | string[];
  argv?: string[];
}

export const command = definePlanModule<CommandArgs, GuardFacts>({
  name: 'command',
  summary: 'Run a program with arguments on the host, without a shell (no pipes, redirections or variable expansion).',
  freeForm: 'cmd',
  schema: {
    type: 'object',
    properties: {
      cmd: {
        description: 'The command: a string split into words like a shell would (quotes and backslashes work; `|`, `;`, `&`, `<`, `>` and substitutions are refused), or an argv list.',
        oneOf: [
          { type: 'string', minLength: 1 },
          { type: 'array', items: { type: 'string' }, minItems: 1 },
        ],
        errorMessage: 'a command string or a non-empty list of strings (argv)',
      },
      argv: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'The command as an argv list (alternative to `cmd`).' },
      ...runSchema('command'),
    },
    additionalProperties: false,
    oneOf: [{ required: ['cmd'] }, { required: ['argv'] }],
    errorMessage: 'exactly one of `cmd` (string or list) or `argv` (list)',
  },
  checkMode: 'none',
  runsInCheckMode: true,
  changedMeans: 'The command ran (use `changed_when` to say otherwise). Not changed when `creates`/`removes` skipped it.',
  result: commandResultFields,
  example: `- name: Read the OS release
  command: [cat, /etc/os-release]
  register: os_release

- name: Unpack the release once
  command:
    cmd: tar -xzf /opt/oms/oms.tar.gz -C /opt/oms
    creates: /opt/oms/VERSION`,
  gather: gatherGuards,

  plan(args, guards, env) {
    let argv: string[];
    try {
      argv = args.argv ?? (typeof args.cmd === 'string' ? splitCommand(args.cmd) : [...(args.cmd ?? [])]);
    } catch (e) {
      if (e instanceof CommandSplitError) return { commands: [], result: { failed: true, msg: `${e.message}; hint: ${e.hint}` } };
      throw e;
    }
    if (argv.length === 0) return { commands: [], result: { failed: true, msg: 'empty command' } };
    const cmd = quoteArgv(argv);
    const skip = guardSkip(args, guards);
    if (skip) return { commands: [], result: { ...skip, cmd } };
    return { commands: [plannedRun({ argv }, args, env)], result: { cmd, msg: `run: ${cmd}` } };
  },

  finish: finishRun,
});
