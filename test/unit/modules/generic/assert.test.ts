import { describe, expect, it } from 'vitest';
import { assertModule } from '../../../../lib/modules/assert.js';
import { makeContext } from './context.js';

const vars = { region: 'hz', ha: { enable: false }, version: '4.2.5', count: 3 };

describe('assert', () => {
  it('passes when every condition holds', async () => {
    const r = await assertModule.run({ that: ['(eq region "hz")', '(not ha.enable)', '{{ count }}', true] }, makeContext({ vars }));
    expect(r).toEqual({ changed: false, failed_conditions: [], msg: 'All assertions passed' });
    expect((await assertModule.run({ that: 'version', success_msg: 'fine', quiet: true }, makeContext({ vars }))).msg).toBeUndefined();
    expect((await assertModule.run({ that: 'version', success_msg: 'fine' }, makeContext({ vars }))).msg).toBe('fine');
  });

  it('fails naming every condition that does not hold', async () => {
    const r = await assertModule.run(
      { that: ['(eq region "hz")', 'ha.enable', '(gt count 5)', 'false'], fail_msg: 'not ready' },
      makeContext({ vars }),
    );
    expect(r).toMatchObject({ failed: true, failed_conditions: ['ha.enable', '(gt count 5)', 'false'], assertion: 'ha.enable' });
    expect(r.msg).toBe('not ready (did not hold: "ha.enable", "(gt count 5)", "false")');
    expect((await assertModule.run({ that: false, msg: 'alias' }, makeContext({ vars }))).msg).toMatch(/^alias/);
  });

  it('an undefined variable is an error, not a silent false', async () => {
    await expect(assertModule.run({ that: 'nope.x' }, makeContext({ vars }))).rejects.toThrow(/nope/);
  });
});
