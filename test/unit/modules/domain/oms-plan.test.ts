/** oms.plan over a real local connection: the plan with its tars, and every refusal with its reason. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SHIPPED_PLAYBOOKS } from '../../../../lib/cli/find-playbook.js';
import { TaskFailedError } from '../../../../lib/errors.js';
import { omsPlan } from '../../../../lib/modules/oms/plan.js';
import { makeContext, tempDir } from '../generic/context.js';

const graph = parse(readFileSync(join(SHIPPED_PLAYBOOKS, 'vars', 'upgrade-graph.yml'), 'utf8')).oms_upgrade_graph;
const tmp = tempDir();
afterAll(() => tmp.cleanup());
const tar = (v: string) => {
  const p = join(tmp.dir, `oms-${v}.tar`);
  writeFileSync(p, 'tar');
  return p;
};

async function refused(args: Parameters<typeof omsPlan.run>[0]): Promise<TaskFailedError> {
  try {
    await omsPlan.run(args, makeContext());
  } catch (e) {
    if (e instanceof TaskFailedError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('oms.plan', () => {
  it('plans the single B hop of today with the single tar setting', async () => {
    const r = await omsPlan.run({ graph, from: '3.3.1', to: '4.0.0', image_tar: tar('4.0.0'), families: ['B'], max_hops: 1 }, makeContext());
    expect(r).toMatchObject({ changed: false, from: '3.3.1', to: '4.0.0', path: '3.3.1 → 4.0.0', families: ['B'] });
    expect(r.hops).toEqual([{ from: '3.3.1', to: '4.0.0', family: 'B', guide: 'V4.0.0 upgrade guide, FAQ', image_tar: tar('4.0.0') }]);
    expect(r.msg).toBe(`plan: 3.3.1 → 4.0.0\nhop 1/1: 3.3.1 → 4.0.0  family B  image ${tar('4.0.0')}  (V4.0.0 upgrade guide, FAQ)`);
  });

  it('plans a multi-hop path with a tar per hop from the map', async () => {
    const r = await omsPlan.run({ graph, from: '4.2.0', to: '4.2.2', image_tars: { '4.2.1': tar('4.2.1'), '4.2.2': tar('4.2.2') } }, makeContext());
    expect((r.hops as { image_tar: string }[]).map((h) => h.image_tar)).toEqual([tar('4.2.1'), tar('4.2.2')]);
    expect(r.note).toMatch(/not a documented direct upgrade/);
  });

  it('refuses a hop without a tar, naming the hop and the setting, before looking at the host', async () => {
    const ctx = makeContext();
    await expect(omsPlan.run({ graph, from: '4.2.0', to: '4.2.2', image_tars: { '4.2.1': tar('4.2.1') } }, ctx)).rejects.toThrow(/^no image tar for hop 4\.2\.1 → 4\.2\.2 of the path 4\.2\.0 → 4\.2\.1 → 4\.2\.2/);
    expect(ctx.commands).toEqual([]);
    const e = await refused({ graph, from: '4.2.0', to: '4.2.2', image_tars: { '4.2.1': tar('4.2.1') } });
    expect(e.hint).toBe('set oms_image_tars: {"4.2.2": /path/on/the/host/oms-4.2.2.tar}');
    expect(e.result.hops).toHaveLength(2);
  });

  it('uses the single tar for a single hop only', async () => {
    const e = await refused({ graph, from: '4.2.0', to: '4.2.2', image_tar: tar('4.2.2'), image_tars: { '4.2.1': tar('4.2.1') } });
    expect(e.message).toMatch(/^no image tar for hop 4\.2\.1 → 4\.2\.2 /);
  });

  it("checks a hop's tar against its given sha256 before the first change", async () => {
    const sum = '3a8fad2d3e0a5c6d2d5b1f0b6e4f6d1a0c9f8c6b0a4a3a2a1a0f9e8d7c6b5a4a'; // not the sum of "tar"
    const e = await refused({ graph, from: '4.2.0', to: '4.2.2', image_tars: { '4.2.1': tar('4.2.1'), '4.2.2': tar('4.2.2') }, image_sha256s: { '4.2.2': sum } });
    expect(e.message).toMatch(/^image tar checksum mismatch on localhost: .*oms-4\.2\.2\.tar \(hop 4\.2\.1 → 4\.2\.2\): sha256 [0-9a-f]{64}, expected 3a8f/);
    const good = '90aebae315675cbf04612de4f7d5874850f48e0b8dd82becbeaa47ca93f5ebfb'; // sha256 of "tar"
    const r = await omsPlan.run({ graph, from: '4.2.0', to: '4.2.2', image_tars: { '4.2.1': tar('4.2.1'), '4.2.2': tar('4.2.2') }, image_sha256s: { '4.2.1': good, '4.2.2': good.toUpperCase() } }, makeContext());
    expect(r.path).toBe('4.2.0 → 4.2.1 → 4.2.2');
  });

  it('refuses a tar that is not on the host, unless check_tars is off', async () => {
    const e = await refused({ graph, from: '3.3.1', to: '4.0.0', image_tar: join(tmp.dir, 'absent.tar') });
    expect(e.message).toMatch(/image tar not found on localhost: .*absent\.tar \(hop 3\.3\.1 → 4\.0\.0\)/);
    const r = await omsPlan.run({ graph, from: '3.3.1', to: '4.0.0', image_tar: join(tmp.dir, 'absent.tar'), check_tars: false }, makeContext());
    expect(r.path).toBe('3.3.1 → 4.0.0');
  });

  it('refuses a family the playbook does not perform, and more hops than it performs, showing the plan', async () => {
    const c = await refused({ graph, from: '4.2.8', to: '4.2.9', image_tar: tar('4.2.9'), families: ['B'], max_hops: 1 });
    expect(c.message).toMatch(/^hop 4\.2\.8 → 4\.2\.9 follows procedure family C, which this playbook does not perform yet \(it performs B\)\nplan: 4\.2\.8 → 4\.2\.9\n/);
    const hops = await refused({ graph, from: '4.2.0', to: '4.2.2', image_tars: { '4.2.1': tar('4.2.1'), '4.2.2': tar('4.2.2') }, families: ['B'], max_hops: 1 });
    expect(hops.message).toMatch(/^4\.2\.0 → 4\.2\.2 is not a documented direct upgrade .*shortest documented path is 4\.2\.0 → 4\.2\.1 → 4\.2\.2; this playbook performs at most 1 hop per run/);
    expect(hops.hint).toBe('upgrade one hop at a time: first oms_target_version=4.2.1');
  });

  it('refuses an undocumented path and an unknown target with the reason', async () => {
    expect((await refused({ graph, from: '4.1.0', to: '4.2.0', image_tar: tar('4.2.0') })).message).toMatch(/^cannot upgrade 4\.1\.0 to 4\.2\.0: no documented upgrade path .*4\.1\.1 is install-only/);
    const unknown = await refused({ graph, from: '3.3.1', to: '4.5.0', image_tar: tar('4.5.0') });
    expect(unknown.message).toBe('cannot upgrade 3.3.1 to 4.5.0: unknown target version 4.5.0: the upgrade graph has no guide for it');
    expect(unknown.hint).toMatch(/^documented targets: /);
  });

  it('refuses invalid graph data with where it is wrong', async () => {
    const e = await refused({ graph: { targets: { '4.2.0': { family: 'B', from: ['4.9.0'] } } }, from: '4.1.1', to: '4.2.0' });
    expect(e.message).toBe('the upgrade graph is invalid: targets."4.2.0".from[0]: 4.9.0 is not older than 4.2.0');
  });
});
