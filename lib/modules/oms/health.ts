/**
 * oms.health: wait until an OMS container is healthy, asked from the OMS host itself (the control
 * node may reach it only through a bastion): the container's last log line is
 * `OMS service start successfully` (as OBD's health_check) and GET /oms/health on the console port
 * answers `data.healthy == true`. The scheme is found, not guessed: `auto` asks HTTPS first when the container
 * mounts the vendor's certificate (else HTTP first) and falls back to the other one, because a site may mount the
 * certificate yet end TLS elsewhere (its console answers plain HTTP). The result says which scheme answered.
 */
import type { DockerTarget } from '../../commands/docker.js';
import { httpGet } from '../../commands/http.js';
import { TaskFailedError } from '../../errors.js';
import { containerFact } from '../../facts/docker-container.js';
import { logsFact } from '../../facts/docker-logs.js';
import { definePlanModule } from '../../plan/define.js';
import { type Polled, pollFacts } from '../../plan/poll.js';
import type { GatherContext, Plan } from '../../plan/types.js';
import { OMS_CERT_DESTINATION } from '../docker/info.js';
import { dockerHostProperty, dockerTarget } from '../support/docker-target.js';

export interface HealthArgs {
  container: string;
  port?: number;
  address?: string;
  path?: string;
  scheme?: 'auto' | 'http' | 'https';
  log_line?: string;
  check_logs?: boolean;
  timeout?: number;
  interval?: number;
  docker_host?: string;
}

export interface Probe {
  running: boolean;
  status: string;
  lastLogLine: string | null;
  logOk: boolean;
  httpOk: boolean;
  healthy: boolean;
  health: unknown;
  error: string | null;
  /** The scheme whose console answered (null: none did). */
  scheme: 'http' | 'https' | null;
}

/** `data.healthy == true` of the health endpoint's JSON envelope. */
export function healthOk(body: string): { ok: boolean; data: unknown; answered: boolean } {
  try {
    const j = JSON.parse(body) as { data?: { healthy?: unknown } };
    return { ok: j?.data?.healthy === true, data: j?.data ?? j, answered: typeof j === 'object' && j !== null };
  } catch {
    return { ok: false, data: body.slice(0, 200), answered: false };
  }
}

/** The last non-empty line of stdout, else of stderr (OMS logs to stdout). */
export function lastLine(stdout: string, stderr: string): string | null {
  const pick = (s: string) => s.split('\n').map((l) => l.trim()).filter(Boolean).pop() ?? null;
  return pick(stdout) ?? pick(stderr);
}

export const omsHealth = definePlanModule<HealthArgs, Polled<HealthProbe>>({
  name: 'oms.health',
  summary: 'Wait until an OMS container is healthy (last log line and GET /oms/health asked from the host), with timeout and polling.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['container'],
    properties: {
      container: { type: 'string', description: 'OMS container name.' },
      port: { type: 'integer', minimum: 1, maximum: 65535, default: 8089, description: 'Console (nginx) port, config.yaml nginx_server_port.' },
      address: { type: 'string', default: '127.0.0.1', description: 'Address the host uses to reach its console (the container runs with host network).' },
      path: { type: 'string', default: '/oms/health', description: 'Health path.' },
      scheme: {
        enum: ['auto', 'http', 'https'],
        default: 'auto',
        description: `auto: asks https first when the container mounts the certificate at ${OMS_CERT_DESTINATION} (else http first), then the other; the scheme that answered is kept for later probes and reported.`,
      },
      log_line: { type: 'string', default: 'OMS service start successfully', description: 'The last log line that means "started".' },
      check_logs: { type: 'boolean', default: true, description: 'Also require the log line (as OBD does).' },
      timeout: { type: 'integer', minimum: 0, default: 600, description: 'Seconds to wait before failing.' },
      interval: { type: 'integer', minimum: 1, default: 5, description: 'Seconds between probes.' },
      docker_host: dockerHostProperty,
    },
  },
  checkMode: 'full',
  changedMeans: 'never (it only reads). In check mode it probes once and reports, without waiting or failing.',
  result: [
    { name: 'healthy', description: 'true when both conditions held.' },
    { name: 'url', description: 'The URL that answered (else the first one asked).' },
    { name: 'scheme', description: '`http` or `https`: the scheme whose console answered; null when none did.' },
    { name: 'tried', description: 'The schemes asked at the first probe, in order.' },
    { name: 'attempts / elapsed_s', description: 'Probes made and seconds waited.' },
    { name: 'last_log_line', description: 'The container\'s last log line at the last probe.' },
    { name: 'health', description: 'The `data` of the health answer at the last probe.' },
  ],
  example: `- name: Wait for the new container (step 7)
  oms.health: {container: oms_400, timeout: 900, interval: 10}`,

  gather: (args, ctx) => {
    const t = dockerTarget(args, ctx);
    return pollFacts(ctx, {
      timeoutS: args.timeout ?? 600,
      intervalS: args.interval ?? 5,
      read: (previous) => readProbe(args, ctx, t, previous),
      done: (p) => p.absent_at_start || judgeProbe(args, p).healthy,
      waiting: (p) => judgeProbe(args, p).error ?? 'not healthy yet',
    });
  },
  plan: (args, polled, env) => planHealth(args, polled, env.host),
});

type Scheme = 'http' | 'https';

/** The schemes to ask, in order: one when forced; auto asks both, https first when the certificate is mounted. */
export function schemeOrder(scheme: 'auto' | Scheme, certMounted: boolean): Scheme[] {
  if (scheme !== 'auto') return [scheme];
  return certMounted ? ['https', 'http'] : ['http', 'https'];
}

/** One probe of the container, as read from the host. */
export interface HealthProbe {
  container: { running: boolean; status: string; cert_mounted: boolean } | null;
  /** The container did not exist at the first probe (the task fails at once: there is nothing to wait for). */
  absent_at_start: boolean;
  /** Its last log line (null: not read, or no log). */
  last_log_line: string | null;
  /** The schemes asked, in order, and what each GET printed; asking stops at the first console that answered. */
  order: Scheme[];
  answers: Array<{ scheme: Scheme; exitCode: number | null; stdout: string; stderr: string }>;
  /** The order of the first probe (reported as `tried`). */
  tried: Scheme[];
}

const urlOf = (args: HealthArgs, s: Scheme) => `${s}://${args.address ?? '127.0.0.1'}:${args.port ?? 8089}${args.path ?? '/oms/health'}`;
const wanted = (args: HealthArgs) => args.log_line ?? 'OMS service start successfully';

/** What one probe means: healthy when the log line and the health answer both hold, else why not. */
export function judgeProbe(args: HealthArgs, p: HealthProbe): Probe {
  const c = p.container;
  const out: Probe = { running: Boolean(c?.running), status: c?.status ?? 'absent', lastLogLine: p.last_log_line, logOk: false, httpOk: false, healthy: false, health: null, error: null, scheme: null };
  if (!c?.running) {
    out.error = `container is ${out.status}`;
    return out;
  }
  out.logOk = args.check_logs === false || p.last_log_line === wanted(args);
  const failures: string[] = [];
  for (const a of p.answers) {
    if (a.exitCode === 127) throw new TaskFailedError('neither curl nor wget is installed on the host', {}, { hint: 'install curl on the OMS hosts' });
    const h = a.exitCode === 0 ? healthOk(a.stdout) : undefined;
    if (h?.answered) {
      out.scheme = a.scheme;
      out.httpOk = h.ok;
      out.health = h.data;
      break;
    }
    failures.push(`${urlOf(args, a.scheme)} did not answer (${(a.stderr.trim() || (a.exitCode === 0 ? 'not an OMS health answer' : `exit ${a.exitCode}`)).split('\n').pop()})`);
  }
  out.healthy = out.logOk && out.httpOk;
  if (!out.healthy) {
    out.error = !out.logOk
      ? `last log line is ${JSON.stringify(p.last_log_line)}, waiting for ${JSON.stringify(wanted(args))}`
      : out.scheme
        ? `${urlOf(args, out.scheme)} answered data.healthy != true`
        : failures.join('; ');
  }
  return out;
}

/**
 * The verdict after the last probe: healthy, or a precondition not met — a real run fails saying why, --check
 * reports it (the container a check run would have started is not there to answer).
 */
export function planHealth(args: HealthArgs, polled: Polled<HealthProbe>, host: string): Plan {
  const probe = polled.facts;
  if (probe.absent_at_start) {
    return {
      commands: [],
      result: { healthy: false, msg: `container ${args.container} does not exist (yet)` },
      unmet: { msg: `container ${args.container} does not exist on ${host}`, check: 'a real run fails here' },
    };
  }
  const p = judgeProbe(args, probe);
  const result = {
    healthy: p.healthy,
    url: urlOf(args, p.scheme ?? probe.order[0]!),
    scheme: p.scheme,
    tried: probe.tried,
    attempts: polled.attempts,
    elapsed_s: polled.elapsed_s,
    state: p.status,
    last_log_line: p.lastLogLine,
    health: p.health,
    msg: p.healthy ? `${args.container} healthy` : `${args.container} not healthy: ${p.error}`,
  };
  if (p.healthy) return { commands: [], result };
  const hint = p.scheme
    ? 'docker logs the container on that host; raise `timeout` when the start is slow'
    : `no console answered on ${probe.tried.join(' or ')}: check the console port and oms_health_scheme (auto asks both); docker logs the container on that host`;
  return { commands: [], result, unmet: { msg: `${args.container} on ${host} not healthy after ${polled.elapsed_s}s: ${p.error}`, hint, check: 'a real run waits and fails if it stays so' } };
}

/** One probe: the container (read again each time), its last log line, the console by each scheme until one answers. */
async function readProbe(args: HealthArgs, ctx: GatherContext, t: DockerTarget, previous: HealthProbe | undefined): Promise<HealthProbe> {
  const params = { name: args.container, target: t };
  ctx.facts.invalidate(containerFact, params);
  const c = await ctx.facts.get(containerFact, params);
  const container = c ? { running: c.running, status: c.status, cert_mounted: c.mounts.some((m) => m.destination === OMS_CERT_DESTINATION) } : null;
  const first = schemeOrder(args.scheme ?? 'auto', Boolean(container?.cert_mounted));
  // Once a console answered, ask that scheme first from then on.
  const answered = previous ? answeredScheme(previous) : null;
  const order = !previous ? first : answered && previous.order[0] !== answered ? [...previous.order].reverse() : previous.order;
  const probe: HealthProbe = { container, absent_at_start: !previous && !c, last_log_line: null, order, answers: [], tried: previous?.tried ?? first };
  if (!container?.running) return probe;
  if (args.check_logs !== false) {
    const logsParams = { name: args.container, tail: 1, target: t };
    ctx.facts.invalidate(logsFact, logsParams);
    const logs = await ctx.facts.get(logsFact, logsParams);
    probe.last_log_line = lastLine(logs.stdout.join('\n'), logs.stderr.join('\n'));
  }
  for (const s of order) {
    // The login user's own rights: a plain GET needs no sudo (and a docker-only sudoers rule would refuse curl).
    const r = await ctx.exec({ argv: httpGet(urlOf(args, s), 5) }, { become: false });
    probe.answers.push({ scheme: s, exitCode: r.exitCode, stdout: r.stdout.slice(0, 4096), stderr: r.stderr.slice(-1024) });
    if (r.exitCode === 127 || (r.exitCode === 0 && healthOk(r.stdout).answered)) break;
  }
  return probe;
}

/** The scheme whose console answered in a probe, if any. */
function answeredScheme(p: HealthProbe): Scheme | null {
  return p.answers.find((a) => a.exitCode === 0 && healthOk(a.stdout).answered)?.scheme ?? null;
}
