import { afterEach, describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../../../lib/errors.js';
import { Secret } from '../../../lib/secrets.js';
import { renderText, renderValue, type TemplateWhere } from '../../../lib/template/index.js';

const where: TemplateWhere = { task: 'Stop the ghana container', location: { file: 'upgrade.yml', line: 12, col: 9 } };

const vars = {
  port: 3306,
  ratio: 0.5,
  enabled: true,
  off: false,
  nothing: null,
  name: 'oms-hz-1',
  hosts: ['oms-hz-1', 'oms-hz-2'],
  db: { host: '10.0.0.5', port: 2883, tags: { tier: 'meta' } },
  items: [{ name: 'a' }, { name: 'b' }],
  html: '<b>&"\'</b>',
  region: 'hangzhou',
};

function catchError(f: () => unknown): ValidationError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('native values', () => {
  it('keeps the type of a string that is exactly one expression', () => {
    expect(renderValue('{{ port }}', vars, where)).toBe(3306);
    expect(renderValue('{{port}}', vars, where)).toBe(3306);
    expect(renderValue('{{  ratio  }}', vars, where)).toBe(0.5);
    expect(renderValue('{{ enabled }}', vars, where)).toBe(true);
    expect(renderValue('{{ off }}', vars, where)).toBe(false);
    expect(renderValue('{{ nothing }}', vars, where)).toBeNull();
    expect(renderValue('{{ hosts }}', vars, where)).toEqual(['oms-hz-1', 'oms-hz-2']);
    expect(renderValue('{{ db }}', vars, where)).toEqual({ host: '10.0.0.5', port: 2883, tags: { tier: 'meta' } });
    expect(renderValue('{{ db.tags }}', vars, where)).toEqual({ tier: 'meta' });
    expect(renderValue('{{{ db.port }}}', vars, where)).toBe(2883);
    expect(renderValue('{{~ db.port ~}}', vars, where)).toBe(2883);
  });

  it('returns the value of helper calls, literals and subexpressions', () => {
    expect(renderValue('{{ add port 1 }}', vars, where)).toBe(3307);
    expect(renderValue('{{ (add port 1) }}', vars, where)).toBe(3307);
    expect(renderValue('{{ eq region "hangzhou" }}', vars, where)).toBe(true);
    expect(renderValue('{{ split "a,b" }}', vars, where)).toEqual(['a', 'b']);
    expect(renderValue('{{ 5 }}', vars, where)).toBe(5);
    expect(renderValue('{{ "five" }}', vars, where)).toBe('five');
    expect(renderValue('{{ true }}', vars, where)).toBe(true);
    expect(renderValue('{{ null }}', vars, where)).toBeNull();
    expect(typeof renderValue('{{ now }}', vars, where)).toBe('string');
  });

  it('returns copies, not the variables themselves', () => {
    const out = renderValue('{{ db }}', vars, where) as { port: number };
    out.port = 1;
    expect(vars.db.port).toBe(2883);
  });

  it('renders anything else as text; lists and mappings print as JSON', () => {
    expect(renderValue('port {{ port }}', vars, where)).toBe('port 3306');
    expect(renderValue(' {{ port }}', vars, where)).toBe(' 3306');
    expect(renderValue('{{ port }}{{ port }}', vars, where)).toBe('33063306');
    expect(renderValue('hosts={{ hosts }}', vars, where)).toBe('hosts=["oms-hz-1","oms-hz-2"]');
    expect(renderValue('db={{ db.tags }}', vars, where)).toBe('db={"tier":"meta"}');
    expect(renderValue('[{{ nothing }}]', vars, where)).toBe('[]');
    expect(renderValue('{{ "a" }}-{{ 5 }}-{{ true }}', vars, where)).toBe('a-5-true');
  });

  it('renders deeply through lists and mappings, not keys, and leaves other values alone', () => {
    const value = { argv: ['echo', '{{ name }}', '{{ port }}'], opts: { n: 1, b: false, z: null, '{{ name }}': 'k' }, plain: 'no template' };
    expect(renderValue(value, vars, where)).toEqual({
      argv: ['echo', 'oms-hz-1', 3306],
      opts: { n: 1, b: false, z: null, '{{ name }}': 'k' },
      plain: 'no template',
    });
  });

  it('returns the same object when nothing is templated', () => {
    const value = { a: [1, 'x', { b: 'y' }], c: 'z' };
    expect(renderValue(value, vars, where)).toBe(value);
    expect(value).toEqual({ a: [1, 'x', { b: 'y' }], c: 'z' });
  });

  it('does not treat a string without {{ as a template', () => {
    expect(renderValue('a { b } c }}', vars, where)).toBe('a { b } c }}');
    expect(renderValue('$HOME $((1+2))', vars, where)).toBe('$HOME $((1+2))');
  });

  it('renderText always returns a string and keeps surrounding text', () => {
    expect(renderText('{{ port }}', vars, where)).toBe('3306');
    expect(renderText('{{ hosts }}', vars, where)).toBe('["oms-hz-1","oms-hz-2"]');
    expect(renderText('{{ nothing }}', vars, where)).toBe('');
    expect(renderText('port={{ port }}\n', vars, where)).toBe('port=3306\n');
  });
});

describe('undefined variables', () => {
  it('names the variable, the task and the location, with a did-you-mean hint', () => {
    const e = catchError(() => renderValue('{{ regoin }}', vars, where));
    expect(e.message).toContain('undefined variable "regoin"');
    expect(e.message).toContain('task "Stop the ghana container"');
    expect(e.location).toEqual({ file: 'upgrade.yml', line: 12, col: 9 });
    expect(e.format()).toMatch(/^upgrade\.yml:12:9: validation error: undefined variable "regoin"/);
    expect(e.hint).toContain('did you mean `region`?');
  });

  it('errors inside text, helper arguments, subexpressions and blocks too', () => {
    for (const t of ['x {{ nope }} y', '{{ add nope 1 }}', '{{ json (add 1 nope) }}', '{{#if nope}}a{{/if}}', '{{#each nope}}a{{/each}}', '{{ default 1 nope }}']) {
      expect(catchError(() => renderValue(t, vars, where)).message).toContain('undefined variable "nope"');
    }
  });

  it('gives no hint name when nothing is close', () => {
    const e = catchError(() => renderValue('{{ zzzzzzzz }}', vars, {}));
    expect(e.hint).not.toContain('did you mean');
    expect(e.hint).toContain('(default zzzzzzzz VALUE)');
    expect(e.message).not.toContain('task');
  });

  it('errors on a missing nested property, naming the full path', () => {
    const e = catchError(() => renderValue('{{ db.tags.tire }}', vars, where));
    expect(e.message).toContain('undefined variable "db.tags.tire"');
    expect(e.message).toContain('"db.tags" has no "tire"');
    expect(e.hint).toContain('did you mean `db.tags.tier`?');
    expect(catchError(() => renderValue('{{ nothing.x }}', vars, where)).message).toContain('"nothing" is null');
    expect(catchError(() => renderValue('{{ port.x }}', vars, where)).message).toContain('undefined variable "port.x"');
  });

  it('allows array indexes and string length', () => {
    expect(renderValue('{{ hosts.[1] }}', vars, where)).toBe('oms-hz-2');
    expect(renderValue('{{ hosts.[0] }}', vars, where)).toBe('oms-hz-1');
    expect(renderValue('{{ hosts.length }}', vars, where)).toBe(2);
    expect(renderValue('{{ name.length }}', vars, where)).toBe(8);
    expect(catchError(() => renderValue('{{ hosts.[5] }}', vars, where)).message).toContain('"hosts" has no "5"');
  });

  it('accepts the list index forms people bring from Jinja', () => {
    const v = { hosts: ['a', 'b'], m: { xs: [{ n: 1 }, { n: 2 }] } };
    expect(renderValue('{{ hosts.0 }}', v, where)).toBe('a');
    expect(renderValue('{{ hosts[1] }}', v, where)).toBe('b');
    expect(renderValue('{{ m.xs.1.n }}', v, where)).toBe(2);
    expect(renderValue('{{ m.xs[0].n }}', v, where)).toBe(1);
    expect(renderValue('{{ eq hosts.0 "a" }}', v, where)).toBe(true);
    expect(renderValue('a {{ hosts.1 }} {{ "x.0" }} {{ mul 1.5 2 }}', v, where)).toBe('a b x.0 3');
  });

  it('tolerates a missing value inside default and defined', () => {
    expect(renderValue('{{ default nope "x" }}', vars, where)).toBe('x');
    expect(renderValue('{{ default db.ha.enable false }}', vars, where)).toBe(false);
    expect(renderValue('{{ default db.port 1 }}', vars, where)).toBe(2883);
    expect(renderValue('{{ default nothing 7 }}', vars, where)).toBe(7);
    expect(renderValue('{{ defined db.ha.enable }}', vars, where)).toBe(false);
    expect(renderValue('{{ defined db.port }}', vars, where)).toBe(true);
    expect(renderValue('{{ defined nothing }}', vars, where)).toBe(true);
    expect(renderValue('{{#if (defined nope)}}yes{{else}}no{{/if}}', vars, where)).toBe('no');
    expect(renderValue('x={{ default (get db "missing") "d" }}', vars, where)).toBe('x=d');
  });

  it('checks a read only when it is evaluated: a branch not taken may name missing variables', () => {
    const t = '{{#if (defined backup)}}{{ backup.path }}{{else}}none{{/if}}';
    expect(renderValue(t, vars, where)).toBe('none');
    expect(renderValue(t, { backup: { path: '/b' } }, where)).toBe('/b');
    expect(catchError(() => renderValue(t, { backup: {} }, where)).message).toContain('undefined variable "backup.path"');
    expect(renderValue('{{#each items}}{{ ../nope }}{{/each}}', { items: [] }, where)).toBe('');
    expect(catchError(() => renderValue('{{#each items as |i|}}{{ ../nope }}{{/each}}', vars, where)).message).toContain('undefined variable "nope"');
    expect(catchError(() => renderValue('{{#each items}}{{ @root.nope }}{{/each}}', vars, where)).message).toContain('undefined variable "nope"');
  });

  it('a variable whose value is null or undefined is defined', () => {
    expect(renderValue('[{{ u }}]', { u: undefined }, where)).toBe('[]');
  });
});

describe('HTML and prototypes', () => {
  it('does not escape HTML', () => {
    expect(renderValue('x {{ html }}', vars, where)).toBe('x <b>&"\'</b>');
    expect(renderValue('{{ html }}', vars, where)).toBe('<b>&"\'</b>');
    expect(renderValue('<{{ region }}>&', vars, where)).toBe('<hangzhou>&');
  });

  it('blocks prototype access', () => {
    expect(catchError(() => renderValue('{{ constructor }}', vars, where)).message).toContain('undefined variable "constructor"');
    expect(catchError(() => renderValue('{{ db.constructor }}', vars, where)).message).toContain('"db" has no "constructor"');
    expect(catchError(() => renderValue('{{ db.__proto__ }}', vars, where)).message).toContain('undefined variable');
    expect(catchError(() => renderValue('{{ hosts.map }}', vars, where)).message).toContain('undefined variable');
    const err = vi.spyOn(console, 'error');
    // Inside #each the item's names are not checked statically; Handlebars still denies them.
    expect(renderValue('{{#each items}}[{{constructor}}{{toString}}{{__proto__}}]{{/each}}', vars, where)).toBe('[][]');
    expect(renderValue('{{#each items}}{{lookup this "constructor"}}{{/each}}', vars, where)).toBe('');
    expect(renderValue('{{ get db "constructor" }}', vars, where)).toBeUndefined();
    expect(renderValue('{{ get db "toString" }}', vars, where)).toBeUndefined();
    expect(err).not.toHaveBeenCalled();
  });
});

describe('secrets', () => {
  afterEach(() => vi.restoreAllMocks());

  it('renders the plain value of a Secret, at any depth', () => {
    const v = { pw: new Secret('s3cr3t-pw'), db: { password: new Secret('deep-pw'), user: 'oms' }, list: [new Secret('l1')] };
    expect(renderValue('{{ pw }}', v, where)).toBe('s3cr3t-pw');
    expect(renderValue('-p{{ pw }}', v, where)).toBe('-ps3cr3t-pw');
    expect(renderValue('{{ db.password }}', v, where)).toBe('deep-pw');
    expect(renderValue('{{ db }}', v, where)).toEqual({ password: 'deep-pw', user: 'oms' });
    expect(renderValue('{{ json db }}', v, where)).toBe('{"password":"deep-pw","user":"oms"}');
    expect(renderValue('{{#each list}}{{this}}{{/each}}', v, where)).toBe('l1');
    expect(renderValue('{{ join list }}', v, where)).toBe('l1');
    expect(renderValue('{{ length pw }}', v, where)).toBe(9);
  });

  it('works with frozen variables', () => {
    const v = Object.freeze({ db: Object.freeze({ password: new Secret('frozen-pw') }) });
    expect(renderValue('{{ db.password }}', v, where)).toBe('frozen-pw');
  });

  it('cannot change the variables', () => {
    const v = { list: [3, 1, 2] };
    expect(renderValue('{{ join list "," }}', v, where)).toBe('3,1,2');
    expect(v.list).toEqual([3, 1, 2]);
  });
});

describe('blocks', () => {
  it('#each with block params, @index, @key and else', () => {
    expect(renderValue('{{#each hosts as |h i|}}{{i}}={{h}};{{/each}}', vars, where)).toBe('0=oms-hz-1;1=oms-hz-2;');
    expect(renderValue('{{#each items}}{{@index}}:{{name}}{{#unless @last}},{{/unless}}{{/each}}', vars, where)).toBe('0:a,1:b');
    expect(renderValue('{{#each db.tags}}{{@key}}={{this}}{{/each}}', vars, where)).toBe('tier=meta');
    expect(renderValue('{{#each empty}}x{{else}}none{{/each}}', { empty: [] }, where)).toBe('none');
  });

  it('inside #each a name the item lacks falls back to the outer variables', () => {
    expect(renderValue('{{#each items}}{{name}}@{{region}} {{/each}}', vars, where)).toBe('a@hangzhou b@hangzhou ');
    expect(renderValue('{{#each items as |it|}}{{it.name}}@{{../region}}/{{@root.region}} {{/each}}', vars, where)).toBe(
      'a@hangzhou/hangzhou b@hangzhou/hangzhou ',
    );
  });

  it('#if and #unless use the truthiness rules ("false" is false)', () => {
    const t = '{{#if v}}T{{else}}F{{/if}}';
    for (const v of [false, null, 0, '', 'false', 'False', 'no', '0', [], {}]) expect(renderValue(t, { v }, where)).toBe('F');
    for (const v of [true, 1, 'true', 'yes', 'x', [0], { a: 1 }]) expect(renderValue(t, { v }, where)).toBe('T');
    expect(renderValue('{{#unless v}}U{{/unless}}', { v: 'false' }, where)).toBe('U');
    expect(renderValue('{{#if a}}A{{else if b}}B{{else}}C{{/if}}', { a: 'no', b: 'yes' }, where)).toBe('B');
  });

  it('whitespace control and standalone block lines, as in template files', () => {
    expect(renderValue('a {{~ port ~}} b', vars, where)).toBe('a3306b');
    const file = 'servers:\n{{#each hosts as |h|}}\n  - {{ h }}:{{ port }}\n{{/each}}\nend\n';
    expect(renderText(file, vars, where)).toBe('servers:\n  - oms-hz-1:3306\n  - oms-hz-2:3306\nend\n');
  });

  it('#with changes the context', () => {
    expect(renderValue('{{#with db}}{{host}}:{{port}}{{/with}}', vars, where)).toBe('10.0.0.5:2883');
  });
});

describe('passing {{ through (docker --format, Go templates)', () => {
  it('\\{{ and raw blocks are left as written', () => {
    expect(renderValue("docker ps --format '\\{{.Names}}' {{ name }}", vars, where)).toBe("docker ps --format '{{.Names}}' oms-hz-1");
    expect(renderValue('{{{{raw}}}}{{ .State.Running }} {{x}}{{{{/raw}}}}-{{ port }}', vars, where)).toBe('{{ .State.Running }} {{x}}-3306');
  });

  it('a Go template written as is gets a hint saying how to escape it', () => {
    expect(catchError(() => renderValue("docker ps --format '{{.Names}}'", vars, where)).hint).toContain('{{{{raw}}}}');
    expect(catchError(() => renderValue("docker inspect -f '{{ .State.Running }}'", vars, where)).hint).toContain('\\{{');
    expect(catchError(() => renderValue('{{json .Config}}', vars, where)).hint).toContain('{{{{raw}}}}');
  });
});

describe('syntax errors and helper errors', () => {
  it('reports a syntax error with the location and the column inside the template', () => {
    const e = catchError(() => renderValue('{{ port ', vars, where));
    expect(e.message).toContain('template syntax error');
    expect(e.message).toContain('task "Stop the ghana container"');
    expect(e.location).toEqual(where.location);
    expect(e.message).toContain('column');
  });

  it('points Jinja habits to helper calls', () => {
    const e = catchError(() => renderValue('{{ port == 5 }}', vars, where));
    expect(e.hint).toContain('(eq a b)');
    const u = catchError(() => renderValue('{{ port and enabled }}', vars, where));
    expect(u.message).toContain('"port" is not a helper');
  });

  it('refuses unknown helpers and partials', () => {
    expect(catchError(() => renderValue('{{ (frobnicate 1) }}', vars, where)).message).toContain('"frobnicate" is not a helper');
    expect(catchError(() => renderValue('{{> header }}', vars, where)).message).toContain('partials');
  });

  it('turns helper failures into a ValidationError naming the task', () => {
    const e = catchError(() => renderValue('{{ div port 0 }}', vars, where));
    expect(e.message).toContain('division by zero');
    expect(e.message).toContain('task "Stop the ghana container"');
    expect(e.location).toEqual(where.location);
    expect(catchError(() => renderValue('{{ eq 1 }}', vars, where)).message).toContain('eq takes 2 arguments, got 1');
  });
});

describe('the direct evaluator and Handlebars agree', () => {
  // Plain expressions are evaluated directly; inside a block the same text goes through Handlebars.
  const exprs = [
    '{{ port }}',
    '{{ db.tags.tier }}',
    '{{ hosts }}',
    '{{ db }}',
    '{{ nothing }}',
    '{{ add port 1 }}',
    '{{ eq region "hangzhou" }}',
    '{{ json (split "a,b") }}',
    '{{ default db.ha.x "d" }}',
    '{{ defined db.ha }}',
    '{{ lookup db "host" }}',
    '{{ lookup db "constructor" }}',
    '{{ 5 }}',
    '{{ "lit" }}',
    '{{ html }}',
    '{{ join hosts ";" }}',
    '{{ regex_search name "hz-(\\d)" 1 }}',
    '{{! a comment }}x',
  ];
  it.each(exprs)('%s', (t) => {
    expect(renderValue(`{{#if true}}${t}{{/if}}`, vars, where)).toBe(renderText(t, vars, where));
    expect(renderValue(`[{{#if true}}${t}{{/if}}]`, vars, where)).toBe(`[${renderText(t, vars, where)}]`);
  });

  it('errors the same way', () => {
    for (const t of ['{{ nope }}', '{{ db.nope }}', '{{ add nope 1 }}']) {
      const direct = catchError(() => renderValue(t, vars, where)).message;
      const viaBlock = catchError(() => renderValue(`{{#if true}}${t}{{/if}}`, vars, where)).message;
      expect(viaBlock.split(' in "')[0]).toBe(direct.split(' in "')[0]);
    }
  });

  it('native values of expressions Handlebars must evaluate', () => {
    expect(renderValue('{{ this }}', { a: 1, s: new Secret('x-secret') }, where)).toEqual({ a: 1, s: 'x-secret' });
    expect(renderValue('{{ lookup this "a" }}', { a: [1] }, where)).toEqual([1]);
  });
});

describe('caching', () => {
  it('renders the same templates many times with different variables', () => {
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      sum += renderValue('{{ add n 1 }}', { n: i }, where) as number;
      expect(renderValue('host-{{ n }}', { n: i }, where)).toBe(`host-${i}`);
    }
    expect(sum).toBe((10_000 * 10_001) / 2);
  });

  it('reports the caller location for a cached broken template', () => {
    const a = catchError(() => renderValue('{{ broken', vars, { location: { file: 'a.yml', line: 1, col: 1 } }));
    const b = catchError(() => renderValue('{{ broken', vars, { location: { file: 'b.yml', line: 2, col: 3 } }));
    expect(a.location?.file).toBe('a.yml');
    expect(b.location?.file).toBe('b.yml');
  });
});
