/**
 * The vendor's order done by hand (bench/vendor-by-hand.sh) on the lab's simulated site: writes the site file the
 * script reads and times the script's steps. The script is what an operator following the guide types, one host after
 * another; omsplay's figures are read beside it, in the same sitting, on the same site.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lab } from '../test/lab/lab.js';
import type { Site } from '../test/lab/oms/types.js';
import type { RunFigures } from './outage.js';

const SCRIPT = join(import.meta.dirname, 'vendor-by-hand.sh');

/** A value for a MySQL option file: double-quoted, with backslashes and quotes escaped. */
function optionValue(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A bash word: single-quoted. */
function bashWord(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

const regionVar = (r: string) => `HB_DB_${r.replace(/[^A-Za-z0-9_]/g, '_')}`;

/** Writes the operator's option file (0600) and the site file; returns the site file's path. */
export async function writeByHandSite(lab: Lab, site: Site, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const mycnf = join(dir, 'operator.cnf');
  const m = site.metadb;
  await writeFile(mycnf, `[client]\nhost=${m.host}\nport=${m.port}\nuser=${optionValue(m.user)}\npassword=${optionValue(m.password)}\n`, { mode: 0o600 });
  const hostLine = (name: string) => {
    const lh = lab.hosts.find((h) => h.name === name);
    const sh = site.hosts.find((h) => h.name === name)!;
    if (!lh) throw new Error(`lab host ${name} not found`);
    return bashWord(`${name} ${lh.address} ${lh.port} ${sh.region}`);
  };
  const regions = site.regions.map((r) => r.name);
  const lines = [
    `SSH_KEY=${bashWord(lab.users.root.keyFile)}`,
    `SSH_KNOWN_HOSTS=${bashWord(lab.knownHostsFile)}`,
    `HOSTS=(${site.hosts.map((h) => hostLine(h.name)).join(' ')})`,
    `REGIONS=(${regions.map((r) => regionVar(r).slice('HB_DB_'.length)).map(bashWord).join(' ')})`,
    ...regions.map((r) => `${regionVar(r)}=${bashWord(site.databases.heartbeat[r]!)}`),
    `OLD=${bashWord(site.containers.old)}`,
    `NEW=${bashWord(site.containers.new)}`,
    `NEW_IMAGE=${bashWord(site.newImage)}`,
    `NEW_IMAGE_TAR=${bashWord(site.paths.newImageTar)}`,
    `RM=${bashWord(site.databases.rm)}`,
    `CM=${bashWord(site.databases.cm)}`,
    `MYCNF=${bashWord(mycnf)}`,
  ];
  const file = join(dir, 'site.sh');
  await writeFile(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}

/** Runs the script; the figures come from its STEP and T lines. */
export async function runByHand(mode: 'upgrade' | 'rollback', siteFile: string, backupDir: string, load: number[]): Promise<RunFigures> {
  const args = mode === 'upgrade' ? [SCRIPT, 'upgrade', siteFile] : [SCRIPT, 'rollback', siteFile, backupDir];
  const started = Date.now();
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const p = spawn('bash', args, { env: { ...process.env, BACKUP_DIR: backupDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (c) => done({ code: c, stdout: out, stderr: err }));
  });
  const ended = Date.now();
  if (code !== 0) throw new Error(`vendor-by-hand.sh ${mode} exited ${code}: ${stderr.slice(-2000)}`);
  const marks = new Map<string, number>();
  const steps: Array<{ step: string; at: number }> = [];
  for (const line of stdout.split('\n')) {
    const s = /^STEP (.+) (\d+)$/.exec(line);
    if (s) steps.push({ step: s[1]!, at: Number(s[2]) });
    const t = /^(T[1-4]) (\d+)$/.exec(line);
    if (t) marks.set(t[1]!, Number(t[2]));
  }
  const [from, to] = mode === 'upgrade' ? [marks.get('T1'), marks.get('T2')] : [marks.get('T3'), marks.get('T4')];
  if (from === undefined || to === undefined) throw new Error(`vendor-by-hand.sh ${mode} printed no outage marks`);
  return {
    wallMs: ended - started,
    outageMs: to - from,
    load,
    steps: steps.map((s, i) => ({ step: s.step, ms: (steps[i + 1]?.at ?? to) - s.at, inOutage: s.at >= from && s.at < to })),
  };
}
