/**
 * oms.health: wait until an OMS container is healthy, asked from the OMS host itself (the control
 * node may reach it only through a bastion): the container's last log line is
 * `OMS service start successfully` (as OBD's health_check) and GET /oms/health on the console port
 * answers `data.healthy == true` (HTTPS when the container has the certificate mount).
 */
import { containerLogs } from '../../commands/docker.js';
import { httpGet } from '../../commands/http.js';
import { TaskFailedError } from '../../errors.js';
import type { ModuleContext, ModuleDefinition, ModuleResult } from '../types.js';
import { sleep } from '../../sleep.js';
import { OMS_CERT_DESTINATION } from '../docker/info.js';
import { dockerError, dockerHostProperty, dockerTarget, readContainer } from '../docker/inspect.js';

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
}

/** `data.healthy == true` of the health endpoint's JSON envelope. */
export function healthOk(body: string): { ok: boolean; data: unknown } {
  try {
    const j = JSON.parse(body) as { data?: { healthy?: unknown } };
    return { ok: j?.data?.healthy === true, data: j?.data ?? j };
  } catch {
    return { ok: false, data: body.slice(0, 200) };
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
      scheme: { enum: ['auto', 'http', 'https'], default: 'auto', description: 'auto: https when the container mounts the certificate at ' + OMS_CERT_DESTINATION + '.' },
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
    { name: 'url', description: 'The URL asked on the host.' },
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
    const https = args.scheme === 'https' || ((args.scheme ?? 'auto') === 'auto' && c.mounts.some((m) => m.destination === OMS_CERT_DESTINATION));
    const url = `${https ? 'https' : 'http'}://${args.address ?? '127.0.0.1'}:${args.port ?? 8089}${args.path ?? '/oms/health'}`;
    const want = args.log_line ?? 'OMS service start successfully';
    const interval = (args.interval ?? 5) * 1000;
    const deadline = Date.now() + (args.timeout ?? 600) * 1000;
    const started = Date.now();
    let attempts = 0;
    let p: Probe;
    for (;;) {
      attempts++;
      p = await probe(ctx, args, url, want, https, t);
      if (p.healthy || ctx.check || Date.now() + interval > deadline || ctx.signal.aborted) break;
      ctx.progress({ done: Math.round((Date.now() - started) / 1000), total: args.timeout ?? 600, unit: 'items', message: `waiting: ${p.error ?? 'not healthy yet'}` });
      await sleep(interval, ctx.signal);
    }
    const res: ModuleResult = {
      changed: false,
      healthy: p.healthy,
      url,
      attempts,
      elapsed_s: Math.round((Date.now() - started) / 1000),
      state: p.status,
      last_log_line: p.lastLogLine,
      health: p.health,
      msg: p.healthy ? `${args.container} healthy` : `${args.container} not healthy: ${p.error}`,
    };
    if (!p.healthy && !ctx.check) {
      throw new TaskFailedError(`${args.container} on ${ctx.host} not healthy after ${res.elapsed_s}s: ${p.error}`, res, {
        hint: 'docker logs the container on that host; raise `timeout` when the start is slow',
      });
    }
    return res;
  },
};

async function probe(ctx: ModuleContext, args: HealthArgs, url: string, want: string, https: boolean, t: { dockerHost?: string }): Promise<Probe> {
  const c = await readContainer(ctx, args.container, t);
  const out: Probe = { running: Boolean(c?.running), status: c?.status ?? 'absent', lastLogLine: null, logOk: false, httpOk: false, healthy: false, health: null, error: null };
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
  const r = await ctx.exec({ argv: httpGet(url, 5) });
  if (r.exitCode === 127) throw new TaskFailedError(`neither curl nor wget is installed on ${ctx.host}`, {}, { hint: 'install curl on the OMS hosts' });
  if (r.exitCode === 0) {
    const h = healthOk(r.stdout);
    out.httpOk = h.ok;
    out.health = h.data;
  }
  out.healthy = out.logOk && out.httpOk;
  if (!out.healthy) {
    out.error = !out.logOk
      ? `last log line is ${JSON.stringify(out.lastLogLine)}, waiting for ${JSON.stringify(want)}`
      : r.exitCode !== 0
        ? `${url} did not answer (${(r.stderr.trim() || `exit ${r.exitCode}`).split('\n').pop()})${https ? '' : ''}`
        : `${url} answered data.healthy != true`;
  }
  return out;
}
