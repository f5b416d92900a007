import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/errors.js';
import { Secret } from '../../../lib/secrets.js';
import { evaluateCondition, evaluateConditions, isTruthy, type TemplateWhere } from '../../../lib/template/index.js';

const where: TemplateWhere = { task: 'Restart OMS', location: { file: 'site.yml', line: 40, col: 11 } };
const vars = {
  region: 'hz',
  ha: { enable: false, nodes: 3 },
  a: true,
  b: false,
  flag: 'false',
  count: 0,
  list: [],
  result: { rc: 0, stdout: 'ok' },
};

function error(f: () => unknown): ValidationError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('isTruthy', () => {
  it.each([
    [false],
    [null],
    [undefined],
    [0],
    [-0],
    [Number.NaN],
    [''],
    ['false'],
    ['False'],
    ['FALSE'],
    ['no'],
    ['No'],
    ['NO'],
    ['0'],
    [[]],
    [{}],
  ])('%j is false', (v) => {
    expect(isTruthy(v)).toBe(false);
  });

  it.each([[true], [1], [-1], [0.5], ['true'], ['yes'], ['off'], [' '], ['x'], ['00'], [[0]], [[false]], [{ a: 0 }], [new Date(0)]])('%j is true', (v) => {
    expect(isTruthy(v)).toBe(true);
  });

  it('judges a Secret by its value', () => {
    expect(isTruthy(new Secret('false'))).toBe(false);
    expect(isTruthy(new Secret('s3cret'))).toBe(true);
  });
});

describe('evaluateConditions', () => {
  it('undefined and an empty list hold', () => {
    expect(evaluateConditions(undefined, vars, where)).toBe(true);
    expect(evaluateConditions([], vars, where)).toBe(true);
  });

  it('booleans', () => {
    expect(evaluateConditions([true], vars, where)).toBe(true);
    expect(evaluateConditions([false], vars, where)).toBe(false);
    expect(evaluateConditions([true, false], vars, where)).toBe(false);
  });

  it('bare expressions: subexpressions, paths, nested logic, helper calls without parentheses', () => {
    expect(evaluateConditions(['(eq region "hz")'], vars, where)).toBe(true);
    expect(evaluateConditions(['(eq region "sh")'], vars, where)).toBe(false);
    expect(evaluateConditions(['ha.enable'], vars, where)).toBe(false);
    expect(evaluateConditions(['ha.nodes'], vars, where)).toBe(true);
    expect(evaluateConditions(['(and a (not b))'], vars, where)).toBe(true);
    expect(evaluateConditions(['(or b (gt ha.nodes 2))'], vars, where)).toBe(true);
    expect(evaluateConditions(['eq result.rc 0'], vars, where)).toBe(true);
    expect(evaluateConditions(['  (eq region "hz")  '], vars, where)).toBe(true);
    expect(evaluateConditions(['(and\n  (eq region "hz")\n  (not ha.enable))'], vars, where)).toBe(true);
    expect(evaluateConditions(['true'], vars, where)).toBe(true);
    expect(evaluateConditions(['false'], vars, where)).toBe(false);
  });

  it('the string "false" and other falsy values from variables are false', () => {
    expect(evaluateConditions(['flag'], vars, where)).toBe(false);
    expect(evaluateConditions(['count'], vars, where)).toBe(false);
    expect(evaluateConditions(['list'], vars, where)).toBe(false);
    expect(evaluateConditions(['{{ flag }}'], vars, where)).toBe(false);
    expect(evaluateConditions(['(not flag)'], vars, where)).toBe(true);
  });

  it('{{ }} templates, native or text', () => {
    expect(evaluateConditions(['{{ eq region "hz" }}'], vars, where)).toBe(true);
    expect(evaluateConditions(['{{ (eq region "hz") }}'], vars, where)).toBe(true);
    expect(evaluateConditions(['{{ ha.enable }}'], vars, where)).toBe(false);
    expect(evaluateConditions(['{{#if a}}yes{{else}}no{{/if}}'], vars, where)).toBe(true);
    expect(evaluateConditions(['{{#if b}}yes{{else}}no{{/if}}'], vars, where)).toBe(false);
    expect(evaluateConditions(['{{ b }}{{ b }}'], vars, where)).toBe(true); // "falsefalse" is a non-empty string
  });

  it('a list holds when every item holds, and stops at the first false one', () => {
    expect(evaluateConditions(['(eq region "hz")', 'a', true], vars, where)).toBe(true);
    expect(evaluateConditions(['(eq region "hz")', 'b'], vars, where)).toBe(false);
    // The second item would fail (undefined property) if it were evaluated.
    expect(evaluateConditions(['(defined ha.missing)', 'ha.missing.x'], vars, where)).toBe(false);
  });

  it('defined tolerates missing variables and properties', () => {
    expect(evaluateConditions(['(defined ha.enable)'], vars, where)).toBe(true);
    expect(evaluateConditions(['(defined ha.missing)'], vars, where)).toBe(false);
    expect(evaluateConditions(['(defined nowhere.at.all)'], vars, where)).toBe(false);
    expect(evaluateConditions(['(not (defined nowhere))'], vars, where)).toBe(true);
    expect(evaluateConditions(['(default ha.missing true)'], vars, where)).toBe(true);
  });

  it('an undefined variable is an error naming it, the task and the location', () => {
    const e = error(() => evaluateConditions(['not_a_var'], vars, where));
    expect(e.message).toContain('undefined variable "not_a_var"');
    expect(e.message).toContain('in "not_a_var"');
    expect(e.message).toContain('task "Restart OMS"');
    expect(e.format()).toMatch(/^site\.yml:40:11: /);
    expect(error(() => evaluateConditions(['(eq regoin "hz")'], vars, where)).hint).toContain('did you mean `region`?');
    expect(error(() => evaluateConditions(['ha.enabled'], vars, where)).message).toContain('undefined variable "ha.enabled"');
  });

  it('Jinja-style conditions are refused with a hint', () => {
    expect(error(() => evaluateConditions(['region == "hz"'], vars, where)).hint).toContain('(eq a b)');
    expect(error(() => evaluateConditions(['a and b'], vars, where)).message).toContain('"a" is not a helper');
    expect(error(() => evaluateConditions(['(eq region "hz"'], vars, where)).message).toContain('syntax error');
  });

  it('evaluateCondition takes a single condition; other YAML scalars are judged by truthiness', () => {
    expect(evaluateCondition('a', vars, where)).toBe(true);
    expect(evaluateCondition(1, vars, where)).toBe(true);
    expect(evaluateCondition(0, vars, where)).toBe(false);
    expect(evaluateCondition(null, vars, where)).toBe(false);
    expect(evaluateConditions('b' as never, vars, where)).toBe(false);
  });
});
