/**
 * shell: runs a script through `sh -c` (or `executable -c`) on the host. The only module that
 * takes a shell string. Values are best passed in `env` and read as "$NAME" in the script, which
 * needs no quoting at all.
 */
import { definePlanModule } from '../plan/define.js';
import { type GuardFacts, type RunArgs, commandResultFields, finishRun, gatherGuards, guardSkip, plannedRun, runSchema } from './support/run-command.js';

export interface ShellArgs extends RunArgs {
  cmd: string;
  executable?: string;
}

export const shell = definePlanModule<ShellArgs, GuardFacts>({
  name: 'shell',
  summary: 'Run a shell script on the host with `sh -c` (pipes, redirections, `&&`, variables all work).',
  freeForm: 'cmd',
  schema: {
    type: 'object',
    properties: {
      cmd: { type: 'string', minLength: 1, description: 'The script. Pass values through `env` and use "$NAME" in the script rather than templating them in.' },
      executable: { type: 'string', minLength: 1, description: 'Shell to run the script with (`<executable> -c <script>`), e.g. /bin/bash. Default: sh.' },
      ...runSchema('script'),
    },
    required: ['cmd'],
    additionalProperties: false,
  },
  checkMode: 'none',
  runsInCheckMode: true,
  changedMeans: 'The script ran (use `changed_when` to say otherwise). Not changed when `creates`/`removes` skipped it.',
  result: commandResultFields,
  example: `- name: Count the OMS log files
  shell: ls /home/ds/logs | wc -l
  register: log_count

- name: Archive the logs with bash
  shell:
    cmd: set -o pipefail; tar -czf - logs | sha256sum > "$OUT"
    executable: /bin/bash
    chdir: /home/ds
    env:
      OUT: /tmp/logs.sha256`,
  gather: gatherGuards,

  plan(args, guards, env) {
    const skip = guardSkip(args, guards);
    if (skip) return { commands: [], result: { ...skip, cmd: args.cmd } };
    const command = args.executable ? { argv: [args.executable, '-c', args.cmd] } : { script: args.cmd };
    return { commands: [plannedRun(command, args, env)], result: { cmd: args.cmd, msg: `run: ${args.cmd}` } };
  },

  finish: finishRun,
});
