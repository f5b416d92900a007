/** Medians, ratios and target checks from the raw runs; results.json, results.md and chart.svg. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { DumpResult, Sample } from './extras.js';
import { ALL_RUNNERS, RUNNER_LABELS, RUNNERS, type RunnerId } from './runners.js';

export type ConfigWorkload = 'a' | 'b-changed' | 'b-unchanged';

export interface RunRecord {
  runner: RunnerId;
  workload: ConfigWorkload;
  hosts: number;
  rep: number;
  ms: number;
  rssMb: number;
  ok: boolean;
  error?: string;
  /** The raw runner's own figures (connect time, exec count). */
  detail?: Record<string, unknown>;
}

export interface Median {
  runner: RunnerId;
  workload: ConfigWorkload;
  hosts: number;
  ms: number;
  rssMb: number;
  runs: number;
}

export interface Target {
  name: string;
  want: string;
  value: string;
  met: boolean | null;
}

export interface Results {
  date: string;
  commit: string;
  machine: Record<string, unknown>;
  versions: Record<string, string>;
  options: Record<string, unknown>;
  durationS?: number;
  runs: RunRecord[];
  medians: Median[];
  startup?: { version: Sample[]; validate: Sample[]; versionMs: number; validateMs: number };
  dump?: DumpResult & { omsplayMs: number; handMs: number; ratio: number };
  targets: Target[];
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function medians(runs: RunRecord[]): Median[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of runs) {
    if (!r.ok) continue;
    const k = `${r.runner}|${r.workload}|${r.hosts}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups.values()].map((g) => ({
    runner: g[0]!.runner,
    workload: g[0]!.workload,
    hosts: g[0]!.hosts,
    ms: Math.round(median(g.map((r) => r.ms))),
    rssMb: Math.round(median(g.map((r) => r.rssMb)) * 10) / 10,
    runs: g.length,
  }));
}

const find = (ms: Median[], runner: RunnerId, workload: ConfigWorkload, hosts: number) =>
  ms.find((m) => m.runner === runner && m.workload === workload && m.hosts === hosts);

const ratio = (a?: Median, b?: Median) => (a && b ? a.ms / b.ms : undefined);
const fmtRatio = (r?: number) => (r === undefined ? '—' : r < 1 ? `${r.toFixed(3)}× (1/${(1 / r).toFixed(1)})` : `${r.toFixed(2)}×`);
const fmtS = (ms?: number) => (ms === undefined ? '—' : ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`);

export function targets(res: Omit<Results, 'targets'>, h: number): Target[] {
  const m = res.medians;
  const out: Target[] = [];
  const add = (name: string, want: string, value: number | undefined, limit: number, show: (v: number) => string) =>
    out.push({ name, want, value: value === undefined ? 'not measured' : show(value), met: value === undefined ? null : value <= limit });
  for (const w of ['a', 'b-changed', 'b-unchanged'] as const) {
    add(`omsplay / Ansible, (${w}) at ${h} hosts`, '≤ 1/20', ratio(find(m, 'omsplay', w, h), find(m, 'ansible', w, h)), 1 / 20, fmtRatio);
    add(`omsplay / Mitogen, (${w}) at ${h} hosts`, '≤ 1/10', ratio(find(m, 'omsplay', w, h), find(m, 'mitogen', w, h)), 1 / 10, fmtRatio);
  }
  const maxHosts = Math.max(...m.filter((x) => x.runner === 'omsplay' && x.workload === 'a').map((x) => x.hosts));
  for (const n of [...new Set([h, maxHosts])]) add(`omsplay / raw ssh2, (a) at ${n} hosts`, '≤ 1.5×', ratio(find(m, 'omsplay', 'a', n), find(m, 'raw', 'a', n)), 1.5, fmtRatio);
  // Linear growth: time per host at the largest count no worse than at 10 hosts.
  const at10 = find(m, 'omsplay', 'a', 10);
  const atMax = find(m, 'omsplay', 'a', maxHosts);
  const growth = at10 && atMax ? atMax.ms / maxHosts / (at10.ms / 10) : undefined;
  add(`omsplay time per host, ${maxHosts} vs 10 hosts`, '≤ 1× (linear or better)', growth, 1, (v) => `${v.toFixed(2)}×`);
  add(`omsplay peak memory at ${maxHosts} hosts`, '< 200 MB', atMax?.rssMb, 200, (v) => `${v.toFixed(0)} MB`);
  add('`omsplay --version`', '< 200 ms', res.startup?.versionMs, 200, (v) => `${v.toFixed(0)} ms`);
  add('`omsplay validate` upgrade.yml', '< 500 ms', res.startup?.validateMs, 500, (v) => `${v.toFixed(0)} ms`);
  add('mysql.dump / hand-run mysqldump', '≤ 1.1×', res.dump?.ratio, 1.1, (v) => `${v.toFixed(2)}×`);
  return out;
}

const PEERS: Array<[RunnerId, string]> = [
  ['ansible', 'Ansible'],
  ['mitogen', 'Mitogen'],
  ['raw', 'raw'],
  ['raw-argv', "raw with omsplay's command lines"],
];

export function markdown(res: Results, h: number): string {
  const m = res.medians;
  const lines: string[] = [];
  const runners = ALL_RUNNERS.filter((r) => m.some((x) => x.runner === r));
  lines.push(`# omsplay benchmark results`, '');
  lines.push(
    `${res.date}, commit \`${res.commit.slice(0, 10)}\`, ${res.machine.cpus} × ${res.machine.cpuModel}, ${res.machine.memGb} GB, Node ${res.versions.node}, ansible-core ${res.versions['ansible-core']}, ansible-mitogen ${res.versions['ansible-mitogen']}. ` +
      `Median wall time of ${res.options.runs} cold runs per cell (each run a new process; lab hosts are network namespaces with their own sshd on the same 2 cores). Forks = host count for every runner.`,
    '',
  );
  const la = (x: unknown) => (Array.isArray(x) ? x.join(' / ') : '?');
  lines.push(`Load average (1/5/15 min) at the start: ${la(res.machine.loadavgAtStart)}, at the end: ${la(res.machine.loadavgAtEnd)}; the whole run took ${Math.round((res.durationS ?? 0) / 60)} min.`, '');
  const hostCounts = [...new Set(m.filter((x) => x.workload === 'a').map((x) => x.hosts))].sort((a, b) => a - b);
  if (hostCounts.length) {
    lines.push(`## Workload (a): ${res.options.tasks} \`command\` tasks, by host count`, '');
    lines.push(`| runner | ${hostCounts.map((n) => `${n} host${n === 1 ? '' : 's'}`).join(' | ')} |`);
    lines.push(`|---|${hostCounts.map(() => '---:').join('|')}|`);
    for (const r of runners) lines.push(`| ${RUNNER_LABELS[r]} | ${hostCounts.map((n) => fmtS(find(m, r, 'a', n)?.ms)).join(' | ')} |`);
    for (const [peer, label] of PEERS) {
      if (runners.includes(peer)) lines.push(`| omsplay / ${label} | ${hostCounts.map((n) => fmtRatio(ratio(find(m, 'omsplay', 'a', n), find(m, peer, 'a', n)))).join(' | ')} |`);
    }
    lines.push(`| omsplay peak RSS | ${hostCounts.map((n) => (find(m, 'omsplay', 'a', n) ? `${find(m, 'omsplay', 'a', n)!.rssMb.toFixed(0)} MB` : '—')).join(' | ')} |`);
    lines.push('');
  }
  const bw = (['b-changed', 'b-unchanged'] as const).filter((w) => m.some((x) => x.workload === w));
  if (bw.length) {
    lines.push(`## Workload (b): mixed play at ${h} hosts`, '');
    lines.push('shell + register, set_fact, `when` (true and false), copy of a small file, a loop of 10 items, a last shell.', '');
    lines.push(`| runner | ${bw.map((w) => (w === 'b-changed' ? 'copy changed (1st run)' : 'copy unchanged (2nd run)')).join(' | ')} |`);
    lines.push(`|---|${bw.map(() => '---:').join('|')}|`);
    const inB = (r: RunnerId) => bw.some((w) => find(m, r, w, h));
    for (const r of runners.filter(inB)) lines.push(`| ${RUNNER_LABELS[r]} | ${bw.map((w) => fmtS(find(m, r, w, h)?.ms)).join(' | ')} |`);
    for (const [peer, label] of PEERS) {
      if (inB(peer)) lines.push(`| omsplay / ${label} | ${bw.map((w) => fmtRatio(ratio(find(m, 'omsplay', w, h), find(m, peer, w, h)))).join(' | ')} |`);
    }
    lines.push('');
  }
  if (res.startup || res.dump) {
    lines.push('## Start-up and MetaDB dump', '');
    lines.push('| figure | median |', '|---|---:|');
    if (res.startup) {
      lines.push(`| \`omsplay --version\` (cold, ${res.startup.version.length} runs) | ${res.startup.versionMs.toFixed(0)} ms |`);
      lines.push(`| \`omsplay validate playbooks/upgrade.yml\` (cold, ${res.startup.validate.length} runs) | ${res.startup.validateMs.toFixed(0)} ms |`);
    }
    if (res.dump) {
      lines.push(`| \`mysql.dump\` through omsplay (${res.dump.dbMb.toFixed(0)} MB of InnoDB data, ${res.dump.dumpMb.toFixed(0)} MB dump) | ${fmtS(res.dump.omsplayMs)} |`);
      lines.push(`| mysqldump by hand over ssh on the same host | ${fmtS(res.dump.handMs)} |`);
      lines.push(`| ratio omsplay / hand | ${res.dump.ratio.toFixed(2)}× |`);
    }
    lines.push('');
  }
  lines.push('## Targets (issue 6)', '');
  lines.push('| target | want | measured | met |', '|---|---|---|---|');
  for (const t of res.targets) lines.push(`| ${t.name} | ${t.want} | ${t.value} | ${t.met === null ? '—' : t.met ? 'yes' : '**no**'} |`);
  lines.push('');
  const failed = res.runs.filter((r) => !r.ok);
  if (failed.length) {
    lines.push('## Failed runs (not in the medians)', '');
    for (const f of failed) lines.push(`- ${RUNNER_LABELS[f.runner]}, (${f.workload}), ${f.hosts} hosts, run ${f.rep}: ${(f.error ?? '').split('\n')[0]}`);
    lines.push('');
  }
  lines.push('![time against host count](chart.svg)', '');
  return lines.join('\n');
}

/** Time against host count for the four runners (workload (a)), log-log, as SVG via vega-lite + vega (no canvas). */
export async function chartSvg(res: Results): Promise<string> {
  const values = res.medians
    .filter((x) => x.workload === 'a' && RUNNERS.includes(x.runner))
    .map((x) => ({ runner: RUNNER_LABELS[x.runner], hosts: x.hosts, seconds: x.ms / 1000 }));
  const hostTicks = [...new Set(values.map((v) => v.hosts))].sort((a, b) => a - b);
  const spec: vegaLite.TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `${res.options.tasks} command tasks: wall time by host count (median of ${res.options.runs}, cold starts)`, fontSize: 14 },
    width: 560,
    height: 340,
    background: 'white',
    data: { values },
    encoding: {
      x: { field: 'hosts', type: 'quantitative', scale: { type: 'log' }, axis: { values: hostTicks, title: 'hosts', grid: true } },
      y: { field: 'seconds', type: 'quantitative', scale: { type: 'log' }, axis: { title: 'wall time (s, log scale)', grid: true } },
      color: {
        field: 'runner',
        type: 'nominal',
        scale: { domain: RUNNERS.map((r) => RUNNER_LABELS[r]), range: ['#d62728', '#1f77b4', '#9467bd', '#7f7f7f'] },
        legend: { title: null, orient: 'top-left', fillColor: 'white', labelFontSize: 12, labelLimit: 0 },
      },
    },
    layer: [
      { mark: { type: 'line', strokeWidth: 2 } },
      { mark: { type: 'point', filled: true, size: 50 } },
      {
        mark: { type: 'text', align: 'left', dx: 5, dy: -8, fontSize: 10 },
        encoding: { text: { field: 'seconds', type: 'quantitative', format: '.2~r' } },
      },
    ],
  };
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

export async function writeResults(dir: string, res: Results, h: number): Promise<void> {
  await writeFile(join(dir, 'results.json'), `${JSON.stringify(res, null, 2)}\n`);
  await writeFile(join(dir, 'results.md'), markdown(res, h));
  await writeFile(join(dir, 'chart.svg'), await chartSvg(res));
}
