import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerContainer } from '../../../lib/modules/docker/container.js';
import { omsHealth } from '../../../lib/modules/oms/health.js';
import { type Target, ctxFor, getTarget } from './target.js';

let t: Target;
const OK = 'omsplay_mod_health_ok';
const BAD = 'omsplay_mod_health_bad';
const TLS = 'omsplay_mod_health_tls';
const CERT_HTTP = 'omsplay_mod_health_cert_http';
const LOG_LATE = 'omsplay_mod_health_log_late';
const HTTP_LATE = 'omsplay_mod_health_http_late';
const docker = (...a: string[]) => t.sh(['docker', ...a]);

// Each stand-in listens on its own port: the containers share the host network and live until afterAll.
/** A stand-in OMS: serves /oms/health with busybox httpd after a delay, then logs the start line. */
function fakeOms(port: number, healthy: boolean, delay: number): string {
  return [
    'mkdir -p /www/oms',
    `echo '{"success":true,"data":{"healthy":${healthy}}}' > /www/oms/health`,
    'echo starting',
    `sleep ${delay}`,
    `httpd -p 127.0.0.1:${port} -h /www`,
    'echo "OMS service start successfully"',
    'exec sleep 3600',
  ].join('; ');
}

beforeAll(async () => {
  t = await getTarget();
  await docker('rm', '-f', OK, BAD, TLS, CERT_HTTP, LOG_LATE, HTTP_LATE);
  await t.sh(['sh', '-c', 'mkdir -p /tmp/omsplay-mod-4-cert && touch /tmp/omsplay-mod-4-cert/crt']);
});
afterAll(async () => {
  await docker('rm', '-f', OK, BAD, TLS, CERT_HTTP, LOG_LATE, HTTP_LATE);
});

describe('oms.health', () => {
  it('waits until the log line and the health answer both say started', async () => {
    await dockerContainer.run({ name: OK, image: t.baseImage, network_mode: 'host', command: ['sh', '-c', fakeOms(18094, true, 2)] }, ctxFor(t));
    const ctx = ctxFor(t);
    const r = await omsHealth.run({ container: OK, port: 18094, timeout: 30, interval: 1 }, ctx);
    expect(r).toMatchObject({ changed: false, healthy: true, url: 'http://127.0.0.1:18094/oms/health', last_log_line: 'OMS service start successfully' });
    expect(r.attempts).toBeGreaterThan(1);
    expect(r.health).toEqual({ healthy: true });
    expect(ctx.events.length).toBeGreaterThan(0);
  });

  it('a healthy answer without the log line is not started: it waits for the line', async () => {
    // The health endpoint answers at once; the start line is logged 8 s later.
    const script = ['mkdir -p /www/oms', `echo '{"success":true,"data":{"healthy":true}}' > /www/oms/health`, 'httpd -p 127.0.0.1:18097 -h /www', 'echo starting', 'sleep 8', 'echo "OMS service start successfully"', 'exec sleep 3600'].join('; ');
    await dockerContainer.run({ name: LOG_LATE, image: t.baseImage, network_mode: 'host', command: ['sh', '-c', script] }, ctxFor(t));
    const early = await omsHealth.run({ container: LOG_LATE, port: 18097, timeout: 2, interval: 1 }, ctxFor(t)).catch((e) => e);
    expect(early.message).toMatch(/not healthy after \d+s: last log line is "starting", waiting for "OMS service start successfully"/);
    expect(early.result).toMatchObject({ healthy: false, health: { healthy: true } });
    const r = await omsHealth.run({ container: LOG_LATE, port: 18097, timeout: 30, interval: 1 }, ctxFor(t));
    expect(r).toMatchObject({ healthy: true, last_log_line: 'OMS service start successfully', health: { healthy: true } });
    expect(r.attempts).toBeGreaterThan(1);
  });

  it('the log line without a health answer is not started: it waits for the answer', async () => {
    // The start line is logged at once; the health endpoint answers 8 s later.
    const script = ['mkdir -p /www/oms', `echo '{"success":true,"data":{"healthy":true}}' > /www/oms/health`, 'echo "OMS service start successfully"', 'sleep 8', 'httpd -p 127.0.0.1:18098 -h /www', 'exec sleep 3600'].join('; ');
    await dockerContainer.run({ name: HTTP_LATE, image: t.baseImage, network_mode: 'host', command: ['sh', '-c', script] }, ctxFor(t));
    const early = await omsHealth.run({ container: HTTP_LATE, port: 18098, timeout: 2, interval: 1 }, ctxFor(t)).catch((e) => e);
    expect(early.message).toMatch(/not healthy after \d+s: http:\/\/127\.0\.0\.1:18098\/oms\/health did not answer/);
    expect(early.result).toMatchObject({ healthy: false, last_log_line: 'OMS service start successfully' });
    const r = await omsHealth.run({ container: HTTP_LATE, port: 18098, timeout: 30, interval: 1 }, ctxFor(t));
    expect(r).toMatchObject({ healthy: true, last_log_line: 'OMS service start successfully', health: { healthy: true } });
    expect(r.attempts).toBeGreaterThan(1);
  });

  it('fails after the timeout when data.healthy is not true, saying why', async () => {
    await dockerContainer.run({ name: BAD, image: t.baseImage, network_mode: 'host', command: ['sh', '-c', fakeOms(18095, false, 0)] }, ctxFor(t));
    await expect(omsHealth.run({ container: BAD, port: 18095, timeout: 3, interval: 1 }, ctxFor(t))).rejects.toThrow(/not healthy after \d+s: .*data\.healthy != true/);
    // check mode: one probe, a report, no failure
    const c = await omsHealth.run({ container: BAD, port: 18095, timeout: 3, interval: 1 }, ctxFor(t, { check: true }));
    expect(c).toMatchObject({ healthy: false, attempts: 1 });
  });

  it('asks over https when the container has the certificate mount, and fails for a missing container', async () => {
    await dockerContainer.run(
      { name: TLS, image: t.baseImage, volumes: ['/tmp/omsplay-mod-4-cert/crt:/etc/pki/nginx/oms_server.crt'], command: ['sleep', '3600'] },
      ctxFor(t),
    );
    const r = await omsHealth.run({ container: TLS, port: 18096, timeout: 1, interval: 1 }, ctxFor(t, { check: true }));
    expect(r.url).toBe('https://127.0.0.1:18096/oms/health');
    await expect(omsHealth.run({ container: 'omsplay_mod_nope', timeout: 1 }, ctxFor(t))).rejects.toThrow(/does not exist/);
  });

  it('finds the console that answers: a certificate mount with plain HTTP is healthy over http, and says so', async () => {
    await dockerContainer.run(
      {
        name: CERT_HTTP,
        image: t.baseImage,
        network_mode: 'host',
        volumes: ['/tmp/omsplay-mod-4-cert/crt:/etc/pki/nginx/oms_server.crt'],
        command: ['sh', '-c', fakeOms(18099, true, 0)],
      },
      ctxFor(t),
    );
    const r = await omsHealth.run({ container: CERT_HTTP, port: 18099, timeout: 20, interval: 1 }, ctxFor(t));
    expect(r).toMatchObject({ healthy: true, scheme: 'http', tried: ['https', 'http'], url: 'http://127.0.0.1:18099/oms/health' });
    // Forced to the wrong scheme, it fails naming what it asked.
    await expect(omsHealth.run({ container: CERT_HTTP, port: 18099, scheme: 'https', timeout: 2, interval: 1 }, ctxFor(t))).rejects.toThrow(
      /not healthy after \d+s: https:\/\/127\.0\.0\.1:18099\/oms\/health did not answer/,
    );
    const plain = await omsHealth.run({ container: CERT_HTTP, port: 18099, scheme: 'http', timeout: 5, interval: 1 }, ctxFor(t));
    expect(plain).toMatchObject({ healthy: true, scheme: 'http', tried: ['http'] });
  });
});
