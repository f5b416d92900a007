import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/errors.js';
import { Masker, Secret } from '../../../lib/secrets.js';
import { renderValue, type TemplateWhere } from '../../../lib/template/index.js';

const where: TemplateWhere = { task: 'helpers', location: { file: 'h.yml', line: 1, col: 1 } };
const vars = {
  n: 7,
  s: '  Hello World  ',
  list: ['a', 'b', 'c'],
  nums: [3, 9, 1],
  obj: { x: 1, y: 'two', 'connector.jvm.param': '-Xmx4g', nested: { deep: true } },
  port: '3306',
  flag: 'false',
  t1: '2026-01-31T12:00:00Z',
  t2: '2026-01-31T13:30:00Z',
  path: '/data/oms/backup/meta.sql.gz',
  out: 'Server version: 8.0.32-OceanBase',
};

const r = (t: string, v: Record<string, unknown> = vars) => renderValue(t, v, where);

function fails(t: string, fragment: string, v: Record<string, unknown> = vars): void {
  let err: unknown;
  try {
    r(t, v);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ValidationError);
  expect((err as Error).message).toContain(fragment);
}

describe('comparison and logic', () => {
  it('eq and ne compare numbers with numeric strings, booleans with their text, lists by value', () => {
    expect(r('{{ eq n 7 }}')).toBe(true);
    expect(r('{{ eq port 3306 }}')).toBe(true);
    expect(r('{{ eq 3306 port }}')).toBe(true);
    expect(r('{{ eq "a" "a" }}')).toBe(true);
    expect(r('{{ eq "a" "b" }}')).toBe(false);
    expect(r('{{ eq true "true" }}')).toBe(true);
    expect(r('{{ eq flag false }}')).toBe(true);
    expect(r('{{ eq list (split "a,b,c") }}')).toBe(true);
    expect(r('{{ eq null undefined }}')).toBe(true);
    expect(r('{{ eq "" 0 }}')).toBe(false);
    expect(r('{{ ne n 8 }}')).toBe(true);
    expect(r('{{ ne n "7" }}')).toBe(false);
  });

  it('lt le gt ge compare numbers numerically and strings by code points', () => {
    expect(r('{{ lt n 10 }}')).toBe(true);
    expect(r('{{ lt "9" "10" }}')).toBe(true); // numeric strings compare as numbers
    expect(r('{{ le n 7 }}')).toBe(true);
    expect(r('{{ gt n 7 }}')).toBe(false);
    expect(r('{{ ge n 7 }}')).toBe(true);
    expect(r('{{ lt t1 t2 }}')).toBe(true);
    expect(r('{{ gt "b" "a" }}')).toBe(true);
    fails('{{ lt list 1 }}', 'lt: cannot compare a list with number 1');
  });

  it('and, or (variadic) and not use the truthiness rules', () => {
    expect(r('{{ and true 1 "x" }}')).toBe(true);
    expect(r('{{ and true flag }}')).toBe(false);
    expect(r('{{ or false 0 "" "no" }}')).toBe(false);
    expect(r('{{ or false 0 "yes" }}')).toBe(true);
    expect(r('{{ not flag }}')).toBe(true);
    expect(r('{{ not list }}')).toBe(false);
    expect(r('{{ and (eq n 7) (not (eq n 8)) }}')).toBe(true);
  });

  it('defined and default', () => {
    expect(r('{{ defined obj.x }}')).toBe(true);
    expect(r('{{ defined obj.z }}')).toBe(false);
    expect(r('{{ default obj.z "fallback" }}')).toBe('fallback');
    expect(r('{{ default obj.x "fallback" }}')).toBe(1);
    expect(r('{{ default "" "fallback" }}')).toBe('');
    expect(r('{{ default missing.deep.path 5 }}')).toBe(5);
  });
});

describe('data', () => {
  it('json compact and pretty, from_json, to_yaml', () => {
    expect(r('{{ json obj.nested }}')).toBe('{"deep":true}');
    expect(r('{{ json list 2 }}')).toBe('[\n  "a",\n  "b",\n  "c"\n]');
    expect(r('{{ json missing_is_error }}', { missing_is_error: undefined })).toBe('null');
    expect(r('{{ from_json \'{"a":[1,2]}\' }}')).toEqual({ a: [1, 2] });
    expect(r('{{ length (from_json "[1,2]") }}')).toBe(2);
    fails('{{ from_json "{bad" }}', 'from_json: invalid JSON');
    expect(r('{{ to_yaml obj.nested }}')).toBe('deep: true\n');
    expect(r('{{ to_yaml list }}')).toBe('- a\n- b\n- c\n');
  });

  it('keys, values, get (own keys with dots, dotted paths, default)', () => {
    expect(r('{{ keys obj.nested }}')).toEqual(['deep']);
    expect(r('{{ values obj.nested }}')).toEqual([true]);
    expect(r('{{ keys nothing }}', { nothing: null })).toEqual([]);
    expect(r('{{ get obj "connector.jvm.param" }}')).toBe('-Xmx4g');
    expect(r('{{ get obj "nested.deep" }}')).toBe(true);
    expect(r('{{ get obj "y" }}')).toBe('two');
    expect(r('{{ get obj "nope" "dflt" }}')).toBe('dflt');
    expect(r('{{ get list 1 }}')).toBe('b');
    expect(r('{{ lookup obj "y" }}')).toBe('two');
  });

  it('length and contains', () => {
    expect(r('{{ length list }}')).toBe(3);
    expect(r('{{ length "abcd" }}')).toBe(4);
    expect(r('{{ length obj }}')).toBe(4);
    expect(r('{{ length nothing }}', { nothing: null })).toBe(0);
    fails('{{ length 5 }}', 'length: number 5 has no length');
    expect(r('{{ contains list "b" }}')).toBe(true);
    expect(r('{{ contains list "z" }}')).toBe(false);
    expect(r('{{ contains nums "9" }}')).toBe(true);
    expect(r('{{ contains out "OceanBase" }}')).toBe(true);
    expect(r('{{ contains obj "x" }}')).toBe(true);
    expect(r('{{ contains obj "toString" }}')).toBe(false);
  });
});

describe('strings', () => {
  it('join and split', () => {
    expect(r('{{ join list }}')).toBe('a,b,c');
    expect(r('{{ join list " " }}')).toBe('a b c');
    expect(r('{{ join nums "+" }}')).toBe('3+9+1');
    expect(r('{{ split "a b  c" " " }}')).toEqual(['a', 'b', '', 'c']);
    expect(r('{{ split "x,y" }}')).toEqual(['x', 'y']);
  });

  it('lower upper trim replace startswith endswith', () => {
    expect(r('{{ lower s }}')).toBe('  hello world  ');
    expect(r('{{ upper "abc" }}')).toBe('ABC');
    expect(r('{{ trim s }}')).toBe('Hello World');
    expect(r('{{ replace "a-b-c" "-" "_" }}')).toBe('a_b_c');
    expect(r('{{ replace "a.b" "." "" }}')).toBe('ab');
    expect(r('{{ startswith path "/data" }}')).toBe(true);
    expect(r('{{ endswith path ".gz" }}')).toBe(true);
    expect(r('{{ endswith path ".zip" }}')).toBe(false);
  });

  it('regex_search returns the match, a group, or null', () => {
    expect(r('{{ regex_search out "\\d+\\.\\d+\\.\\d+" }}')).toBe('8.0.32');
    expect(r('{{ regex_search out "version: (\\d+)" 1 }}')).toBe('8');
    expect(r('{{ regex_search out "version: (?<major>\\d+)" "major" }}')).toBe('8');
    expect(r('{{ regex_search out "oceanbase" flags="i" }}')).toBe('OceanBase');
    expect(r('{{ regex_search out "mysql" }}')).toBeNull();
    fails('{{ regex_search out "(" }}', 'regex_search: invalid pattern');
  });

  it('basename and dirname', () => {
    expect(r('{{ basename path }}')).toBe('meta.sql.gz');
    expect(r('{{ dirname path }}')).toBe('/data/oms/backup');
  });
});

describe('time', () => {
  it('now gives an ISO 8601 UTC string or epoch seconds', () => {
    const iso = r('{{ now }}') as string;
    expect(iso).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Math.abs(Date.parse(iso) - Date.now())).toBeLessThan(60_000);
    const epoch = r('{{ now "epoch" }}') as number;
    expect(Number.isInteger(epoch)).toBe(true);
    expect(Math.abs(epoch - Date.now() / 1000)).toBeLessThan(60);
    fails('{{ now "yesterday" }}', 'now: unknown format');
  });

  it('minutes_between takes ISO strings, epoch seconds, and MySQL-style times (UTC)', () => {
    expect(r('{{ minutes_between t1 t2 }}')).toBe(90);
    expect(r('{{ minutes_between t2 t1 }}')).toBe(-90);
    expect(r('{{ minutes_between 0 90 }}')).toBe(1.5);
    expect(r('{{ minutes_between "1000" 1060 }}')).toBe(1);
    expect(r('{{ minutes_between "2026-01-31 12:00:00" t2 }}')).toBe(90);
    expect(r('{{ minutes_between "2026-01-31T12:00:00" t2 }}')).toBe(90);
    expect(r('{{ minutes_between "2026-01-31T14:00:00+02:00" t2 }}')).toBe(90);
    fails('{{ minutes_between "soon" t2 }}', 'minutes_between: "soon" is not a time');
  });

  it('add_minutes keeps the kind of time it was given', () => {
    expect(r('{{ add_minutes t1 90 }}')).toBe('2026-01-31T13:30:00.000Z');
    expect(r('{{ add_minutes t1 -60 }}')).toBe('2026-01-31T11:00:00.000Z');
    expect(r('{{ add_minutes 600 1 }}')).toBe(660);
    expect(r('{{ gt (now) (add_minutes t1 0) }}')).toBe(true);
    fails('{{ add_minutes t1 "x" }}', 'add_minutes: "x" is not a number');
  });
});

describe('numbers and conversion', () => {
  it('ceil floor round add sub mul div max min', () => {
    expect(r('{{ ceil 1.2 }}')).toBe(2);
    expect(r('{{ floor 1.8 }}')).toBe(1);
    expect(r('{{ round 1.5 }}')).toBe(2);
    expect(r('{{ round 3.14159 2 }}')).toBe(3.14);
    expect(r('{{ add n 1 }}')).toBe(8);
    expect(r('{{ add 1 2 3 }}')).toBe(6);
    expect(r('{{ add port 1 }}')).toBe(3307);
    expect(r('{{ sub n 10 }}')).toBe(-3);
    expect(r('{{ mul n 2 3 }}')).toBe(42);
    expect(r('{{ div n 2 }}')).toBe(3.5);
    expect(r('{{ max 3 9 1 }}')).toBe(9);
    expect(r('{{ max nums }}')).toBe(9);
    expect(r('{{ min nums }}')).toBe(1);
    fails('{{ add "a" 1 }}', 'add: string "a" is not a number');
    fails('{{ div 1 0 }}', 'div: division by zero');
  });

  it('int float string bool', () => {
    expect(r('{{ int port }}')).toBe(3306);
    expect(r('{{ int "42.9" }}')).toBe(42);
    expect(r('{{ int true }}')).toBe(1);
    fails('{{ int "abc" }}', 'int: string "abc" is not a number');
    expect(r('{{ float "1.25" }}')).toBe(1.25);
    expect(r('{{ string n }}')).toBe('7');
    expect(r('{{ string list }}')).toBe('["a","b","c"]');
    expect(r('{{ string nothing }}', { nothing: null })).toBe('');
    expect(r('{{ bool flag }}')).toBe(false);
    expect(r('{{ bool "yes" }}')).toBe(true);
    expect(r('{{ bool 0 }}')).toBe(false);
  });

  it('checks the number of arguments', () => {
    fails('{{ sub 1 }}', 'sub takes 2 arguments, got 1 (usage: sub a b)');
    fails('{{ not 1 2 }}', 'not takes 1 argument, got 2');
    fails('{{ join }}', 'join takes 1 to 2 arguments, got 0');
  });
});

describe('env', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('reads the environment, with an optional default', () => {
    process.env.OMSPLAY_TEST_REGION = 'hz';
    expect(r('{{ env "OMSPLAY_TEST_REGION" }}')).toBe('hz');
    expect(r('{{ env "OMSPLAY_TEST_UNSET_VAR" "dflt" }}')).toBe('dflt');
    fails('{{ env "OMSPLAY_TEST_UNSET_VAR" }}', 'environment variable OMSPLAY_TEST_UNSET_VAR is not set');
  });

  it('registers values read under secret-looking names with the masker', () => {
    process.env.OMSPLAY_TEST_DB_PASSWORD = 'pw-from-env-123';
    process.env.OMSPLAY_TEST_USER = 'plain-user-name';
    const masker = new Masker();
    const w = { ...where, masker };
    expect(renderValue('{{ env "OMSPLAY_TEST_DB_PASSWORD" }}', {}, w)).toBe('pw-from-env-123');
    expect(renderValue('{{ env "OMSPLAY_TEST_USER" }}', {}, w)).toBe('plain-user-name');
    expect(renderValue('{{ env "OMSPLAY_TEST_API_TOKEN" "default-token-9" }}', {}, w)).toBe('default-token-9');
    expect(masker.mask('pw-from-env-123 plain-user-name default-token-9')).toBe('******** plain-user-name ********');
  });

  it('secrets passed to helpers arrive as plain values', () => {
    expect(renderValue('{{ upper pw }}', { pw: new Secret('abc-secret') }, where)).toBe('ABC-SECRET');
  });
});

describe('lists and mappings', () => {
  const v = {
    rows: [
      { name: 'a', region: 'hz', mb: 10 },
      { name: 'b', region: 'sh', mb: 20 },
      { name: 'c', region: 'hz', mb: 30 },
    ],
    hostvars: { h1: { address: '10.0.0.1' }, h2: { address: '10.0.0.2' } },
    play_hosts: ['h1', 'h2'],
    mounts: ['/dev/sda1 /', '/dev/sdb1 /data'],
  };

  it('list, dict, concat, merge, dig', () => {
    expect(r('{{ list 1 "a" true }}', v)).toEqual([1, 'a', true]);
    expect(r('{{ dict "k" 1 "m" "x" }}', v)).toEqual({ k: 1, m: 'x' });
    fails('{{ dict "k" }}', 'dict: needs key/value pairs', v);
    expect(r('{{ concat (list 1) (list 2 3) }}', v)).toEqual([1, 2, 3]);
    expect(r('{{ concat "a" 1 "b" }}', v)).toBe('a1b');
    expect(r('{{ merge (dict "a" 1 "b" 1) (dict "b" 2) }}', v)).toEqual({ a: 1, b: 2 });
    expect(r('{{ dig hostvars "h2" "address" }}', v)).toBe('10.0.0.2');
    expect(r('{{ dig hostvars "h3" "address" }}', v)).toBeUndefined();
  });

  it('keys named __proto__ stay plain keys', () => {
    const out = r('{{ merge (from_json \'{"__proto__": {"polluted": 1}}\') (dict "__proto__" 2) }}', v) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('unique, difference, intersect', () => {
    expect(r('{{ unique (list 1 "1" 2 2) }}', v)).toEqual([1, 2]);
    expect(r('{{ difference (list 1 2 3) (list 2) }}', v)).toEqual([1, 3]);
    expect(r('{{ intersect (list 1 2 3) (list 3 1) }}', v)).toEqual([1, 3]);
    fails('{{ unique "abc" }}', 'unique: string "abc" is not a list', v);
  });

  it('pluck, extract, find, find_match, filter_in, sum', () => {
    expect(r('{{ pluck rows "name" }}', v)).toEqual(['a', 'b', 'c']);
    expect(r('{{ extract play_hosts hostvars "address" }}', v)).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(r('{{ find rows "name" "b" }}', v)).toEqual({ name: 'b', region: 'sh', mb: 20 });
    expect(r('{{ find rows "name" "z" }}', v)).toBeUndefined();
    expect(r('{{ find_match mounts "/data" }}', v)).toBe('/dev/sdb1 /data');
    expect(r('{{ pluck (filter_in rows "region" (list "hz")) "name" }}', v)).toEqual(['a', 'c']);
    expect(r('{{ sum (pluck rows "mb") }}', v)).toBe(60);
    fails('{{ sum (list 1 "x") }}', 'sum: string "x" is not a number', v);
  });
});

describe('helperDocs', () => {
  it('documents every helper with usage and summary', async () => {
    const { helperDocs, HELPER_NAMES } = await import('../../../lib/template/index.js');
    const docs = helperDocs();
    expect(docs.length).toBeGreaterThan(40);
    for (const d of docs) {
      expect(d.summary, d.name).not.toBe('');
      expect(d.usage.startsWith(d.name), d.name).toBe(true);
      expect(HELPER_NAMES.has(d.name)).toBe(true);
    }
  });
});

describe('version_ge', () => {
  it('compares OMS versions part by part', () => {
    expect(r('{{ version_ge "4.2.10" "4.2.9" }}')).toBe(true);
    expect(r('{{ version_ge "4.1.0" "4.1.1" }}')).toBe(false);
    expect(r('{{ version_ge "V4.1.1-CE" "4.1.1" }}')).toBe(true);
    fails('{{ version_ge "latest" "4.1.1" }}', 'version_ge: "latest" is not a version');
  });
});
