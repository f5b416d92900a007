/**
 * The report's data from journals written by hand (the lab test covers real runs): masking by name as every
 * output does, older journals without `time`/`module`/`regions`, a run without run_end, 200 hosts × 30 tasks
 * under 5 MB, the CLI's errors.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { syntheticRun } from '../../../bench/report-render.js';
import type { RunEvent } from '../../../lib/engine/events.js';
import type { RunMeta } from '../../../lib/engine/journal.js';
import { extractReport } from '../../../lib/report/extract.js';
import { renderHtml } from '../../../lib/report/html.js';
import { cli } from '../../support/cli-in-process.js';

const meta = (over: Partial<RunMeta> = {}): RunMeta => ({
  run_id: '20261122T010203Z-abc123',
  playbook: '/p/playbooks/site.yml',
  inventory: '/p/inv.yml',
  check: false,
  started_at: '2026-11-22T01:02:03.000Z',
  recorded: [],
  ...over,
});

const at = (s: number) => new Date(Date.parse('2026-11-22T01:02:03.000Z') + s * 1000).toISOString();

describe('report data', () => {
  it('masks values under secret-looking names even when a journal holds them, in the data and the HTML', () => {
    const events: RunEvent[] = [
      { type: 'run_start', run_id: 'r', playbook: '/p/site.yml', inventory: '/p/inv.yml', check: false, time: at(0) },
      { type: 'play_start', play: 'P', hosts: ['a'], location: '/p/site.yml:1:3', time: at(0) },
      { type: 'task_start', play: 'P', task: 'T', hosts: ['a'], location: '/p/site.yml:3:7', time: at(0) },
      // A hand-edited or foreign journal: the engine would have masked this already.
      { type: 'task_result', play: 'P', task: 'T', host: 'a', status: 'ok', duration_ms: 10, result: { changed: false, db_password: 'CANARY-77-secret', msg: 'connected with CANARY-77-secret' } },
      { type: 'run_end', run_id: 'r', exit_code: 0, time: at(1), duration_ms: 1000, journal: '' },
    ];
    const data = extractReport({ meta: meta(), dir: '/x', events });
    const html = renderHtml(data);
    expect(JSON.stringify(data)).not.toContain('CANARY-77');
    expect(html).not.toContain('CANARY-77');
    expect(data.timeline.bars[0]!.summary).toBe('connected with ********');
  });

  it('reads an older journal (no time, module, regions, run_end): bars from task starts, one group, unfinished', () => {
    const events: RunEvent[] = [
      { type: 'run_start', run_id: 'r', playbook: '/p/site.yml', inventory: '/p/inv.yml', check: false, time: at(0) },
      { type: 'play_start', play: 'P', hosts: ['a', 'b'], location: '/p/site.yml:1:3', time: at(0) },
      { type: 'task_start', play: 'P', task: 'T1', hosts: ['a', 'b'], location: '/p/site.yml:3:7', time: at(1) },
      { type: 'task_result', play: 'P', task: 'T1', host: 'a', status: 'changed', duration_ms: 2000, result: { changed: true } },
      { type: 'task_result', play: 'P', task: 'T1', host: 'b', status: 'failed', duration_ms: 500, result: { failed: true, msg: 'boom' } },
    ];
    const data = extractReport({ meta: meta(), dir: '/x', events });
    expect(data.header.outcome).toBe('unfinished');
    expect(data.timeline.groups).toEqual([{ name: 'hosts', hosts: ['a', 'b'] }]);
    expect(data.timeline.bars.map((b) => [b.host, b.start_ms, b.end_ms])).toEqual([
      ['a', 1000, 3000],
      ['b', 1000, 1500],
    ]);
    expect(data.timeline.failure).toMatchObject({ host: 'b', task: 'T1', message: 'boom', at_ms: 1500 });
  });

  it('an interrupted run: the resume and rollback commands it printed, word for word', () => {
    const events: RunEvent[] = [
      { type: 'run_start', run_id: 'r', playbook: '/p/site.yml', inventory: '/p/inv.yml', check: false, time: at(0) },
      {
        type: 'recap',
        hosts: {},
        stopped_at: 'Restart',
        resume_hint: 'Interrupted. To resume: omsplay run site.yml -i /p/inv.yml --start-at-task "Restart". To roll back: omsplay run undo.yml -i /p/inv.yml',
      },
      { type: 'run_end', run_id: 'r', exit_code: 99, time: at(2), duration_ms: 2000, journal: '' },
    ];
    const data = extractReport({ meta: meta(), dir: '/x', events });
    expect(data.header).toMatchObject({ outcome: 'interrupted', exit_code: 99, exit_meaning: 'interrupted (Ctrl-C)' });
    expect(data.next_steps).toEqual(['omsplay run site.yml -i /p/inv.yml --start-at-task "Restart"', 'omsplay run undo.yml -i /p/inv.yml']);
    expect(renderHtml(data)).toContain('<pre class="next">omsplay run site.yml -i /p/inv.yml --start-at-task &quot;Restart&quot;</pre>');
  });

  it('200 hosts × 30 tasks: lanes by region, 6000 bars, under 5 MB of HTML', () => {
    const { meta: m, events } = syntheticRun(200, 30, 'bench');
    const data = extractReport({ meta: m, dir: '/x', events });
    expect(data.timeline.groups.map((g) => g.hosts.length)).toEqual([50, 50, 50, 50]);
    expect(data.timeline.bars).toHaveLength(6000);
    expect(data.timeline.downtime?.windows.map((w) => w.end_kind)).toEqual(['t2']);
    const html = renderHtml(data);
    expect(Buffer.byteLength(html)).toBeLessThan(5 * 1024 * 1024);
    expect(html.match(/<rect class="b /g)).toHaveLength(6000);
  });
});

describe('omsplay report (CLI)', () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'omsplay-report-'));
    process.env.OMSPLAY_HOME = home;
  });


  it('names a missing run with a hint (exit 5) and writes a run that exists', async () => {
    const none = await cli(['report']);
    expect(none.code).toBe(5);
    expect(none.err).toMatch(/no runs in .*\n {2}hint: run a playbook first/);
    const { meta: m, events } = syntheticRun(3, 4, '20261122T010000Z-small1');
    await mkdir(join(home, 'runs', m.run_id), { recursive: true });
    await writeFile(join(home, 'runs', m.run_id, 'meta.json'), JSON.stringify(m));
    await writeFile(join(home, 'runs', m.run_id, 'journal.jsonl'), events.map((e) => JSON.stringify(e)).join('\n'));
    const wrong = await cli(['report', 'nope']);
    expect(wrong.code).toBe(5);
    expect(wrong.err).toMatch(/no run "nope"[\s\S]*hint: see `omsplay runs`/);
    const ok = await cli(['report', '20261122T010000Z']);
    expect(ok.code).toBe(0);
    expect(ok.out.trim()).toBe(join(home, 'runs', m.run_id, 'report.html'));
    const runs = await cli(['runs']);
    expect(runs.out).toContain(`report: ${join(home, 'runs', m.run_id, 'report.html')}`);
  });
});
