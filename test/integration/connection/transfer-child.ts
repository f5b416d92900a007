/**
 * Runs in its own Node process (so its peak RSS is the transfer's, not the test runner's): connects with the
 * settings given as JSON in argv[2], puts argv[3] to argv[4], gets it back to argv[5], and prints timings and
 * memory as one JSON line.
 */
import { ConnectionPool } from '../../../lib/connection/pool.js';
import type { ConnectionSettings, TransferProgress } from '../../../lib/connection/types.js';

const [settingsJson, local, remote, back] = process.argv.slice(2) as [string, string, string, string];
const settings = JSON.parse(settingsJson) as ConnectionSettings;
const pool = new ConnectionPool((n) => (n === 'target' ? settings : undefined), { knownHostsFiles: [], env: {} });

const rssMb = () => process.memoryUsage().rss / 2 ** 20;
let sampledPeak = 0;
const sampler = setInterval(() => {
  sampledPeak = Math.max(sampledPeak, rssMb());
}, 20);

const t0 = performance.now();
const conn = await pool.get('target');
const connectMs = performance.now() - t0;
const baselineRssMb = rssMb();
const progress: TransferProgress[] = [];
const t1 = performance.now();
await conn.put({ path: local }, remote, { mode: '0640', onProgress: (p) => progress.push(p) });
const putMs = performance.now() - t1;
const t2 = performance.now();
let gotBytes = 0;
await conn.get(remote, back, { onProgress: (p) => (gotBytes = p.transferred) });
const getMs = performance.now() - t2;
clearInterval(sampler);
await pool.closeAll();
console.log(
  JSON.stringify({
    connectMs,
    putMs,
    getMs,
    baselineRssMb,
    sampledPeakRssMb: sampledPeak,
    // ru_maxrss (kB): the kernel's peak for this whole process, module loading included.
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    progressEvents: progress.length,
    lastProgress: progress.at(-1),
    gotBytes,
  }),
);
