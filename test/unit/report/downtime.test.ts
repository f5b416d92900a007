/**
 * The report's OMS downtime windows from journals shaped like the shipped playbooks' (the records and task files
 * they write): a single-hop upgrade, a rescue, a rollback and an unfinished run read as they always did; a multi-hop
 * upgrade or rollback has one window per hop, labelled with it, and their sum — in the data, the SVG and the page.
 */
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../lib/engine/events.js';
import type { RunMeta } from '../../../lib/engine/journal.js';
import { downtime } from '../../../lib/report/downtime.js';
import { extractReport } from '../../../lib/report/extract.js';
import { renderHtml } from '../../../lib/report/html.js';

const T0 = Date.parse('2026-11-22T01:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const HOSTS = ['h1', 'h2'];

/** A run_once set_fact with record: true — recorded on every host. */
const rec = (name: string, value: unknown): RunEvent[] => HOSTS.map((host) => ({ type: 'record', host, name, value }));
const hop = (index: number, of: number, from: string, to: string) => rec('upgrade_hop', { index, of, from, to, family: 'B', path: '4.2.0 → 4.2.1 → 4.2.2' });

/** Hop 1 of 2 done (T1 at 10 s, T2 at 40 s), then hop 2 begins (hop.yml: "a new hop has changed nothing yet" records an empty T1). */
const hop1Done = (): RunEvent[] => [...hop(1, 2, '4.2.0', '4.2.1'), ...rec('t1', at(10)), ...rec('t2', at(40)), ...hop(2, 2, '4.2.1', '4.2.2'), ...rec('t1', '')];

/** tasks/rollback/start-old-containers.yml: the start (docker.container), then the health check each host passes at `s`. */
function oldBack(s: number, play = 'Put the site back'): RunEvent[] {
  const loc = '/p/playbooks/tasks/rollback/start-old-containers.yml';
  const start = 'Rollback: start the old container with its original restart policy';
  const healthy = 'Rollback: the old container is healthy';
  return [
    { type: 'task_start', play, task: start, hosts: HOSTS, location: `${loc}:2:3`, time: at(s - 2) },
    ...HOSTS.map((host): RunEvent => ({ type: 'task_result', play, task: start, host, status: 'changed', duration_ms: 500, module: 'docker.container', time: at(s - 1), result: { changed: true } })),
    { type: 'task_start', play, task: healthy, hosts: HOSTS, location: `${loc}:8:3`, time: at(s - 1) },
    // The second host is healthy a second later: the window ends with the last one.
    ...HOSTS.map((host, i): RunEvent => ({ type: 'task_result', play, task: healthy, host, status: 'ok', duration_ms: 900, module: 'oms.health', time: at(s + i), result: { changed: false } })),
  ];
}

const rollbackHops = (hops: Array<{ index: number; from: string; to: string }>): RunEvent[] =>
  HOSTS.map((host) => ({ type: 'task_result', play: 'Roll OMS back', task: 'Rollback: the hops to undo', host, status: 'ok', duration_ms: 1, module: 'oms.rollback_hops', time: at(1), result: { changed: false, hops } }));

const window = (events: RunEvent[], endMs = 600_000) => downtime(events, T0, endMs);

describe('downtime windows', () => {
  it('a single-hop upgrade: one window T1 → T2, labelled as before (no hop named)', () => {
    const d = window([...hop(1, 1, '4.2.0', '4.2.2'), ...rec('t1', at(10)), ...rec('t2', at(40))])!;
    expect(d.windows).toEqual([{ t1: at(10), t2: at(40), start_mark: 'T1', start_ms: 10_000, end_ms: 40_000, end_kind: 't2', hop: { index: 1, of: 1, from: '4.2.0', to: '4.2.2' }, label: 'OMS down 30.0 s (T1 → T2)' }]);
    expect(d.label).toBe('OMS down 30.0 s (T1 → T2)');
    expect(d.total_ms).toBe(30_000);
  });

  it('a multi-hop upgrade: one window per hop, each with its hop, and the sum (the last hop alone before)', () => {
    const d = window([...hop1Done(), ...rec('t1', at(70)), ...rec('t2', at(115))])!;
    expect(d.windows.map((w) => [w.t1, w.t2, w.start_ms, w.end_ms, w.end_kind, w.label])).toEqual([
      [at(10), at(40), 10_000, 40_000, 't2', 'hop 1/2 4.2.0 → 4.2.1: OMS down 30.0 s (T1 → T2)'],
      [at(70), at(115), 70_000, 115_000, 't2', 'hop 2/2 4.2.1 → 4.2.2: OMS down 45.0 s (T1 → T2)'],
    ]);
    expect(d.total_ms).toBe(75_000);
    expect(d.label).toBe('OMS down 1 min 15 s in all, 2 windows (one per hop)');
  });

  it('a multi-hop upgrade failing in hop 2 after its T1: hop 1 to T2, hop 2 (and the rescue T3 in it) until the old OMS was back', () => {
    // The rescue stops the new containers (T3) while OMS is still down, then starts hop 2's old ones.
    const d = window([...hop1Done(), ...rec('t1', at(70)), ...rec('t3', at(90)), ...oldBack(120)])!;
    expect(d.windows.map((w) => [w.start_ms, w.end_ms, w.end_kind, w.label])).toEqual([
      [10_000, 40_000, 't2', 'hop 1/2 4.2.0 → 4.2.1: OMS down 30.0 s (T1 → T2)'],
      [70_000, 121_000, 'old_back', 'hop 2/2 4.2.1 → 4.2.2: OMS down 51.0 s (T1 → old OMS healthy again)'],
    ]);
    expect(d.label).toBe('OMS down 1 min 21 s in all, 2 windows (one per hop)');
  });

  it('a multi-hop upgrade failing in hop 2 before its T1: hop 1 is still there (nothing at all was shown before)', () => {
    const d = window(hop1Done())!;
    expect(d.windows).toHaveLength(1);
    expect(d.label).toBe('hop 1/2 4.2.0 → 4.2.1: OMS down 30.0 s (T1 → T2)');
  });

  it('a rescued single-hop upgrade: T1 until the last host is healthy again, the rescue T3 in the same window', () => {
    const d = window([...hop(1, 1, '4.2.0', '4.2.2'), ...rec('t1', at(10)), ...rec('t3', at(30)), ...oldBack(50)])!;
    expect(d.windows).toHaveLength(1);
    expect(d.windows[0]).toMatchObject({ start_mark: 'T1', start_ms: 10_000, end_ms: 51_000, end_kind: 'old_back' });
    expect(d.label).toBe('OMS down 41.0 s (T1 → old OMS healthy again)');
  });

  it('a single-hop upgrade failing after T2: the rescue stopping the new OMS (T3) is a second outage, the sum of both stated', () => {
    const d = window([...hop(1, 1, '4.2.0', '4.2.2'), ...rec('t1', at(10)), ...rec('t2', at(40)), ...rec('t3', at(60)), ...oldBack(80)])!;
    expect(d.windows.map((w) => w.label)).toEqual(['OMS down 30.0 s (T1 → T2)', 'OMS down 21.0 s (T3 → old OMS healthy again)']);
    expect(d.label).toBe('OMS down 51.0 s in all, 2 windows');
  });

  it('an unfinished run: T1 to the run end, "≥"; no T1 or T3: no downtime', () => {
    expect(window([...hop(1, 1, '4.2.0', '4.2.2'), ...rec('t1', at(10))], 25_000)!.label).toBe('OMS down ≥ 15.0 s (T1 → end of run, not back)');
    expect(window([...hop(1, 1, '4.2.0', '4.2.2'), ...rec('t1', '')])).toBeUndefined();
    const twoHops = window([...hop1Done(), ...rec('t1', at(70))], 100_000)!;
    expect(twoHops.label).toBe('OMS down ≥ 1 min 0 s in all, 2 windows (one per hop)');
    expect(twoHops.windows[1]!.label).toBe('hop 2/2 4.2.1 → 4.2.2: OMS down ≥ 30.0 s (T1 → end of run, not back)');
  });

  it('a single-hop rollback: T3 until the old OMS was healthy again, as before', () => {
    const d = window([...rollbackHops([{ index: 1, from: '4.2.0', to: '4.2.2' }]), ...rec('t3', at(20)), ...oldBack(45, 'Roll OMS back')])!;
    expect(d.windows).toHaveLength(1);
    expect(d.label).toBe('OMS down 26.0 s (T3 → old OMS healthy again)');
  });

  it('a multi-hop rollback: a window per hop undone, newest first, each going back a version', () => {
    const events = [
      ...rollbackHops([
        { index: 2, from: '4.2.1', to: '4.2.2' },
        { index: 1, from: '4.2.0', to: '4.2.1' },
      ]),
      ...rec('t3', at(20)),
      ...oldBack(45, 'Roll OMS back'),
      ...rec('t3', at(60)),
      ...oldBack(80, 'Roll OMS back'),
    ];
    const d = window(events)!;
    expect(d.windows.map((w) => w.label)).toEqual([
      'hop 1/2 4.2.2 → 4.2.1: OMS down 26.0 s (T3 → old OMS healthy again)',
      'hop 2/2 4.2.1 → 4.2.0: OMS down 21.0 s (T3 → old OMS healthy again)',
    ]);
    expect(d.label).toBe('OMS down 47.0 s in all, 2 windows (one per hop)');
  });
});

describe('downtime in the page', () => {
  const meta: RunMeta = { run_id: '20261122T010000Z-hops01', playbook: '/p/playbooks/upgrade.yml', inventory: '/p/inv.yml', check: false, started_at: at(0), recorded: [] };
  const run = (events: RunEvent[]) =>
    renderHtml(extractReport({ meta, dir: '/x', events: [{ type: 'run_start', run_id: meta.run_id, playbook: meta.playbook, inventory: meta.inventory, check: false, time: at(0) }, ...events, { type: 'run_end', run_id: meta.run_id, exit_code: 0, time: at(130), duration_ms: 130_000, journal: '' }] }));

  it('a multi-hop upgrade: each window drawn and listed with its hop, the sum in the header', () => {
    const html = run([...hop1Done(), ...rec('t1', at(70)), ...rec('t2', at(115))]);
    expect(html.match(/<g id="downtime-\d" class="downtime"/g)).toEqual(['<g id="downtime-1" class="downtime"', '<g id="downtime-2" class="downtime"']);
    expect(html).toContain(`data-t1="${at(10)}" data-t2="${at(40)}" data-end="t2" data-hop="1/2 4.2.0 → 4.2.1"`);
    expect(html).toContain(`data-t1="${at(70)}" data-t2="${at(115)}" data-end="t2" data-hop="2/2 4.2.1 → 4.2.2"`);
    expect(html).toContain('<b>OMS down 1 min 15 s in all, 2 windows (one per hop)</b><ul id="down-windows">');
    expect(html).toContain(`hop 1/2 4.2.0 → 4.2.1: OMS down 30.0 s (T1 → T2)<br><span class="mono">${at(10)} → ${at(40)}</span>`);
    expect(html).toContain(`hop 2/2 4.2.1 → 4.2.2: OMS down 45.0 s (T1 → T2)<br><span class="mono">${at(70)} → ${at(115)}</span>`);
  });

  it('a single-hop upgrade: one window with the id and header it always had', () => {
    const html = run([...hop(1, 1, '4.2.0', '4.2.2'), ...rec('t1', at(10)), ...rec('t2', at(40))]);
    expect(html.match(/class="downtime"/g)).toHaveLength(1);
    expect(html).toContain(`<g id="downtime" class="downtime" data-t1="${at(10)}" data-t2="${at(40)}" data-end="t2"`);
    expect(html).toContain(`<b>OMS down 30.0 s (T1 → T2)</b><br><span class="mono">${at(10)} → ${at(40)}</span>`);
    expect(html).not.toContain('down-windows');
  });
});
