/** rollbackHops: which hops of a recorded upgrade run rollback.yml undoes, newest first, and to which version. */
import { describe, expect, it } from 'vitest';
import { rollbackHops } from '../../../lib/upgrade/rollback.js';

const dumps = (dir: string) => [{ path: `${dir}/rm.sql`, sha256: 'a', databases: ['rm'] }];
const done = (index: number, from: string, to: string) => ({
  index,
  from,
  to,
  site: { old_container: `oms_${from.replace(/\D/g, '')}`, new_container: `oms_${to.replace(/\D/g, '')}` },
  new_id: `id${index}`,
  dumps: dumps(`/b/hop${index}`),
  t1: `t1-${index}`,
  ha_before: { enable: true },
  phase: 'done',
});

/** A run of 4.2.0 → 4.2.1 → 4.2.2 as recorded, stopped in `current` (hop 2) at `phase`. */
function run(opts: { finished: boolean; phase?: string; rescued?: number }) {
  const hopsDone = opts.finished ? [done(1, '4.2.0', '4.2.1'), done(2, '4.2.1', '4.2.2')] : [done(1, '4.2.0', '4.2.1')];
  return {
    run_id: 'R1',
    dumps: { results: dumps('/b/hop2') },
    t1: 't1-2',
    ha_before: { enable: true },
    upgrade_phase: opts.finished ? 'done' : (opts.phase ?? 'init_started'),
    ...(opts.rescued ? { upgrade_rescued_hop: opts.rescued } : {}),
    hosts: {
      h1: {
        upgrade_plan: { from: '4.2.0', to: '4.2.2' },
        upgrade_hop: { index: 2, of: 2, from: '4.2.1', to: '4.2.2' },
        site: { old_container: 'oms_421', new_container: 'oms_422' },
        new_container_started: { id: 'id2' },
        upgrade_hops_done: hopsDone,
      },
    },
  };
}

describe('rollbackHops', () => {
  it('a finished two-hop run: both hops, newest first, back to the start by default', () => {
    const p = rollbackHops(run({ finished: true }), 'h1');
    expect(p.ok && p.hops.map((h) => [h.index, h.rb.new_container, h.rb_new_id, h.restore])).toEqual([
      [2, 'oms_422', 'id2', true],
      [1, 'oms_421', 'id1', true],
    ]);
    expect(p.ok && [p.from, p.to, p.path]).toEqual(['4.2.2', '4.2.0', ['4.2.0', '4.2.1', '4.2.2']]);
  });

  it('rollback_to a version in between undoes only the hops after it', () => {
    const p = rollbackHops(run({ finished: true }), 'h1', '4.2.1');
    expect(p.ok && p.hops.map((h) => h.index)).toEqual([2]);
  });

  it('a hop undone by the rescue is not undone again; the hop before it is', () => {
    const p = rollbackHops(run({ finished: false, rescued: 2 }), 'h1');
    expect(p.ok && p.hops.map((h) => [h.index, h.rb_dumps[0]])).toEqual([[1, dumps('/b/hop1')[0]]]);
    expect(p.ok && p.from).toBe('4.2.1');
  });

  it('a hop the run stopped in (no rescue) is undone first, from its own dumps; before its init nothing is restored', () => {
    const p = rollbackHops(run({ finished: false, phase: 'init_started' }), 'h1');
    expect(p.ok && p.hops.map((h) => [h.index, (h.rb_dumps[0] as { path?: string } | undefined)?.path, h.restore])).toEqual([
      [2, '/b/hop2/rm.sql', true],
      [1, '/b/hop1/rm.sql', true],
    ]);
    const early = rollbackHops(run({ finished: false, phase: 'stopped' }), 'h1');
    expect(early.ok && early.hops.map((h) => h.restore)).toEqual([false, true]);
  });

  it('refuses a version the run did not go through, the version the site is on, and a non-version', () => {
    const notOnPath = rollbackHops(run({ finished: true }), 'h1', '4.1.1');
    expect(notOnPath).toMatchObject({ ok: false, reason: 'run R1 did not start from or pass through 4.1.1: it went 4.2.0 → 4.2.1 → 4.2.2 and the site is on 4.2.2' });
    expect(rollbackHops(run({ finished: true }), 'h1', '4.2.2')).toMatchObject({ ok: false, reason: 'run R1 left the site on 4.2.2: rolling back to 4.2.2 changes nothing' });
    expect(rollbackHops(run({ finished: true }), 'h1', 'latest')).toMatchObject({ ok: false, reason: 'rollback_to "latest" is not a version (expected x.y.z)' });
  });

  it('a single-hop run is undone from the plain recorded values, as before runs had hops', () => {
    const single = { run_id: 'R0', dumps: { results: dumps('/b') }, t1: 't', ha_before: '', upgrade_phase: 'done', hosts: { h1: { site: { old_container: 'oms_331' }, new_container_started: { id: 'x' }, upgrade_plan: { from: '3.3.1', to: '4.0.0' } } } };
    const p = rollbackHops(single, 'h1');
    expect(p.ok && p.hops.map((h) => [h.rb.old_container, h.rb_new_id, h.rb_t1, h.restore, h.rb_ha_before])).toEqual([['oms_331', 'x', 't', true, '']]);
    expect(p.ok && p.to).toBe('3.3.1');
  });
});
