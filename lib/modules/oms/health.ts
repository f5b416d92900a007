/**
 * oms.health: wait until an OMS container is healthy, asked from the OMS host itself (the control
 * node may reach it only through a bastion): the container's last log line is
 * `OMS service start successfully` (as OBD's health_check) and GET /oms/health on the console port
 * answers `data.healthy == true`. The scheme is found, not guessed: `auto` asks HTTPS first when the container
 * mounts the vendor's certificate (else HTTP first) and falls back to the other one, because a site may mount the
 * certificate yet end TLS elsewhere (its console answers plain HTTP). The result says which scheme answered.
 */
import { containerLogs } from '../../commands/docker.js';
import { httpGet } from '../../commands/http.js';
import { TaskFailedError } from '../../errors.js';
import type { ModuleContext, ModuleDefinition, ModuleResult } from '../types.js';
import { sleep } from '../../sleep.js';
import { OMS_CERT_DESTINATION } from '../docker/info.js';
import { dockerError } from '../../commands/docker-errors.js';
import { readContainer } from '../support/docker-legacy.js';
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

export const omsHealth: ModuleDefinition<HealthArgs> = {
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

  async run(args, ctx) {
    const t = dockerTarget(args, ctx);
    const c = await readContainer(ctx, args.container, t);
    if (!c) {
      if (ctx.check) return { changed: false, healthy: false, msg: `container ${args.container} does not exist (yet)` };
      throw new TaskFailedError(`container ${args.container} does not exist on ${ctx.host}`, { healthy: false });
    }
    const certMounted = c.mounts.some((m) => m.destination === OMS_CERT_DESTINATION);
    const tried = schemeOrder(args.scheme ?? 'auto', certMounted);
    const schemes = [...tried];
    const urlFor = (s: Scheme) => `${s}://${args.address ?? '127.0.0.1'}:${args.port ?? 8089}${args.path ?? '/oms/health'}`;
    const want = args.log_line ?? 'OMS service start successfully';
    const interval = (args.interval ?? 5) * 1000;
    const deadline = Date.now() + (args.timeout ?? 600) * 1000;
    const started = Date.now();
    let attempts = 0;
    let p: Probe;
    for (;;) {
      attempts++;
      p = await probe(ctx, args, schemes, urlFor, want, t);
      // Once a console answered, ask that scheme first from then on.
      if (p.scheme && schemes[0] !== p.scheme) schemes.reverse();
      if (p.healthy || ctx.check || Date.now() + interval > deadline || ctx.signal.aborted) break;
      ctx.progress({ done: Math.round((Date.now() - started) / 1000), total: args.timeout ?? 600, unit: 'items', message: `waiting: ${p.error ?? 'not healthy yet'}` });
      await sleep(interval, ctx.signal);
    }
    const url = urlFor(p.scheme ?? (schemes[0] as Scheme));
    const res: ModuleResult = {
      changed: false,
      healthy: p.healthy,
      url,
      scheme: p.scheme,
      tried,
      attempts,
      elapsed_s: Math.round((Date.now() - started) / 1000),
      state: p.status,
      last_log_line: p.lastLogLine,
      health: p.health,
      msg: p.healthy ? `${args.container} healthy` : `${args.container} not healthy: ${p.error}`,
    };
    if (!p.healthy && !ctx.check) {
      throw new TaskFailedError(`${args.container} on ${ctx.host} not healthy after ${res.elapsed_s}s: ${p.error}`, res, {
        hint: p.scheme
          ? 'docker logs the container on that host; raise `timeout` when the start is slow'
          : `no console answered on ${tried.join(' or ')}: check the console port and oms_health_scheme (auto asks both); docker logs the container on that host`,
      });
    }
    return res;
  },
};

type Scheme = 'http' | 'https';

/** The schemes to ask, in order: one when forced; auto asks both, https first when the certificate is mounted. */
export function schemeOrder(scheme: 'auto' | Scheme, certMounted: boolean): Scheme[] {
  if (scheme !== 'auto') return [scheme];
  return certMounted ? ['https', 'http'] : ['http', 'https'];
}

async function probe(ctx: ModuleContext, args: HealthArgs, schemes: Scheme[], urlFor: (s: Scheme) => string, want: string, t: { dockerHost?: string }): Promise<Probe> {
  const c = await readContainer(ctx, args.container, t);
  const out: Probe = { running: Boolean(c?.running), status: c?.status ?? 'absent', lastLogLine: null, logOk: false, httpOk: false, healthy: false, health: null, error: null, scheme: null };
  if (!c?.running) {
    out.error = `container is ${out.status}`;
    return out;
  }
  if (args.check_logs !== false) {
    const argv = containerLogs(args.container, 1, t);
    const r = await ctx.exec({ argv });
    if (r.exitCode !== 0) throw dockerError(ctx.host, argv, r, `docker logs ${args.container}`);
    out.lastLogLine = lastLine(r.stdout, r.stderr);
    out.logOk = out.lastLogLine === want;
  } else out.logOk = true;
  const failures: string[] = [];
  for (const s of schemes) {
    // The login user's own rights: a plain GET needs no sudo (and a docker-only sudoers rule would refuse curl).
    const r = await ctx.exec({ argv: httpGet(urlFor(s), 5) }, { become: false });
    if (r.exitCode === 127) throw new TaskFailedError(`neither curl nor wget is installed on ${ctx.host}`, {}, { hint: 'install curl on the OMS hosts' });
    const h = r.exitCode === 0 ? healthOk(r.stdout) : undefined;
    if (h?.answered) {
      out.scheme = s;
      out.httpOk = h.ok;
      out.health = h.data;
      break;
    }
    failures.push(`${urlFor(s)} did not answer (${(r.stderr.trim() || (r.exitCode === 0 ? 'not an OMS health answer' : `exit ${r.exitCode}`)).split('\n').pop()})`);
  }
  out.healthy = out.logOk && out.httpOk;
  if (!out.healthy) {
    out.error = !out.logOk
      ? `last log line is ${JSON.stringify(out.lastLogLine)}, waiting for ${JSON.stringify(want)}`
      : out.scheme
        ? `${urlFor(out.scheme)} answered data.healthy != true`
        : failures.join('; ');
  }
  return out;
}
