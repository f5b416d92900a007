import { describe, expect, it } from 'vitest';
import { InterruptedError, TaskFailedError } from '../../../../lib/errors.js';
import { pause } from '../../../../lib/modules/pause.js';
import { makeContext } from './context.js';

describe('pause', () => {
  it('waits the given seconds', async () => {
    const started = performance.now();
    const r = await pause.run({ seconds: 0.2 }, makeContext());
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(r).toMatchObject({ changed: false });
    expect(r.waited_ms).toBeGreaterThanOrEqual(190);
  });

  it('stops waiting when the run is aborted', async () => {
    const ctx = makeContext();
    setTimeout(() => ctx.abort(), 50);
    await expect(pause.run({ minutes: 10 }, ctx)).rejects.toBeInstanceOf(InterruptedError);
  });

  it('asks for confirmation and goes on when answered yes', async () => {
    const ctx = makeContext({ answer: true });
    const r = await pause.run({ prompt: 'Upgrade hz?' }, ctx);
    expect(ctx.questions).toEqual(['Upgrade hz?']);
    expect(r).toMatchObject({ changed: false, confirmed: true });
    expect(r.failed).toBeUndefined();
  });

  it('fails when answered no', async () => {
    const r = await pause.run({ prompt: 'Upgrade hz?' }, makeContext({ answer: false }));
    expect(r).toMatchObject({ failed: true, confirmed: false, msg: 'not confirmed: Upgrade hz?' });
  });

  it('fails clearly, with the hint, when nobody can answer', async () => {
    const noTty = new TaskFailedError('confirmation needed: Upgrade hz?', {}, { hint: 'this run is not interactive: add --yes to answer yes' });
    const r = await pause.run({ prompt: 'Upgrade hz?' }, makeContext({ answer: noTty }));
    expect(r.failed).toBe(true);
    expect(r.msg).toBe('confirmation needed: Upgrade hz? (hint: this run is not interactive: add --yes to answer yes)');
  });

  it('check mode: neither waits nor asks', async () => {
    const ctx = makeContext({ check: true });
    expect(await pause.run({ prompt: 'Sure?' }, ctx)).toMatchObject({ skipped: true, msg: 'check mode: would ask: Sure?' });
    expect(ctx.questions).toEqual([]);
    expect(await pause.run({ minutes: 5 }, ctx)).toMatchObject({ skipped: true, msg: 'check mode: would wait 300s' });
  });
});
