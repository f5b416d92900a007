/**
 * Each generic module's argument schema, compiled with ajv (2020-12, as lib/config/validate.ts
 * does), accepts what the docs promise and refuses the usual mistakes.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateSchema } from '../../../../lib/config/validate.js';
import { getModule, moduleNames, modules } from '../../../../lib/modules/index.js';
import type { ModuleDefinition } from '../../../../lib/modules/types.js';

const ajv = new Ajv2020({ strict: false, allErrors: true });
const valid = (name: string, args: unknown) => {
  const m = getModule(name);
  if (!m) throw new Error(`no module ${name}`);
  return ajv.validate(m.schema, args);
};

const cases: Record<string, { ok: unknown[]; bad: unknown[] }> = {
  command: {
    ok: [{ cmd: 'echo hi' }, { cmd: ['echo', 'hi'] }, { argv: ['ls'] }, { cmd: 'x', creates: '/a', removes: 'b', chdir: '/tmp', env: { A: '1', N: 2, B: true }, stdin: 'x', stdin_add_newline: false }],
    bad: [{}, { cmd: '' }, { cmd: [] }, { cmd: 'a', argv: ['b'] }, { cmd: 'a', creates: 1 }, { cmd: 'a', env: { A: { nested: 1 } } }, { cmd: 'a', shell: true }, 'echo hi'],
  },
  shell: {
    ok: [{ cmd: 'a | b' }, { cmd: 'a', executable: '/bin/bash', chdir: '/', env: { X: 'y' }, creates: '/x' }],
    bad: [{}, { cmd: ['a'] }, { cmd: 'a', argv: ['a'] }, { cmd: 'a', executable: '' }],
  },
  copy: {
    ok: [{ content: 'x', dest: '/a' }, { content: { a: 1 }, dest: '/a' }, { src: 'f.txt', dest: '/a', mode: '0644', owner: 'ds', group: '0', backup: true, force: false }, { src: 'f', dest: '/a', mode: '755' }],
    bad: [{ dest: '/a' }, { content: 'x' }, { content: 'x', src: 'f', dest: '/a' }, { content: 'x', dest: '/a', mode: 644 }, { content: 'x', dest: '/a', mode: '0999' }, { content: 'x', dest: '/a', mode: 'u+x' }, { content: 'x', dest: '/a', backup: 'yes' }],
  },
  template: {
    ok: [{ src: 'c.hbs', dest: '/etc/c', mode: '0600', owner: 'ds' }],
    bad: [{ src: 'c.hbs' }, { dest: '/a' }, { src: 'c.hbs', dest: '/a', content: 'x' }],
  },
  set_fact: {
    ok: [{ a: 1 }, { backup_dir: '/x', list: [1], _x: null }],
    bad: [{}, { 'bad-name': 1 }, { '1x': 1 }, 'a=1'],
  },
  debug: {
    ok: [{}, { msg: 'x' }, { msg: { a: 1 } }, { var: 'result.stdout_lines' }, { var: 'hostvars.a[0].b' }],
    bad: [{ msg: 'x', var: 'y' }, { var: '{{ x }}' }, { var: 'a b' }, { verbosity: 1 }],
  },
  assert: {
    ok: [{ that: '(eq a 1)' }, { that: true }, { that: ['a', false, '{{ b }}'], fail_msg: 'x', success_msg: 'y', quiet: true }, { that: 'a', msg: 'x' }],
    bad: [{}, { that: [] }, { that: 1 }, { that: 'a', quiet: 'yes' }, { that: 'a', fail_message: 'x' }],
  },
  fail: { ok: [{}, { msg: 'x' }], bad: [{ msg: 1 }, { message: 'x' }] },
  pause: {
    ok: [{}, { prompt: 'sure?' }, { seconds: 5 }, { minutes: 0.5, prompt: 'settling' }],
    bad: [{ seconds: -1 }, { seconds: 1, minutes: 1 }, { seconds: '5' }, { prompt: '' }],
  },
  wait_for: {
    ok: [{ port: 8089 }, { port: 3306, host: '10.0.0.1', state: 'stopped', timeout: 60, delay: 1, sleep: 0.5 }, { path: '/a', state: 'absent' }, { path: '/log', regex: 'started' }, { command: 'x y', regex: 'ok', msg: 'm' }, { command: ['a'] }],
    bad: [{}, { port: 0 }, { port: 70000 }, { port: 1, path: '/a' }, { path: '/a', state: 'gone' }, { path: '/a', sleep: 0 }, { command: [] }, { port: '80' }],
  },
};

describe('generic module schemas', () => {
  for (const [name, { ok, bad }] of Object.entries(cases)) {
    it(`${name}: accepts valid arguments`, () => {
      for (const args of ok) expect(valid(name, args), `${name} ${JSON.stringify(args)}: ${ajv.errorsText()}`).toBe(true);
    });
    it(`${name}: refuses invalid arguments`, () => {
      for (const args of bad) expect(valid(name, args), `${name} ${JSON.stringify(args)} should be refused`).toBe(false);
    });
  }

  it('every generic module is covered here and registered', () => {
    expect(moduleNames().slice(0, 10)).toEqual(Object.keys(cases));
  });
});

const nowhere = { locate: () => ({ file: 'example', line: 1, col: 1 }) };

/** The args a task gives its module: a free-form string/list becomes `{ [freeForm]: value }`. */
function exampleArgs(m: ModuleDefinition): unknown[] {
  const tasks = parse(m.example) as Array<Record<string, unknown>>;
  return tasks.filter((t) => m.name in t).map((t) => {
    const raw = t[m.name];
    return (typeof raw === 'string' || Array.isArray(raw)) && m.freeForm ? { [m.freeForm]: raw } : (raw ?? {});
  });
}

describe('every registered module definition', () => {
  it.each([...modules.values()].map((m) => [m.name, m] as const))('%s: the documented example is valid', (name, m) => {
    const args = exampleArgs(m);
    expect(args.length).toBeGreaterThan(0);
    // The playbook validator's own rules (templated strings are checked at run time, not here).
    for (const a of args) expect(validateSchema(m.schema, a, nowhere).map((e) => e.message), `${name} example ${JSON.stringify(a)}`).toEqual([]);
  });

  const all: ModuleDefinition[] = [...modules.values()];
  it.each(all.map((m) => [m.name, m] as const))('%s is complete and its schema compiles', (name, m) => {
    expect(m.name).toBe(name);
    expect(m.summary.length).toBeGreaterThan(10);
    expect(['full', 'read_only', 'none']).toContain(m.checkMode);
    expect(m.changedMeans).toBeTruthy();
    expect(m.result.length).toBeGreaterThan(0);
    expect(m.example).toMatch(new RegExp(`^\\s*${name.replace('.', '\\.')}:`, 'm'));
    expect(() => ajv.compile(m.schema)).not.toThrow();
    expect(m.schema.type).toBe('object');
    if (m.freeForm) expect(Object.keys((m.schema.properties ?? {}) as object)).toContain(m.freeForm);
    if (m.runsInCheckMode) expect(m.checkMode).toBe('none');
  });
});
