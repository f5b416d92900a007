import { describe, expect, it } from 'vitest';
import { debug } from '../../../../lib/modules/debug.js';
import { fail } from '../../../../lib/modules/fail.js';
import { setFact } from '../../../../lib/modules/set_fact.js';
import { Secret } from '../../../../lib/secrets.js';
import { makeContext } from './context.js';

describe('set_fact', () => {
  it('returns its arguments as facts, not changed', async () => {
    const r = await setFact.run({ backup_dir: '/data/b', n: 3, list: [1, 2] }, makeContext());
    expect(r).toEqual({ changed: false, facts: { backup_dir: '/data/b', n: 3, list: [1, 2] } });
  });
});

describe('debug', () => {
  const vars = { health: { components: [{ name: 'store', ok: true }] }, version: '4.2.5', empty: '', db_password: new Secret('hunter22') };

  it('prints msg; non-strings as JSON', async () => {
    expect(await debug.run({ msg: 'hello' }, makeContext())).toEqual({ changed: false, msg: 'hello' });
    expect((await debug.run({ msg: { a: [1] } }, makeContext())).msg).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect((await debug.run({}, makeContext())).msg).toBe('Hello world!');
  });

  it('prints a variable by dotted / indexed path', async () => {
    const ctx = makeContext({ vars });
    expect(await debug.run({ var: 'version' }, ctx)).toMatchObject({ msg: 'version: 4.2.5', value: '4.2.5' });
    expect(await debug.run({ var: 'health.components[0].name' }, ctx)).toMatchObject({ msg: 'health.components[0].name: store', value: 'store' });
    expect(await debug.run({ var: 'empty' }, ctx)).toMatchObject({ msg: 'empty: ' });
  });

  it('says when a variable is not defined', async () => {
    const r = await debug.run({ var: 'health.nope' }, makeContext({ vars }));
    expect(r.msg).toBe('health.nope: VARIABLE IS NOT DEFINED!');
    expect(r.failed).toBeUndefined();
  });

  it('never prints a secret value', async () => {
    const r = await debug.run({ var: 'db_password' }, makeContext({ vars }));
    expect(r.msg).toBe('db_password: "********"');
  });
});

describe('fail', () => {
  it('fails with the message (or a default)', async () => {
    expect(await fail.run({ msg: 'node is degraded' }, makeContext())).toEqual({ changed: false, failed: true, msg: 'node is degraded' });
    expect((await fail.run({}, makeContext())).msg).toBe('Failed as requested from task');
  });
});
