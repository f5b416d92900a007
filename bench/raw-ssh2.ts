/**
 * The raw limit: the least a runner can do over SSH. One ssh2 connection per host (setNoDelay), then each step
 * on every host in parallel (a host's ops in order, one exec channel each), the next step when all are done.
 * No inventory, templates, modules or reporting. A copy is one `sha256sum` probe plus, when it differs, one
 * `cat > tmp && mv` with the content on stdin.
 *
 *   node raw-ssh2.mjs SPEC.json   ->  prints {"connectMs":..,"totalMs":..,"execs":..} on stdout
 *
 * SPEC = { hosts: [{ host, port, username, keyFile }], steps: RawStep[] } (bench/workloads.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import type { RawOp, RawStep } from './workloads.js';

interface RawHost {
  host: string;
  port: number;
  username: string;
  keyFile: string;
}

function connect(h: RawHost, privateKey: Buffer): Promise<ssh2.Client> {
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    c.once('ready', () => resolve(c));
    c.once('error', reject);
    c.connect({ host: h.host, port: h.port, username: h.username, privateKey, readyTimeout: 30_000 });
    // Nagle + delayed ACKs cost ~40 ms per round trip otherwise.
    c.setNoDelay(true);
  });
}

function exec(c: ssh2.Client, cmd: string, stdin?: string): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    c.exec(cmd, (err, ch) => {
      if (err) return reject(err);
      let stdout = '';
      let code = -1;
      ch.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      ch.stderr.resume();
      ch.on('exit', (c: number) => {
        code = c;
      });
      ch.on('close', () => (code === 0 ? resolve({ code, stdout }) : reject(new Error(`${cmd}: exit ${code}`))));
      ch.end(stdin);
    });
  });
}

async function runOp(c: ssh2.Client, op: RawOp): Promise<number> {
  if ('exec' in op) {
    await exec(c, op.exec);
    return 1;
  }
  const { dest, content } = op.copy;
  const want = createHash('sha256').update(content).digest('hex');
  const probe = await exec(c, `sha256sum < ${dest} 2>/dev/null || true`);
  if (probe.stdout.split(' ')[0] === want) return 1;
  await exec(c, `cat > ${dest}.tmp && mv ${dest}.tmp ${dest}`, content);
  return 2;
}

async function main(): Promise<void> {
  const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { hosts: RawHost[]; steps: RawStep[] };
  const t0 = performance.now();
  const keys = new Map<string, Buffer>();
  const key = (f: string) => keys.get(f) ?? keys.set(f, readFileSync(f)).get(f)!;
  const clients = await Promise.all(spec.hosts.map((h) => connect(h, key(h.keyFile))));
  const connectMs = performance.now() - t0;
  let execs = 0;
  for (const step of spec.steps) {
    await Promise.all(
      clients.map(async (c) => {
        for (const op of step) {
          const n = await runOp(c, op);
          execs += n;
        }
      }),
    );
  }
  for (const c of clients) c.end();
  process.stdout.write(`${JSON.stringify({ connectMs: Math.round(connectMs), totalMs: Math.round(performance.now() - t0), execs })}\n`);
}

main().catch((e) => {
  process.stderr.write(`raw-ssh2: ${(e as Error).message}\n`);
  process.exit(1);
});
