import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/errors.js';
import { referencedVariables, templateReferences, templateSyntaxErrors } from '../../../lib/template/index.js';

const names = (value: unknown, kind?: 'template' | 'condition') => [...referencedVariables(value, kind)].sort();

describe('referencedVariables', () => {
  it('finds root names in strings, deeply, and ignores strings without {{', () => {
    expect(names({ argv: ['echo', '{{ a }}', '{{ b.c.d }}'], env: { X: 'x={{ e }}' }, plain: 'f g', n: 5 })).toEqual(['a', 'b', 'e']);
  });

  it('ignores helper names, literals, this and @data', () => {
    expect(names('{{ eq a "lit" }} {{ add 1 2 }} {{ now }} {{ json (split c) }} {{ this }} {{ @index }}')).toEqual(['a', 'c']);
  });

  it('ignores names only used as the first argument of default/defined, but not their fallbacks', () => {
    expect(names('{{ default opt "x" }}')).toEqual([]);
    expect(names('{{ default opt.deep fb }}')).toEqual(['fb']);
    expect(names('{{#if (defined maybe)}}{{ maybe.path }}{{/if}}')).toEqual([]);
    expect(names(['(defined maybe)', 'maybe.ok', 'other'], 'condition')).toEqual(['other']);
    expect(names('{{#if (defined maybe)}}x{{/if}}')).toEqual([]);
    expect(names('{{ default (add x 1) 0 }}')).toEqual(['x']);
  });

  it('each: the list is read, block params and the item context are not', () => {
    expect(names('{{#each hosts as |h i|}}{{ h.name }}{{ i }}{{ port }}{{/each}}')).toEqual(['hosts']);
    expect(names('{{#each hosts}}{{ name }}{{ this }}{{ @key }}{{/each}}')).toEqual(['hosts']);
    expect(names('{{#each hosts as |h|}}{{ ../region }}{{ @root.site }}{{/each}}')).toEqual(['hosts', 'region', 'site']);
    expect(names('{{#each a}}{{#each b}}{{ ../../top }}{{ ../mid }}{{/each}}{{/each}}')).toEqual(['a', 'top']);
    expect(names('{{#each xs as |x|}}{{/each}}{{ x }}')).toEqual(['x', 'xs']);
    expect(names('{{#each xs}}{{else}}{{ empty_msg }}{{/each}}')).toEqual(['empty_msg', 'xs']);
  });

  it('if/unless keep the context; with changes it', () => {
    expect(names('{{#if a}}{{ b }}{{else}}{{ c }}{{/if}}{{#unless d}}{{ e }}{{/unless}}')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(names('{{#with db}}{{ host }}{{/with}}')).toEqual(['db']);
  });

  it('treats every string as a condition when asked', () => {
    expect(names(['(eq region "hz")', 'ha.enable', '(and a (not b))', '{{ c }}', 'not_a_var'], 'condition')).toEqual([
      'a',
      'b',
      'c',
      'ha',
      'not_a_var',
      'region',
    ]);
    expect(names('ha.enable', 'template')).toEqual([]);
  });

  it('skips templates with syntax errors (reported by templateSyntaxErrors)', () => {
    expect(names(['{{ broken', '{{ ok }}'])).toEqual(['ok']);
  });

  it('templateReferences gives the property path and whether it is guarded', () => {
    expect(templateReferences('{{ a.b.c }} {{ default d.e 1 }}').map((r) => ({ root: r.root, parts: r.parts, guarded: r.guarded }))).toEqual([
      { root: 'a', parts: ['b', 'c'], guarded: false },
      { root: 'd', parts: ['e'], guarded: true },
    ]);
  });
});

describe('templateSyntaxErrors', () => {
  const where = { task: 'Check', location: { file: 'p.yml', line: 7, col: 3 } };

  it('reports every broken template with the location', () => {
    const errors = templateSyntaxErrors({ a: '{{ x', b: ['ok {{ y }}', '{{ z == 1 }}'], c: '{{> partial }}' }, where);
    expect(errors).toHaveLength(3);
    for (const e of errors) {
      expect(e).toBeInstanceOf(ValidationError);
      expect(e.location).toEqual(where.location);
      expect(e.message).toContain('task "Check"');
    }
    expect(errors[0]!.message).toContain('template syntax error');
    expect(errors[1]!.hint).toContain('(eq a b)');
    expect(errors[2]!.message).toContain('partials');
  });

  it('reports unknown helpers with the column', () => {
    const [e] = templateSyntaxErrors('abc {{ frob x }}', where);
    expect(e!.message).toContain('"frob" is not a helper');
    expect(e!.message).toContain('column 8');
  });

  it('reports the line and column inside a multi-line template', () => {
    const [e] = templateSyntaxErrors('line one\nline {{ two', where);
    expect(e!.message).toContain('template line 2');
  });

  it('checks conditions as bare expressions', () => {
    expect(templateSyntaxErrors(['(eq a 1)', 'b'], where, 'condition')).toEqual([]);
    expect(templateSyntaxErrors(['a == 1'], where, 'condition')).toHaveLength(1);
    expect(templateSyntaxErrors(['a or b'], where, 'condition')[0]!.message).toContain('"a" is not a helper');
  });

  it('quotes a bare condition as written and points into it', () => {
    const [missing] = templateSyntaxErrors(['(and (eq a b) (not c)'], where, 'condition');
    expect(missing!.message).toContain("a ')' is missing");
    expect(missing!.message).toContain('in "(and (eq a b) (not c)"');
    const [eq] = templateSyntaxErrors(['x == 1'], where, 'condition');
    expect(eq!.message).toContain('at column 3');
    const [extra] = templateSyntaxErrors(['(eq a b))'], where, 'condition');
    expect(extra!.message).toContain("unexpected ')'");
    expect(extra!.message).toContain('at column 9');
  });

  it('finds nothing wrong in valid templates', () => {
    expect(templateSyntaxErrors(['{{#each xs as |x|}}{{x}}{{/each}}', '{{ default a 1 }}', 'plain', 5, null], where)).toEqual([]);
  });
});
