/** docker.exec: run a command inside a running container, with its output and exit code. */
import { execInContainer } from '../../commands/docker.js';
import { envFileContent } from '../../commands/docker.js';
import type { ExecResult } from '../../connection/types.js';
import type { ModuleDefinition, ModuleResult } from '../types.js';
import { withPrivateDir } from '../../plan/private-dir.js';
import { dockerError, isDockerMissing } from '../../commands/docker-errors.js';
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

export const dockerExec: ModuleDefinition<ExecArgs> = {
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

  async run(args, ctx) {
    const t = dockerTarget(args, ctx);
    const env = args.env ? Object.fromEntries(Object.entries(args.env).map(([k, v]) => [k, String(v)])) : undefined;
    const spec = { container: args.container, command: execCommand(args.command), env, user: args.user, workdir: args.workdir };
    if (ctx.check) return { changed: false, skipped: true, msg: `would run in ${args.container}: ${JSON.stringify(spec.command)}` };
    const secretEnv = Object.values(env ?? {}).some((v) => ctx.masker.mask(v) !== v);
    const go = async (envFile?: string): Promise<{ argv: string[]; r: ExecResult }> => {
      const argv = execInContainer(envFile ? { ...spec, envFile } : spec, t);
      return { argv, r: await ctx.exec({ argv }) };
    };
    const { argv, r } = secretEnv ? await withPrivateDir(ctx, async (d) => go(await d.write('env', envFileContent(env ?? {})))) : await go();
    // docker's own failures (no CLI, no daemon, no such container) are told apart from the command's
    // (clients before 23 say "Error: No such container", later ones "Error response from daemon: …").
    if (r.exitCode !== 0 && /(?:Error response from daemon|Error): (No such container|Container .* is not running)/i.test(r.stderr)) {
      const why = /No such container/i.test(r.stderr) ? 'does not exist' : 'is not running';
      throw failed(`container ${args.container} ${why} on ${ctx.host}`, { rc: r.exitCode, stderr: r.stderr });
    }
    if (r.exitCode !== 0 && (/Cannot connect to the Docker daemon|permission denied while trying to connect/i.test(r.stderr) || isDockerMissing(r)))
      throw dockerError(ctx.host, argv, r, 'docker exec');
    const res: ModuleResult = {
      changed: true,
      rc: r.exitCode,
      stdout: r.stdout,
      stderr: r.stderr,
      stdout_lines: r.stdout.split('\n').filter((l, i, a) => l !== '' || i < a.length - 1),
      msg: `exit ${r.exitCode}`,
    };
    if (r.exitCode !== 0 && args.fail_on_error !== false) {
      const last = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join('\n');
      throw failed(`command in ${args.container} exited ${r.timedOut ? '(timed out) ' : ''}${r.exitCode}: ${last}`, res);
    }
    return res;
  },
};
