/**
 * docker.container: a container in a wanted state, with the run spec the OMS procedure uses.
 * Reads `docker inspect` first and compares the spec field by field; a mismatch fails the task
 * (listing the fields) unless `recreate: true`. The restart policy is fixed in place with
 * `docker update --restart` (the upgrade parks stopped old containers with `no`).
 */
import {
  type ContainerSpec,
  type DockerTarget,
  createContainer,
  envFileContent,
  removeContainer,
  restartContainer,
  runContainer,
  startContainer,
  stopContainer,
  updateRestartPolicy,
} from '../../commands/docker.js';
import type { ModuleContext, ModuleDefinition, ModuleResult } from '../types.js';
import { withPrivateDir } from '../mysql/private-dir.js';
import {
  type ContainerFacts,
  type FieldDiff,
  type WantedSpec,
  compareSpec,
  docker,
  dockerHostProperty,
  dockerTarget,
  failed,
  normalizeRestartPolicy,
  readContainer,
  readImage,
  toVolumeSpecs,
} from './inspect.js';

type State = 'started' | 'stopped' | 'restarted' | 'absent' | 'present';

export interface ContainerArgs {
  name: string;
  state?: State;
  image?: string;
  network_mode?: string;
  volumes?: Array<string | { source: string; destination: string; mode?: string }>;
  env?: Record<string, string | number | boolean>;
  privileged?: boolean;
  pids_limit?: number;
  ulimits?: string[];
  restart_policy?: string;
  extra_args?: string[];
  command?: string | string[];
  recreate?: boolean;
  stop_timeout?: number;
  docker_host?: string;
}

const volumeItem = {
  oneOf: [
    { type: 'string', description: '`HOST_PATH:CONTAINER_PATH[:MODE]`' },
    {
      type: 'object',
      additionalProperties: false,
      required: ['source', 'destination'],
      properties: {
        source: { type: 'string' },
        destination: { type: 'string' },
        mode: { type: 'string', description: 'ro, rw, z, ...' },
      },
    },
  ],
};

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 2, description: 'Container name (docker rejects one-character names).' },
    state: {
      enum: ['started', 'stopped', 'restarted', 'absent', 'present'],
      default: 'started',
      description: 'started: exists and runs; stopped: exists and does not run; restarted: always restarted; present: exists (created if missing, not started); absent: removed.',
    },
    image: { type: 'string', description: 'Image reference (`repo:tag` or id). Needed to create the container; when given, an existing container must run that image.' },
    network_mode: { type: 'string', description: 'Docker network mode, e.g. `host`. Compared when given.' },
    volumes: { type: 'array', items: volumeItem, description: 'Bind mounts. Compared as a set when given.' },
    env: {
      type: 'object',
      additionalProperties: { type: ['string', 'number', 'boolean'] },
      description: 'Environment. When given, the container env (minus what the image sets) must equal it. Values that are secrets go through a 0600 --env-file, never argv.',
    },
    privileged: { type: 'boolean', description: '--privileged. Compared when given.' },
    pids_limit: { type: 'integer', description: '--pids-limit; -1 = unlimited. Compared when given.' },
    ulimits: { type: 'array', items: { type: 'string', pattern: '^[a-z]+=-?\\d+(:-?\\d+)?$' }, description: '`NAME=SOFT[:HARD]`, e.g. `nproc=65535:65535`. Compared when given.' },
    restart_policy: {
      type: 'string',
      pattern: '^(no|always|unless-stopped|on-failure(:\\d+)?)$',
      description: 'Restart policy. A different policy on an existing container is changed in place (docker update), without recreating.',
    },
    extra_args: { type: 'array', items: { type: 'string' }, description: 'More `docker run` options, used on creation only (not compared).' },
    command: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], description: 'Command (a string is split on spaces; use a list for arguments with spaces). Compared when given.' },
    recreate: { type: 'boolean', default: false, description: 'Remove and recreate a container whose spec differs (otherwise the task fails listing the differences).' },
    stop_timeout: { type: 'integer', minimum: 0, default: 10, description: 'Seconds docker waits after SIGTERM before SIGKILL (stop, restart, absent).' },
    docker_host: dockerHostProperty,
  },
} as const;

function toSpec(a: ContainerArgs): ContainerSpec {
  return {
    name: a.name,
    image: a.image ?? '',
    networkMode: a.network_mode,
    volumes: a.volumes ? toVolumeSpecs(a.volumes) : undefined,
    env: a.env ? Object.fromEntries(Object.entries(a.env).map(([k, v]) => [k, String(v)])) : undefined,
    privileged: a.privileged,
    pidsLimit: a.pids_limit,
    ulimits: a.ulimits,
    restartPolicy: a.restart_policy,
    extraArgs: a.extra_args,
    command: a.command === undefined ? undefined : typeof a.command === 'string' ? a.command.split(/\s+/).filter(Boolean) : a.command,
  };
}

function describe(c: ContainerFacts | null): string {
  if (!c) return 'exists: false\n';
  return `exists: true\nstate: ${c.status}\nimage: ${c.image}\nrestart_policy: ${c.restartPolicy}\n`;
}

export const dockerContainer: ModuleDefinition<ContainerArgs> = {
  name: 'docker.container',
  summary: 'Ensure a docker container is started, stopped, restarted, present or absent, with a run spec compared field by field.',
  schema,
  checkMode: 'full',
  changedMeans:
    'a container was created, started, stopped, restarted, removed, recreated, or its restart policy changed. A container that already matches is left alone (changed false). `restarted` always changes.',
  result: [
    { name: 'id', description: 'Container id (null when absent).' },
    { name: 'name', description: 'Container name.' },
    { name: 'state', description: 'running | exited | created | ... | absent, after the task.' },
    { name: 'restart_policy', description: 'Restart policy after the task.' },
    { name: 'previous_restart_policy', description: 'Restart policy before the task (to put it back later).' },
    { name: 'started_at', description: 'Start time (ISO) or null.' },
    { name: 'diffs', description: 'Spec differences found: [{field, expected, actual}].' },
    { name: 'actions', description: 'What was done (or would be, in check mode): create, start, stop, restart, remove, recreate, update_restart_policy.' },
  ],
  example: `- name: Start the new OMS container
  docker.container:
    name: oms_400
    image: "oms-all-in-one:feature_4.0.0-ce"
    state: started
    network_mode: host
    volumes:
      - /data/config.yaml:/home/admin/conf/config.yaml
      - /data/oms/oms_logs:/home/admin/logs
      - /data/oms/oms_store:/home/ds/store
      - /data/oms/oms_run:/home/ds/run
    env: {OMS_HOST_IP: "{{ address }}", IS_UPGRADE: "true"}
    privileged: true
    pids_limit: -1
    ulimits: ["nproc=65535:65535"]

- name: Stop the old container and keep docker from starting it again
  docker.container: {name: oms_331, state: stopped, restart_policy: "no", stop_timeout: 60}
  register: old`,

  async run(args, ctx) {
    const state: State = args.state ?? 'started';
    const timeout = args.stop_timeout ?? 10;
    const t = dockerTarget(args, ctx);
    const spec = toSpec(args);
    const before = await readContainer(ctx, args.name, t);
    const actions: string[] = [];
    let diffs: FieldDiff[] = [];

    if (state === 'absent') {
      if (before) actions.push('remove');
      if (!ctx.check && before) {
        // A graceful stop first: `rm -f` alone kills without the grace period.
        if (before.running) await docker(ctx, stopContainer(args.name, timeout, t), `docker stop ${args.name}`);
        await docker(ctx, removeContainer(args.name, t), `docker rm ${args.name}`);
      }
      return finish(ctx, args.name, before, ctx.check ? before : null, actions, diffs);
    }

    // The spec the container must match (only fields the task gives).
    let want: WantedSpec = {};
    if (args.image !== undefined) {
      const img = await readImage(ctx, args.image, t);
      if (!img && ctx.check) {
        // In a --check run the image may be loaded by an earlier task that did not run.
        const exists = Boolean(before);
        return {
          changed: true,
          name: args.name,
          id: before?.id ?? null,
          state: before?.status ?? 'absent',
          restart_policy: before?.restartPolicy ?? null,
          previous_restart_policy: before?.restartPolicy ?? null,
          started_at: before?.startedAt ?? null,
          diffs: [],
          actions: [exists ? 'recreate' : 'create'],
          msg: `would ${exists ? 'recreate' : 'create'} ${args.name} from ${args.image} (image not on ${ctx.host} yet: it must be loaded before)`,
        };
      }
      if (!img) {
        throw failed(`image ${args.image} is not present on ${ctx.host}`, { name: args.name }, 'load it first (docker.image) — no registry is assumed');
      }
      want = { imageId: img.id, imageEnv: img.env };
    }
    want = {
      ...want,
      volumes: spec.volumes,
      env: spec.env,
      networkMode: spec.networkMode,
      privileged: spec.privileged,
      pidsLimit: spec.pidsLimit,
      ulimits: spec.ulimits,
      command: spec.command,
      restartPolicy: spec.restartPolicy,
    };

    let current = before;
    if (current) {
      diffs = compareSpec(want, current);
      const blocking = diffs.filter((d) => d.field !== 'restart_policy');
      if (blocking.length > 0) {
        if (!args.recreate) {
          const list = blocking.map((d) => `${d.field}: expected ${JSON.stringify(d.expected)}, found ${JSON.stringify(d.actual)}`).join('; ');
          throw failed(`container ${args.name} differs from the wanted spec: ${list}`, { name: args.name, diffs }, 'set `recreate: true` to remove and recreate it');
        }
        if (!args.image) throw failed(`container ${args.name} must be recreated but no image was given`, { diffs });
        actions.push('recreate');
        if (!ctx.check) {
          if (current.running) await docker(ctx, stopContainer(args.name, timeout, t), `docker stop ${args.name}`);
          await docker(ctx, removeContainer(args.name, t), `docker rm ${args.name}`);
        }
        current = null;
      }
    }

    if (!current) {
      if (!args.image) throw failed(`container ${args.name} does not exist on ${ctx.host} and no image was given to create it`, { name: args.name });
      const run = state === 'started' || state === 'restarted';
      actions.push(run ? 'create+start' : 'create');
      if (!ctx.check) await create(ctx, spec, run, t);
    } else {
      if (spec.restartPolicy !== undefined && normalizeRestartPolicy(spec.restartPolicy) !== normalizeRestartPolicy(current.restartPolicy)) {
        actions.push('update_restart_policy');
        if (!ctx.check) await docker(ctx, updateRestartPolicy(args.name, spec.restartPolicy, t), `docker update ${args.name}`);
      }
      if (state === 'started' && !current.running) {
        actions.push('start');
        if (!ctx.check) await docker(ctx, startContainer(args.name, t), `docker start ${args.name}`);
      } else if (state === 'stopped' && current.running) {
        actions.push('stop');
        if (!ctx.check) await docker(ctx, stopContainer(args.name, timeout, t), `docker stop ${args.name}`);
      } else if (state === 'restarted') {
        actions.push('restart');
        if (!ctx.check) await docker(ctx, restartContainer(args.name, timeout, t), `docker restart ${args.name}`);
      }
    }
    const after = ctx.check ? before : await readContainer(ctx, args.name, t);
    return finish(ctx, args.name, before, after, actions, diffs);
  },
};

async function create(ctx: ModuleContext, spec: ContainerSpec, start: boolean, t: DockerTarget): Promise<void> {
  const secretEnv = Object.values(spec.env ?? {}).some((v) => ctx.masker.mask(v) !== v);
  const build = (s: ContainerSpec) => (start ? runContainer(s, t) : createContainer(s, t));
  if (!secretEnv) {
    await docker(ctx, build(spec), `docker ${start ? 'run' : 'create'} ${spec.name}`);
    return;
  }
  await withPrivateDir(ctx, async (dir) => {
    const envFile = await dir.write('env', envFileContent(spec.env ?? {}));
    await docker(ctx, build({ ...spec, envFile }), `docker ${start ? 'run' : 'create'} ${spec.name}`);
  });
}

function finish(
  ctx: ModuleContext,
  name: string,
  before: ContainerFacts | null,
  after: ContainerFacts | null,
  actions: string[],
  diffs: FieldDiff[],
): ModuleResult {
  const changed = actions.length > 0;
  const res: ModuleResult = {
    changed,
    id: after?.id ?? null,
    name,
    state: after ? after.status : 'absent',
    restart_policy: after?.restartPolicy ?? null,
    previous_restart_policy: before?.restartPolicy ?? null,
    started_at: after?.startedAt ?? null,
    image: after?.image ?? null,
    diffs,
    actions,
    msg: changed ? `${ctx.check ? 'would ' : ''}${actions.join(', ')} ${name}` : `${name} is already as wanted`,
  };
  if (ctx.diff && changed) {
    res.diff = { before: describe(before), after: ctx.check ? `${actions.map((a) => `# would ${a}`).join('\n')}\n` : describe(after), header: `container ${name}` };
  }
  return res;
}
