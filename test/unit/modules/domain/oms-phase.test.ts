/**
 * The upgrade phase as a checked value: oms.phase sets only a known phase (a typo in a shipped playbook is an
 * `omsplay validate` error with file:line:col and a did-you-mean), and reading a recorded phase says what putting the
 * site back needs — the decisions the rescue and rollback.yml take from it.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SHIPPED_PLAYBOOKS } from '../../../../lib/cli/find-playbook.js';
import { TaskFailedError } from '../../../../lib/errors.js';
import { omsPhase } from '../../../../lib/modules/oms/phase.js';
import { phaseMeaning, UPGRADE_PHASES } from '../../../../lib/upgrade/phases.js';
import { cli } from '../../../support/cli-in-process.js';
import { makeContext, tempDir } from '../generic/context.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const INVENTORY = join(SHIPPED_PLAYBOOKS, '..', 'inventories', 'two-regions.yml');

async function refused(args: Parameters<typeof omsPhase.run>[0]): Promise<TaskFailedError> {
  try {
    await omsPhase.run(args, makeContext());
  } catch (e) {
    if (e instanceof TaskFailedError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('what a recorded phase means for putting the site back', () => {
  it.each([
    ['preflight', false, false],
    ['ha_disabled', false, false],
    ['stopping', false, true],
    ['stopped', false, true],
    ['backed_up', false, true],
    ['starting_new', false, true],
    ['init_started', true, false],
    ['done', true, false],
  ] as const)('%s: MetaDB may have changed %s, old containers to start again %s', (phase, metadb, old) => {
    expect(phaseMeaning(phase)).toEqual({ phase, metadb_may_have_changed: metadb, old_containers_stopped: old });
  });

  it('no phase recorded (an older or early-stopped run) may have changed the MetaDB: the dumps decide', () => {
    expect(phaseMeaning('')).toEqual({ phase: '', metadb_may_have_changed: true, old_containers_stopped: false });
  });

  it('every phase is covered above, in the order a run passes them', () => {
    expect(UPGRADE_PHASES).toEqual(['preflight', 'ha_disabled', 'stopping', 'stopped', 'backed_up', 'starting_new', 'init_started', 'done']);
  });
});

describe('oms.phase', () => {
  it('set: the fact upgrade_phase', async () => {
    const r = await omsPhase.run({ set: 'backed_up' }, makeContext());
    expect(r).toMatchObject({ changed: false, facts: { upgrade_phase: 'backed_up' } });
  });

  it('of: the meaning of a recorded phase; null or "" is none recorded', async () => {
    expect(await omsPhase.run({ of: 'starting_new' }, makeContext())).toMatchObject({ phase: 'starting_new', metadb_may_have_changed: false, old_containers_stopped: true });
    expect(await omsPhase.run({ of: null }, makeContext())).toMatchObject({ phase: '', metadb_may_have_changed: true });
    expect((await omsPhase.run({ of: 'done' }, makeContext())).facts).toBeUndefined();
  });

  it('an unknown phase at run time (a template, a journal) fails with a did-you-mean', async () => {
    expect((await refused({ set: 'stoped' })).message).toBe('unknown upgrade phase "stoped" — did you mean `stopped`?');
    const e = await refused({ of: 'init-started' });
    expect(e.message).toContain('did you mean `init_started`?');
    expect(e.hint).toContain('preflight, ha_disabled, stopping');
  });
});

describe('a phase typo in the shipped upgrade playbook', () => {
  it('is an `omsplay validate` error at its file:line:col with a did-you-mean; the shipped playbook validates', async () => {
    const ok = await cli(['validate', join(SHIPPED_PLAYBOOKS, 'upgrade.yml'), '-i', INVENTORY]);
    expect(ok.code, ok.out + ok.err).toBe(0);

    const copy = join(tmp.dir, 'playbooks');
    cpSync(SHIPPED_PLAYBOOKS, copy, { recursive: true });
    const file = join(copy, 'tasks', 'upgrade', '04-stop-old.yml');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('  oms.phase: stopped\n');
    writeFileSync(file, text.replace('  oms.phase: stopped\n', '  oms.phase: stoped\n'));
    const line = text.split('\n').findIndex((l) => l === '  oms.phase: stopped') + 1;

    const r = await cli(['validate', join(copy, 'upgrade.yml'), '-i', INVENTORY]);
    expect(r.code).toBe(4);
    expect(r.out + r.err).toContain(`04-stop-old.yml:${line}:14: validation error: \`set\` for module \`oms.phase\`: expected one of "preflight"`);
    expect(r.out + r.err).toContain('got string "stoped" — did you mean `stopped`?');
  });
});
