/** docker.exec: run a command inside a running container, with its output and exit code. */
import { type DockerTarget, envFileContent, execInContainer } from '../../commands/docker.js';
import { dockerError, isDaemonUnreachable, isDockerMissing } from '../../commands/docker-errors.js';
import type { ExecResult } from '../../connection/types.js';
import { privateFile } from '../../plan/command.js';
import { definePlanModule } from '../../plan/define.js';
import type { PlannedCommand } from '../../plan/types.js';
import { dockerHostProperty, dockerTarget } from '../support/docker-target.js';
import { failed } from '../support/failed.js';

export interface ExecArgs {
  container: string;
  command: string | string[];
  env?: Record<string, string | number | boolean>;
  user?: string;
  workdir?: string;
  fail_on_error?: boolean;
  docker_host?: string;
}

/** A string runs through `sh -c` inside the container; a list is the argv itself. */
export function execCommand(command: string | string[]): string[] {
  return typeof command === 'string' ? ['sh', '-c', command] : command;
}

export const dockerExec = definePlanModule<ExecArgs, { target?: DockerTarget }>({
  name: 'docker.exec',
  summary: 'Run a command inside a running container (docker exec) and return its output and exit code.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['container', 'command'],
    properties: {
      container: { type: 'string', description: 'Container name or id.' },
      command: {
        oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }],
        description: 'A list is run as argv; a string is run by `sh -c` inside the container.',
      },
      env: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] }, description: 'Extra environment (secret values go through a 0600 --env-file).' },
      user: { type: 'string', description: 'User (name or uid[:gid]) inside the container.' },
      workdir: { type: 'string', description: 'Working directory inside the container.' },
      fail_on_error: { type: 'boolean', default: true, description: 'Fail the task when the command exits non-zero.' },
      docker_host: dockerHostProperty,
    },
  },
  checkMode: 'none',
  changedMeans: 'always true when the command ran (what it changes cannot be known); use changed_when to refine.',
  result: [
    { name: 'rc', description: 'Exit code of the command.' },
    { name: 'stdout', description: 'Standard output.' },
    { name: 'stderr', description: 'Standard error.' },
    { name: 'stdout_lines', description: 'stdout split into lines.' },
  ],
  example: `- name: Initialise the metadata (step 6)
  docker.exec:
    container: oms_400
    command: [bash, /root/docker_init.sh]
  register: init`,

  // Nothing to read first: the command is the task.
  async gather(args, ctx) {
    return { target: dockerTarget(args, ctx) };
  },

  plan(args, { target }, env) {
    const t = target ?? {};
    const vars = args.env ? Object.fromEntries(Object.entries(args.env).map(([k, v]) => [k, String(v)])) : undefined;
    const spec = { container: args.container, command: execCommand(args.command), env: vars, user: args.user, workdir: args.workdir };
    // Env holding a secret goes through a 0600 --env-file, never argv.
    const secretEnv = Object.values(vars ?? {}).some((v) => env.isSecret(v));
    const argv = execInContainer(secretEnv ? { ...spec, envFile: privateFile('env') } : spec, t);
    const cmd: PlannedCommand = {
      argv,
      what: 'docker exec',
      // The command's own exit code is judged by finish(); docker's failures are told apart there.
      okExitCodes: 'any',
      ...(secretEnv ? { privateFiles: { env: envFileContent(vars ?? {}) } } : {}),
    };
    return { commands: [cmd], result: { msg: `run in ${args.container}: ${JSON.stringify(spec.command)}` } };
  },

  finish({ args, plan, outputs, env }) {
    const r = outputs[0]!;
    dockerTrouble(r, plan.commands[0]!, args.container, env.host);
    const res = {
      rc: r.exitCode,
      stdout: r.stdout,
      stderr: r.stderr,
      stdout_lines: r.stdout.split('\n').filter((l, i, a) => l !== '' || i < a.length - 1),
      msg: `exit ${r.exitCode}`,
    };
    if (r.exitCode !== 0 && args.fail_on_error !== false) {
      const last = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join('\n');
      throw failed(`command in ${args.container} exited ${r.timedOut ? '(timed out) ' : ''}${r.exitCode}: ${last}`, { changed: true, ...res });
    }
    return res;
  },
});

/**
 * docker's own failures (no CLI, no daemon, no such container) are told apart from the command's
 * (clients before 23 say "Error: No such container", later ones "Error response from daemon: …").
 */
function dockerTrouble(r: ExecResult, c: PlannedCommand, name: string, host: string): void {
  if (r.exitCode === 0) return;
  const container = /(?:Error response from daemon|Error): (No such container|Container .* is not running)/i.exec(r.stderr);
  if (container) {
    const why = /No such container/i.test(container[1]!) ? 'does not exist' : 'is not running';
    throw failed(`container ${name} ${why} on ${host}`, { rc: r.exitCode, stderr: r.stderr });
  }
  if (isDaemonUnreachable(r) || isDockerMissing(r)) throw dockerError(host, 'argv' in c ? c.argv : [], r, 'docker exec');
}
