/** The fact cache: one read per host per run, forgotten when told, task-lifetime facts re-read per task. */
import { describe, expect, it } from 'vitest';
import type { ExecResult } from '../../../lib/connection/types.js';
import { FactCache, FactCaches, readFact } from '../../../lib/plan/facts.js';
import type { Fact, PlannedCommand } from '../../../lib/plan/types.js';

const ok = (stdout: string): ExecResult => ({ exitCode: 0, signal: null, stdout, stderr: '', durationMs: 1, timedOut: false });

function counter() {
  const reads: string[] = [];
  let n = 0;
  const exec = async (c: PlannedCommand): Promise<ExecResult> => {
    reads.push('argv' in c ? c.argv.join(' ') : 'script' in c ? c.script : c.sql);
    if ('argv' in c && c.argv[1] === 'fail') return { ...ok(''), exitCode: 2, stderr: 'boom' };
    return ok(String(++n));
  };
  return { reads, exec };
}

const runFact: Fact<{ path: string }, number> = {
  name: 'test.run',
  lifetime: 'run',
  command: (p) => ({ argv: ['read', p.path] }),
  parse: (r, p, host) => {
    if (r.exitCode !== 0) throw new Error(`cannot read ${p.path} on ${host}: ${r.stderr}`);
    return Number(r.stdout);
  },
};
const taskFact: Fact<{ path: string }, number> = { ...runFact, name: 'test.task', lifetime: 'task' };

describe('FactCache', () => {
  it('reads a fact once per params, and again after it is invalidated', async () => {
    const { reads, exec } = counter();
    const cache = new FactCache();
    const facts = cache.reader('h1', exec);
    expect(await facts.get(runFact, { path: '/a' })).toBe(1);
    expect(await facts.get(runFact, { path: '/a' })).toBe(1);
    expect(await facts.get(runFact, { path: '/b' })).toBe(2);
    facts.invalidate(runFact, { path: '/a' });
    expect(await facts.get(runFact, { path: '/a' })).toBe(3);
    expect(await facts.get(runFact, { path: '/b' })).toBe(2);
    facts.invalidate(runFact);
    expect(await facts.get(runFact, { path: '/b' })).toBe(4);
    facts.invalidate();
    expect(await facts.get(runFact, { path: '/b' })).toBe(5);
    expect(reads).toEqual(['read /a', 'read /b', 'read /a', 'read /b', 'read /b']);
  });

  it('keeps run-lifetime facts across tasks and reads task-lifetime facts again in the next task', async () => {
    const { exec } = counter();
    const cache = new FactCache();
    const facts = cache.reader('h1', exec);
    await facts.get(runFact, { path: '/a' });
    await facts.get(taskFact, { path: '/a' });
    cache.endTask();
    expect(await facts.get(runFact, { path: '/a' })).toBe(1);
    expect(await facts.get(taskFact, { path: '/a' })).toBe(3);
  });

  it('does not remember a failed read, and the parser names the host', async () => {
    const { reads, exec } = counter();
    const facts = new FactCache().reader('h7', exec);
    await expect(facts.get(runFact, { path: 'fail' })).rejects.toThrow('cannot read fail on h7: boom');
    await expect(facts.get(runFact, { path: 'fail' })).rejects.toThrow('cannot read fail on h7');
    expect(reads).toEqual(['read fail', 'read fail']);
  });

  it('keeps one cache per host', async () => {
    const caches = new FactCaches();
    expect(caches.forHost('h1')).toBe(caches.forHost('h1'));
    expect(caches.forHost('h1')).not.toBe(caches.forHost('h2'));
  });

  it('readFact: through the cache, or fresh for a module that polls', async () => {
    const { reads, exec } = counter();
    const facts = new FactCache().reader('h1', exec);
    const ctx = { host: 'h1', facts, exec: async () => ok('') };
    expect(await readFact(ctx, taskFact, { path: '/c' })).toBe(1);
    expect(await readFact(ctx, taskFact, { path: '/c' })).toBe(1);
    expect(await readFact(ctx, taskFact, { path: '/c' }, { fresh: true })).toBe(2);
    expect(reads).toEqual(['read /c', 'read /c']);
  });
});
