import { describe, expect, it } from 'vitest';
import { compileSchema } from '../../../lib/config/ajv.js';
import { describeValue } from '../../../lib/config/describe.js';
import { validateSchema } from '../../../lib/config/validate.js';
import { suggest } from '../../../lib/did-you-mean.js';
import { parseYaml } from '../../../lib/config/yaml.js';
import { formatLocation, ValidationError } from '../../../lib/errors.js';

const schema = {
  type: 'object',
  'x-noun': 'argument',
  properties: {
    dest: { type: 'string' },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    mode: { oneOf: [{ type: 'string', pattern: '^0[0-7]{3}$' }, { type: 'integer' }], errorMessage: 'an octal mode like "0644"' },
    force: { type: 'boolean' },
    state: { enum: ['started', 'stopped', 'absent'] },
    retries: { type: 'integer' },
    until: { type: 'string' },
    batch: {
      anyOf: [
        { type: 'integer', minimum: 1 },
        { type: 'array', items: { type: 'integer', minimum: 1 } },
      ],
    },
    env: { type: 'object', additionalProperties: { type: 'string' } },
  },
  required: ['dest'],
  additionalProperties: false,
  dependentRequired: { retries: ['until'] },
};

function check(yamlText: string): string[] {
  const y = parseYaml(yamlText, 'f.yml');
  return validateSchema(schema, y.value, y).map((e) => `${formatLocation(e.location)} ${e.message}${e.hint ? ` | ${e.hint}` : ''}`);
}

describe('validateSchema', () => {
  it('accepts a valid value', () => {
    expect(check('dest: /tmp/x\nport: 22\nmode: "0644"\nstate: started\nbatch: [1, 2]\n')).toEqual([]);
  });

  it('says what is expected and what was found, at the value', () => {
    expect(check('dest: /x\nport: abc\n')).toEqual(['f.yml:2:7 `port`: expected an integer, got string "abc" | write a whole number, e.g. port: 3']);
    expect(check('dest: /x\nport: 70000\n')).toEqual(['f.yml:2:7 `port`: expected a number <= 65535, got number 70000']);
  });

  it('names unknown keys at the key, with a suggestion', () => {
    expect(check('dest: /x\nprot: 22\n')).toEqual(['f.yml:2:1 unknown argument `prot` — did you mean `port`? | allowed: dest, port, mode, force, state, retries, until, batch, env']);
    expect(check('dest: /x\nzzzzzz: 1\n')[0]).toMatch(/^f\.yml:2:1 unknown argument `zzzzzz` \| allowed: dest, port, mode/);
  });

  it('names missing required keys at the mapping, all in one message', () => {
    expect(check('port: 22\n')).toEqual(['f.yml:1:1 missing required argument `dest` | add `dest:`']);
    const y = parseYaml('a: 1\n', 'f.yml');
    const errors = validateSchema({ type: 'object', 'x-noun': 'argument', required: ['login_host', 'login_user'] }, y.value, y, { context: 'for module `mysql.dump`' });
    expect(errors.map((e) => e.message)).toEqual(['missing required arguments `login_host`, `login_user` for module `mysql.dump`']);
  });

  it('words rules about the whole mapping (oneOf matching twice, not)', () => {
    const s = {
      type: 'object',
      'x-noun': 'argument',
      properties: { a: {}, b: {} },
      oneOf: [{ required: ['a'] }, { required: ['b'] }],
      errorMessage: 'exactly one of `a` or `b`',
    };
    const y = parseYaml('a: 1\nb: 2\n', 'f.yml');
    expect(validateSchema(s, y.value, y, { context: 'for module `m`' }).map((e) => e.message)).toEqual(['arguments for module `m`: expected exactly one of `a` or `b`, but more than one is given']);
    const n = { type: 'object', 'x-noun': 'argument', not: { required: ['a', 'b'] }, errorMessage: '`a` or `b`, not both' };
    expect(validateSchema(n, y.value, y).map((e) => e.message)).toEqual(['arguments: expected `a` or `b`, not both']);
  });

  it('reports a keyword that needs another one at the keyword', () => {
    expect(check('dest: /x\nretries: 3\n')).toEqual(['f.yml:2:1 `retries` needs `until` | add `until` or remove `retries`']);
  });

  it('hints at YAML 1.1 booleans where a boolean is expected', () => {
    expect(check('dest: /x\nforce: yes\n')).toEqual([
      'f.yml:2:8 `force`: expected a boolean (true/false), got string "yes" | omsplay reads YAML 1.2: yes/no/on/off are strings, not booleans; write true or false',
    ]);
  });

  it('suggests enum values', () => {
    expect(check('dest: /x\nstate: startd\n')).toEqual(['f.yml:2:8 `state`: expected one of "started", "stopped", "absent", got string "startd" — did you mean `started`? | write one of: started, stopped, absent']);
  });

  it('collapses oneOf/anyOf into one message, using errorMessage', () => {
    expect(check('dest: /x\nmode: [1]\n')).toEqual(['f.yml:2:7 `mode`: expected an octal mode like "0644", got a list']);
    expect(check('dest: /x\nbatch: abc\n')).toEqual(['f.yml:2:8 `batch`: expected an integer or a list, got string "abc"']);
  });

  it('reports the error inside the branch the value was meant for', () => {
    expect(check('dest: /x\nbatch: [1, 0]\n')).toEqual(['f.yml:2:12 `batch` item 2: expected a number >= 1, got number 0']);
    expect(check('dest: /x\nbatch: 0\n')).toEqual(['f.yml:2:8 `batch`: expected a number >= 1, got number 0']);
  });

  it('returns every problem, sorted by position', () => {
    const errors = check('prot: 22\nforce: 1\nenv: {A: 1}\n');
    expect(errors.map((e) => e.split(' ')[0])).toEqual(['f.yml:1:1', 'f.yml:1:1', 'f.yml:2:8', 'f.yml:3:10']);
  });

  it('does not type-check templates (their type is known only at run time)', () => {
    expect(check('dest: /x\nport: "{{ oms_port }}"\nforce: "{{ f }}"\nmode: "{{ m }}"\n')).toEqual([]);
  });

  it('validates !secret values as the strings they stand for', () => {
    expect(check('dest: !secret /x\n')).toEqual([]);
    expect(check('dest: /x\nport: !secret 22\n')).toEqual(['f.yml:2:15 `port`: expected an integer, got a secret | write a whole number, e.g. port: 3']);
    // Values under secret-looking names are not shown either.
    const y = parseYaml('password: 123456\n', 'f.yml');
    const errors = validateSchema({ type: 'object', properties: { password: { type: 'string' } } }, y.value, y);
    expect(errors[0].message).toBe('`password`: expected a string, got a secret');
  });

  it('maps paths of a normalised value back to the source (free-form strings)', () => {
    const y = parseYaml('task:\n  command: 42\n', 'f.yml');
    const errors = validateSchema({ type: 'object', properties: { cmd: { type: 'string' } } }, { cmd: 42 }, y, {
      basePath: ['task', 'command'],
      mapPath: (p) => (p[0] === 'cmd' ? p.slice(1) : p),
      context: 'for module `command`',
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ValidationError);
    expect(`${formatLocation(errors[0].location)} ${errors[0].message}`).toBe('f.yml:2:12 `cmd` for module `command`: expected a string, got number 42');
  });

  it('compiles a schema once', () => {
    expect(compileSchema(schema)).toBe(compileSchema(schema));
  });
});

describe('suggest / describeValue', () => {
  it('suggests close names only', () => {
    expect(suggest('whne', ['when', 'name', 'tags'])).toBe('when');
    expect(suggest('becomeuser', ['become', 'become_user'])).toBe('become_user');
    expect(suggest('gather_facts', ['when', 'name', 'tags'])).toBeUndefined();
    // Short names are all close to each other.
    expect(suggest('b', ['a', 'c'])).toBeUndefined();
    expect(suggest('cwd', ['cmd'])).toBe('cmd');
  });

  it('describes values briefly', () => {
    expect(describeValue('abc')).toBe('string "abc"');
    expect(describeValue(null)).toBe('nothing (null)');
    expect(describeValue([1])).toBe('a list');
    expect(describeValue({})).toBe('a mapping');
    expect(describeValue('x'.repeat(100))).toMatch(/^string "x{57}\.\.\."$/);
  });
});
