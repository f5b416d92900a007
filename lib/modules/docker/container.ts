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
import { dockerStep } from '../../commands/docker-errors.js';
import { type ContainerFacts, containerFact } from '../../facts/docker-container.js';
import { type ImageFacts, imageFact } from '../../facts/docker-image.js';
import { privateFile } from '../../plan/command.js';
import { definePlanModule } from '../../plan/define.js';
import type { PlanEnv, PlannedCommand } from '../../plan/types.js';
import { type FieldDiff, type WantedSpec, compareSpec, normalizeRestartPolicy, toVolumeSpecs } from '../support/docker-spec.js';
import { dockerHostProperty, dockerTarget } from '../support/docker-target.js';
import { failed } from '../support/failed.js';

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

export const dockerContainer = definePlanModule<ContainerArgs, ContainerState>({
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


  async gather(args, ctx) {
    const target = dockerTarget(args, ctx);
    const container = await ctx.facts.get(containerFact, { name: args.name, target });
    const wantsImage = args.image !== undefined && (args.state ?? 'started') !== 'absent';
    const image = wantsImage ? await ctx.facts.get(imageFact, { ref: args.image!, target }) : null;
    return { target, container, image };
  },

  plan(args, facts, env) {
    const state: State = args.state ?? 'started';
    const t = facts.target ?? {};
    const before = facts.container;
    const steps = new Steps(args.name, args.stop_timeout ?? 10, t);

    if (state === 'absent') {
      if (before) steps.remove(before);
      return steps.plan(before, before, []);
    }

    // The spec the container must match (only fields the task gives).
    const spec = toSpec(args);
    let want: WantedSpec = {};
    if (args.image !== undefined) {
      if (!facts.image) return imageMissing(args, spec, state, steps, before, env);
      want = { imageId: facts.image.id, imageEnv: facts.image.env };
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
    let diffs: FieldDiff[] = [];
    if (current) {
      diffs = compareSpec(want, current);
      const blocking = diffs.filter((d) => d.field !== 'restart_policy');
      if (blocking.length > 0) {
        if (!args.recreate) {
          const list = blocking.map((d) => `${d.field}: expected ${JSON.stringify(d.expected)}, found ${JSON.stringify(d.actual)}`).join('; ');
          throw failed(`container ${args.name} differs from the wanted spec: ${list}`, { name: args.name, diffs }, 'set `recreate: true` to remove and recreate it');
        }
        if (!args.image) throw failed(`container ${args.name} must be recreated but no image was given`, { diffs });
        steps.remove(current, 'recreate');
        current = null;
      }
    }

    if (!current) {
      if (!args.image) throw failed(`container ${args.name} does not exist on ${env.host} and no image was given to create it`, { name: args.name });
      steps.create(spec, state === 'started' || state === 'restarted', env);
    } else {
      if (spec.restartPolicy !== undefined && normalizeRestartPolicy(spec.restartPolicy) !== normalizeRestartPolicy(current.restartPolicy)) {
        steps.add('update_restart_policy', updateRestartPolicy(args.name, spec.restartPolicy, t), `docker update ${args.name}`);
      }
      if (state === 'started' && !current.running) steps.add('start', startContainer(args.name, t), `docker start ${args.name}`);
      else if (state === 'stopped' && current.running) steps.add('stop', stopContainer(args.name, steps.timeout, t), `docker stop ${args.name}`);
      else if (state === 'restarted') steps.add('restart', restartContainer(args.name, steps.timeout, t), `docker restart ${args.name}`);
    }
    return steps.plan(before, before, diffs);
  },

  // The result describes the container after the task: read again once the commands ran.
  regather: true,
  finish({ plan, after }) {
    const actions = plan.result.actions as string[];
    const fields = containerResult(plan.result.name as string, plan.result.previous_restart_policy as string | null, after?.container ?? null, actions, plan.result.diffs as FieldDiff[]);
    return { ...fields, diff: { before: plan.diff?.before ?? '', after: describe(after?.container ?? null), header: `container ${plan.result.name}` } };
  },
});

/** What docker.container reads: the container, and the image the task names (null when absent). */
interface ContainerState {
  target?: DockerTarget;
  container: ContainerFacts | null;
  image: ImageFacts | null;
}

/** The commands of a plan with the action each stands for (`actions` of the result). */
class Steps {
  readonly actions: string[] = [];
  readonly commands: PlannedCommand[] = [];
  constructor(
    readonly name: string,
    readonly timeout: number,
    readonly t: DockerTarget,
  ) {}

  add(action: string | null, argv: string[], what: string, extra: Partial<PlannedCommand> = {}): void {
    if (action) this.actions.push(action);
    this.commands.push({ ...dockerStep(argv, what), ...extra } as PlannedCommand);
  }

  /** A graceful stop first: `rm -f` alone kills without the grace period. */
  remove(c: ContainerFacts, action = 'remove'): void {
    this.actions.push(action);
    if (c.running) this.add(null, stopContainer(this.name, this.timeout, this.t), `docker stop ${this.name}`);
    this.add(null, removeContainer(this.name, this.t), `docker rm ${this.name}`);
  }

  /** `docker run`/`create`; env holding a secret goes through a 0600 --env-file, never argv. */
  /** `action` null: part of an action already named (recreate). */
  create(spec: ContainerSpec, start: boolean, env: PlanEnv, action?: string | null): void {
    const build = (s: ContainerSpec) => (start ? runContainer(s, this.t) : createContainer(s, this.t));
    const what = `docker ${start ? 'run' : 'create'} ${spec.name}`;
    const secretEnv = Object.values(spec.env ?? {}).some((v) => env.isSecret(v));
    const act = action === undefined ? (start ? 'create+start' : 'create') : action;
    if (!secretEnv) this.add(act, build(spec), what);
    else this.add(act, build({ ...spec, envFile: privateFile('env') }), what, { privateFiles: { env: envFileContent(spec.env ?? {}) } });
  }

  plan(before: ContainerFacts | null, after: ContainerFacts | null, diffs: FieldDiff[], msg?: string) {
    const result = { ...containerResult(this.name, before?.restartPolicy ?? null, after, this.actions, diffs), ...(msg ? { msg } : {}) };
    return {
      commands: this.commands,
      result,
      diff: { before: describe(before), after: this.actions.map((a) => `# would ${a}\n`).join(''), header: `container ${this.name}` },
      invalidates: [{ fact: containerFact, params: { name: this.name, target: this.t } }],
    };
  }
}

/**
 * The image is not on the host. A real run fails; a --check run reports the create (or recreate)
 * because the image may be loaded by an earlier task that did not run.
 */
function imageMissing(args: ContainerArgs, spec: ContainerSpec, state: State, steps: Steps, before: ContainerFacts | null, env: PlanEnv) {
  const exists = Boolean(before);
  if (before) steps.remove(before, 'recreate');
  steps.create(spec, state === 'started' || state === 'restarted', env, exists ? null : 'create');
  const p = steps.plan(before, before, [], `${exists ? 'recreate' : 'create'} ${args.name} from ${args.image}`);
  return {
    ...p,
    unmet: {
      msg: `image ${args.image} is not present on ${env.host}`,
      hint: 'load it first (docker.image) — no registry is assumed',
      check: `image not on ${env.host} yet: it must be loaded before`,
    },
  };
}

function containerResult(name: string, previousRestartPolicy: string | null, after: ContainerFacts | null, actions: string[], diffs: FieldDiff[]) {
  const changed = actions.length > 0;
  return {
    id: after?.id ?? null,
    name,
    state: after ? after.status : 'absent',
    restart_policy: after?.restartPolicy ?? null,
    previous_restart_policy: previousRestartPolicy,
    started_at: after?.startedAt ?? null,
    image: after?.image ?? null,
    diffs,
    actions,
    msg: changed ? `${actions.join(', ')} ${name}` : `${name} is already as wanted`,
  };
}
