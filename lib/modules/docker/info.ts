/** docker.info: facts about a container (and its last log lines), changing nothing. */
import type { DockerTarget } from '../../commands/docker.js';
import { type ContainerFacts, containerFact } from '../../facts/docker-container.js';
import { type ContainerLogs, logsFact } from '../../facts/docker-logs.js';
import { definePlanModule } from '../../plan/define.js';
import { dockerHostProperty, dockerTarget } from '../support/docker-target.js';

export interface InfoArgs {
  name: string;
  logs?: number;
  docker_host?: string;
}

/** Where OMS expects its HTTPS certificate; a container with this mount serves the console over HTTPS. */
export const OMS_CERT_DESTINATION = '/etc/pki/nginx/oms_server.crt';

export function factsToResult(c: ContainerFacts): Record<string, unknown> {
  return {
    exists: true,
    id: c.id,
    name: c.name,
    running: c.running,
    status: c.status,
    image: c.image,
    tag: c.tag,
    image_id: c.imageId,
    binds: c.binds,
    mounts: c.mounts.map((m) => ({ source: m.source, destination: m.destination, mode: m.mode, rw: m.rw, type: m.type })),
    env: c.env,
    network_mode: c.networkMode,
    privileged: c.privileged,
    pids_limit: c.pidsLimit,
    ulimits: Object.entries(c.ulimits).map(([k, v]) => `${k}=${v}`),
    restart_policy: c.restartPolicy,
    command: c.command,
    started_at: c.startedAt,
    finished_at: c.finishedAt,
    https: c.mounts.some((m) => m.destination === OMS_CERT_DESTINATION),
  };
}

const ABSENT = {
  exists: false,
  id: null,
  running: false,
  status: 'absent',
  image: null,
  tag: null,
  image_id: null,
  binds: [],
  mounts: [],
  env: {},
  network_mode: null,
  privileged: false,
  pids_limit: null,
  ulimits: [],
  restart_policy: null,
  command: [],
  started_at: null,
  finished_at: null,
  https: false,
  logs: [],
  last_log_line: null,
};

export const dockerInfo = definePlanModule<InfoArgs, InfoState>({
  name: 'docker.info',
  summary: 'Facts about a container from docker inspect (mounts, env, image, restart policy, state) and its last log lines.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', description: 'Container name or id.' },
      logs: { type: 'integer', minimum: 0, default: 20, description: 'How many last log lines to return (docker logs --tail); 0 = none.' },
      docker_host: dockerHostProperty,
    },
  },
  checkMode: 'read_only',
  changedMeans: 'never changes anything (changed is always false).',
  result: [
    { name: 'exists', description: 'Whether the container exists (when not, every other field is there, empty: null, [], {} or false).' },
    { name: 'running / status', description: 'Whether it runs; docker status (running, exited, created...).' },
    { name: 'image / tag / image_id', description: 'Image reference it was created from, its tag, and the image id.' },
    { name: 'binds', description: 'HostConfig.Binds strings (`SRC:DST[:MODE]`).' },
    { name: 'mounts', description: 'List of {source, destination, mode, rw, type}.' },
    { name: 'env', description: 'Environment as a map (image env included), e.g. env.OMS_HOST_IP.' },
    { name: 'network_mode, privileged, pids_limit, ulimits', description: 'Run options (pids_limit -1 = unlimited; ulimits as NAME=SOFT:HARD).' },
    { name: 'restart_policy', description: 'no | always | unless-stopped | on-failure[:N].' },
    { name: 'started_at / finished_at', description: 'ISO times or null.' },
    { name: 'https', description: 'True when the OMS certificate mount (/etc/pki/nginx/oms_server.crt) exists.' },
    { name: 'logs / last_log_line', description: 'Last log lines (stdout and stderr) and the last stdout line.' },
  ],
  example: `- name: Read the old container
  docker.info: {name: oms_331}
  register: old
- debug: {msg: "mounts {{ json old.binds }}, host ip {{ old.env.OMS_HOST_IP }}"}`,

  async gather(args, ctx) {
    const target = dockerTarget(args, ctx);
    const container = await ctx.facts.get(containerFact, { name: args.name, target });
    const n = args.logs ?? 20;
    const logs = container && n > 0 ? await ctx.facts.get(logsFact, { name: args.name, tail: n, target }) : null;
    return { target, container, logs };
  },

  plan(args, { container: c, logs }) {
    // Every field is there, empty, so templates can read them without guarding each one.
    if (!c) return { commands: [], result: { ...ABSENT, name: args.name, msg: `no container ${args.name}` } };
    const result: Record<string, unknown> = { ...factsToResult(c), msg: `${c.name}: ${c.status} (${c.image})` };
    if (logs) {
      result.logs = [...logs.stdout, ...logs.stderr];
      result.last_log_line = logs.stdout[logs.stdout.length - 1] ?? null;
    }
    return { commands: [], result };
  },
});

/** What docker.info reads: the container and, when asked, its last log lines. */
interface InfoState {
  target?: DockerTarget;
  container: ContainerFacts | null;
  logs: ContainerLogs | null;
}
