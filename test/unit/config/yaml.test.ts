import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadYamlFile, parseYaml } from '../../../lib/config/yaml.js';
import { ConfigError, ExitCode, formatLocation } from '../../../lib/errors.js';
import { MASK, Secret } from '../../../lib/secrets.js';

function parseError(text: string): ConfigError {
  try {
    parseYaml(text, 'f.yml');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseYaml', () => {
  it('reads YAML 1.2 core: yes/no/on/off stay strings, true/false/numbers/null are typed', () => {
    const { value } = parseYaml('a: yes\nb: no\nc: on\nd: off\ne: true\nf: 3\ng: 1.5\nh: ~\ni: 0o17\nj: "true"\n', 'f.yml');
    expect(value).toEqual({ a: 'yes', b: 'no', c: 'on', d: 'off', e: true, f: 3, g: 1.5, h: null, i: 15, j: 'true' });
  });

  it('turns !secret values into Secret (masked when shown)', () => {
    const { value } = parseYaml('password: !secret "s3cr3t value"\nport: !secret 3306\n', 'f.yml');
    const v = value as { password: Secret; port: Secret };
    expect(v.password).toBeInstanceOf(Secret);
    expect(v.password.value).toBe('s3cr3t value');
    expect(v.port.value).toBe('3306');
    expect(JSON.stringify(v)).toBe(`{"password":"${MASK}","port":"${MASK}"}`);
  });

  it('refuses duplicate keys at the second occurrence', () => {
    const e = parseError('name: a\nhosts: all\nname: b\n');
    expect(formatLocation(e.location)).toBe('f.yml:3:1');
    expect(e.message).toBe('duplicate key `name`');
    expect(e.exitCode).toBe(ExitCode.parse);
  });

  it('refuses tabs in indentation, naming the line of the tab', () => {
    const e = parseError('a:\n  b: 1\n\tc: 2\n');
    expect(formatLocation(e.location)).toBe('f.yml:3:1');
    expect(e.message).toBe('a tab is used for indentation');
    expect(e.hint).toContain('spaces');
  });

  it('keeps tabs inside values', () => {
    expect(parseYaml('a: "x\\ty"\nb: |\n  col1\tcol2\n', 'f.yml').value).toEqual({ a: 'x\ty', b: 'col1\tcol2\n' });
  });

  it('points an unclosed quote at where it opens', () => {
    const e = parseError('a: 1\nb: "open\nc: 2\n');
    expect(formatLocation(e.location)).toBe('f.yml:2:4');
    expect(e.hint).toContain('not closed');
  });

  it('refuses unknown tags and !secret on a collection', () => {
    expect(parseError('a: !vault x\n').message).toBe('unknown tag `!vault`');
    expect(parseError('a: !secret [1, 2]\n').message).toContain('!secret applies to a scalar');
  });

  it('refuses a second document', () => {
    const e = parseError('a: 1\n---\nb: 2\n');
    expect(formatLocation(e.location)).toBe('f.yml:2:1');
    expect(e.message).toContain('more than one YAML document');
  });

  it('ignores a byte-order mark, reads keys as strings, refuses collection keys and recursive aliases', () => {
    expect(parseYaml('\ufeffa: 1\n', 'f.yml').value).toEqual({ a: 1 });
    expect(parseYaml('1: a\ntrue: b\n', 'f.yml').value).toEqual({ '1': 'a', true: 'b' });
    expect(parseError('? [a, b]\n: x\n').message).toBe('a mapping key must be a name, not a list or mapping');
    const e = parseError('a: &x\n  b: *x\n');
    expect(e.message).toContain('recursive');
    expect(formatLocation(e.location)).toBe('f.yml:2:6');
  });

  it('supports anchors, aliases and merge keys', () => {
    const { value } = parseYaml('base: &b {user: admin, port: 22}\nhost: {<<: *b, port: 2222}\nsame: *b\n', 'f.yml');
    expect(value).toEqual({ base: { user: 'admin', port: 22 }, host: { user: 'admin', port: 2222 }, same: { user: 'admin', port: 22 } });
  });
});

describe('locate', () => {
  const text = ['- name: play', '  hosts: all', '  tasks:', '    - name: t1', '      debug:', '        msg: hello', '      when:', '    - {command: ls, register: r}', ''].join('\n');
  const y = parseYaml(text, 'p.yml');

  it('finds values and keys by path', () => {
    expect(y.locate([0, 'hosts'])).toEqual({ file: 'p.yml', line: 2, col: 10 });
    expect(y.locate([0, 'hosts'], 'key')).toEqual({ file: 'p.yml', line: 2, col: 3 });
    expect(y.locate([0, 'tasks', 0, 'debug', 'msg'])).toEqual({ file: 'p.yml', line: 6, col: 14 });
    expect(y.locate([0, 'tasks', 1, 'register'])).toEqual({ file: 'p.yml', line: 8, col: 31 });
    expect(y.locate([0, 'tasks', 1])).toEqual({ file: 'p.yml', line: 8, col: 7 });
  });

  it('points at the key when the value is empty', () => {
    expect(y.locate([0, 'tasks', 0, 'when'])).toEqual({ file: 'p.yml', line: 7, col: 7 });
  });

  it('falls back to the deepest node that exists', () => {
    expect(y.locate([0, 'tasks', 0, 'nope', 'deeper'])).toEqual({ file: 'p.yml', line: 4, col: 7 });
    expect(y.locate([5])).toEqual({ file: 'p.yml', line: 1, col: 1 });
  });
});

describe('loadYamlFile', () => {
  it('reads a file and names it in locations', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omsplay-yaml-'));
    const file = join(dir, 'x.yml');
    await writeFile(file, 'a:\n  b: [1, 2]\n');
    const y = await loadYamlFile(file);
    expect(y.value).toEqual({ a: { b: [1, 2] } });
    expect(y.locate(['a', 'b', 1])).toEqual({ file, line: 2, col: 10 });
  });

  it('reports a missing file as a ConfigError (exit 4), at the place that named it', async () => {
    const from = { file: 'site.yml', line: 3, col: 5 };
    const e = await loadYamlFile('/nonexistent/omsplay/x.yml', from).catch((err) => err);
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toBe('file /nonexistent/omsplay/x.yml does not exist');
    expect(e.location).toEqual(from);
  });
});
