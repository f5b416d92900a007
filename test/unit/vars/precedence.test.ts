/** Precedence as data: the eight levels in the README's order, and compose() letting each level override the one below. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LEVELS, ORDER, type Slot, compose, flatten, setAbove } from '../../../lib/vars/precedence.js';

const README = readFileSync(join(import.meta.dirname, '..', '..', '..', 'README.md'), 'utf8');

/** The numbered list under "### Variables and precedence", item texts in order. */
function readmeLevels(): string[] {
  const section = README.slice(README.indexOf('### Variables and precedence'));
  const out: string[] = [];
  for (const m of section.matchAll(/^(\d+)\. (.+)$/gm)) {
    if (Number(m[1]) !== out.length + 1) break;
    out.push(m[2]!);
  }
  return out;
}

describe('precedence order as data', () => {
  it('is the eight levels, lowest first', () => {
    expect(LEVELS.map((l) => l.name)).toEqual(['all', 'region', 'group', 'host', 'play', 'task', 'facts', 'extra']);
  });

  it("is the README's list, word for word", () => {
    expect(readmeLevels()).toEqual(LEVELS.map((l) => l.source));
  });

  it('composes in that order, with the run variables above play vars and the loop variable on top', () => {
    expect(ORDER.filter((s) => LEVELS.some((l) => l.name === s))).toEqual(LEVELS.map((l) => l.name));
    expect(ORDER).toEqual(['all', 'region', 'group', 'host', 'play', 'run', 'task', 'facts', 'extra', 'loop']);
  });
});

describe('compose: each slot overrides the one below', () => {
  // x is set at every slot up to `top`: the value must be top's.
  it.each(ORDER.map((s, i) => [s, i] as const))('%s wins over every slot below it', (top, i) => {
    const layers: Partial<Record<Slot, Record<string, unknown>>> = {};
    for (const s of ORDER.slice(0, i + 1)) layers[s] = { x: s, [`only_${s}`]: s };
    const vars = compose(layers);
    expect(vars.x).toBe(top);
    // Names set at one slot only survive whatever is above.
    for (const s of ORDER.slice(0, i + 1)) expect(vars[`only_${s}`]).toBe(s);
  });

  it('does not depend on the order the layers object is written in', () => {
    expect(compose({ extra: { x: 'extra' }, all: { x: 'all' }, facts: { x: 'facts' } }).x).toBe('extra');
    expect(compose({ task: { x: 'task' }, play: { x: 'play' } }).x).toBe('task');
  });

  it('within a slot, a later map wins (groups in order; blocks outer to inner, then the task)', () => {
    expect(compose({ group: [{ x: 'parent' }, { x: 'child', y: 'child' }] })).toEqual({ x: 'child', y: 'child' });
    expect(compose({ task: [{ x: 'outer' }, undefined, { x: 'inner' }, { x: 'task' }], play: { x: 'play' } }).x).toBe('task');
    expect(flatten([{ a: 1, b: 1 }, null, { b: 2 }])).toEqual({ a: 1, b: 2 });
  });

  it('replaces a mapping whole (no deep merge)', () => {
    expect(compose({ all: { ha: { enable: true, port: 1 } }, host: { ha: { enable: false } } }).ha).toEqual({ enable: false });
  });

  it('setAbove tells whether a higher slot hides a name', () => {
    const layers = { host: { a: 1, b: 1 }, task: [undefined, { b: 2 }], extra: { c: 3 } };
    expect(setAbove(layers, 'host', 'a')).toBe(false);
    expect(setAbove(layers, 'host', 'b')).toBe(true);
    expect(setAbove(layers, 'task', 'b')).toBe(false);
    expect(setAbove(layers, 'play', 'c')).toBe(true);
  });
});
