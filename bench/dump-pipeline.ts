/**
 * Where a streaming dump's extra time goes (issue 15: mysql.dump at 1.35-1.50x of a hand-run mysqldump): the same
 * mysqldump of one database on one lab host, written six ways, timed over ssh, on the host's own shell.
 *
 *   npx tsx bench/dump-pipeline.ts --lab-id 19 --mb 900 --runs 3 --out bench/results/dump-pipeline.md
 *
 * result-file / redirect: mysqldump alone (the by-hand baseline); tee-null: the tee into the file, no hash;
 * tee-openssl: what mysql.dump streams (tee into the file and OpenSSL's sha256, one pass); resultfile+openssl: the
 * file first, then one hash pass over it (from the page cache); dd-tee-openssl: tee with 1 MB blocks to the hasher.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { startLab } from '../test/lab/lab.js';
import { seedMetadb } from './extras.js';

const { values: opt } = parseArgs({ options: { 'lab-id': { type: 'string' }, mb: { type: 'string' }, runs: { type: 'string' }, out: { type: 'string' } } });
const lab = await startLab({ id: Number(opt['lab-id'] ?? 19), hosts: 1, mariadb: true });
const runs = Number(opt.runs ?? 3);
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
try {
  const m = lab.mariadb!;
  const h = lab.hosts[0]!.name;
  const dbMb = await seedMetadb(lab, Number(opt.mb ?? 900), (s) => process.stderr.write(`${s}\n`));
  await lab.sh(h, `mkdir -p /tmp/dx && umask 077 && printf '[client]\\npassword=%s\\n' '${m.password}' > /root/.bx.cnf`, { check: true });
  const dump = `mysqldump --defaults-extra-file=/root/.bx.cnf --host=${m.host} --port=${m.port} --user=${m.user} --triggers=false benchmeta`;
  const variants: Record<string, string> = {
    'result-file': `${dump} --result-file=/tmp/dx/f`,
    redirect: `${dump} > /tmp/dx/f`,
    'tee-null': `${dump} | tee /tmp/dx/f > /dev/null`,
    'tee-openssl': `${dump} | tee /tmp/dx/f | openssl dgst -sha256 -r > /tmp/dx/s`,
    'resultfile+openssl': `${dump} --result-file=/tmp/dx/f && openssl dgst -sha256 -r /tmp/dx/f > /tmp/dx/s`,
    'dd-tee-openssl': `${dump} | tee /tmp/dx/f | dd bs=1M status=none iflag=fullblock | openssl dgst -sha256 -r > /tmp/dx/s`,
  };
  const time = async (cmd: string) => {
    await lab.sh(h, 'rm -f /tmp/dx/f; sync', { check: true });
    const s = performance.now();
    await lab.sh(h, cmd, { check: true, timeoutMs: 600_000 });
    return Math.round(performance.now() - s);
  };
  const startLoad = load();
  await time(variants['result-file']!); // warms the buffer pool and the page cache
  const ms: Record<string, number[]> = {};
  for (let i = 0; i < runs; i++) for (const [k, v] of Object.entries(variants)) (ms[k] ??= []).push(await time(v));
  const dumpMb = Number((await lab.exec(h, ['stat', '-c', '%s', '/tmp/dx/f'], { check: true })).stdout) / 1048576;
  const med = (k: string) => [...ms[k]!].sort((a, b) => a - b)[Math.floor(runs / 2)]!;
  const base = med('result-file');
  const rows = Object.keys(variants).map((k) => `| ${k} | \`${variants[k]!.replace(dump, 'mysqldump …').replace(/\|/g, '\\|')}\` | ${(med(k) / 1000).toFixed(2)} s | ${(med(k) / base).toFixed(2)}× |`);
  const md = [
    '# A streaming dump, taken apart (bench/dump-pipeline.ts)',
    '',
    `${new Date().toISOString()}, ${os.cpus().length} cores, MetaDB ${dbMb.toFixed(0)} MB (dump ${dumpMb.toFixed(0)} MB), median of ${runs} runs each after one warm-up, variants interleaved; MariaDB runs on the same cores. Load average at the start ${startLoad}, at the end ${load()}.`,
    '',
    '| variant | on the host | median | × result-file |',
    '|---|---|---:|---:|',
    ...rows,
    '',
  ].join('\n');
  process.stdout.write(md);
  if (opt.out) await writeFile(opt.out, md);
} finally {
  await lab.stop();
}
