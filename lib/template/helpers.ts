/**
 * The helpers templates and conditions can call. Each is a plain function of its positional
 * arguments; `register` strips Handlebars' trailing options object and checks the arity, so a
 * wrong call says which helper and what it expects.
 */
import path from 'node:path';
import YAML from 'yaml';
import { looksSecret } from '../secrets.js';
import { compareVersions, normalizeVersion } from '../upgrade/graph.js';
import { addMinutes, minutesBetween, nowValue } from './time.js';
import { isTruthy } from './truthy.js';
import type { TemplateWhere } from './types.js';
import { toPlain } from './view.js';

/** Set by the renderer for the duration of one synchronous render (helpers need `where.masker`). */
export const renderState: { where: TemplateWhere | undefined } = { where: undefined };

type HelperFn = (args: unknown[], hash: Record<string, unknown>) => unknown;

interface HelperSpec {
  fn: HelperFn;
  min: number;
  max: number;
  usage: string;
}

const specs = new Map<string, HelperSpec>();

function def(name: string, min: number, max: number, usage: string, fn: HelperFn): void {
  specs.set(name, { fn, min, max, usage });
}

const INF = Number.POSITIVE_INFINITY;

// ---- comparison and logic -------------------------------------------------------------------

/** Equality as ops expect it: 3306 equals "3306", true equals "true", lists/maps compare by value. */
export function looseEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // null and undefined are equal to each other (a missing value "is null"), to nothing else.
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a === 'number' && typeof b === 'string') return b.trim() !== '' && Number(b) === a;
  if (typeof a === 'string' && typeof b === 'number') return a.trim() !== '' && Number(a) === b;
  if (typeof a === 'boolean' && typeof b === 'string') return String(a) === b.toLowerCase();
  if (typeof a === 'string' && typeof b === 'boolean') return a.toLowerCase() === String(b);
  if (typeof a === 'object' && typeof b === 'object') return JSON.stringify(toPlain(a)) === JSON.stringify(toPlain(b));
  return false;
}

function numericLike(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return undefined;
}

/** Numbers (or numeric strings) compare as numbers, other strings by code points (ISO times sort right). */
function compare(name: string, a: unknown, b: unknown): number {
  const na = numericLike(a);
  const nb = numericLike(b);
  if (na !== undefined && nb !== undefined) return na - nb;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new Error(`${name}: cannot compare ${describe(a)} with ${describe(b)}`);
}

function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

def('eq', 2, 2, 'eq a b', ([a, b]) => looseEquals(a, b));
def('ne', 2, 2, 'ne a b', ([a, b]) => !looseEquals(a, b));
def('lt', 2, 2, 'lt a b', ([a, b]) => compare('lt', a, b) < 0);
def('le', 2, 2, 'le a b', ([a, b]) => compare('le', a, b) <= 0);
def('gt', 2, 2, 'gt a b', ([a, b]) => compare('gt', a, b) > 0);
def('ge', 2, 2, 'ge a b', ([a, b]) => compare('ge', a, b) >= 0);
def('version_ge', 2, 2, 'version_ge a b', ([a, b]) => {
  const va = normalizeVersion(a);
  const vb = normalizeVersion(b);
  if (va === undefined || vb === undefined) throw new Error(`version_ge: "${String(va === undefined ? a : b)}" is not a version like 4.2.1`);
  return compareVersions(va, vb) >= 0;
});
def('and', 1, INF, 'and a b ...', (args) => args.every(isTruthy));
def('or', 1, INF, 'or a b ...', (args) => args.some(isTruthy));
def('not', 1, 1, 'not a', ([a]) => !isTruthy(a));
def('defined', 1, 1, 'defined a.b', ([a]) => a !== undefined);
def('default', 2, 2, 'default value fallback', ([a, fallback]) => (a === undefined || a === null ? fallback : a));

// ---- data ------------------------------------------------------------------------------------

def('json', 1, 2, 'json value [indent]', ([v, indent]) => JSON.stringify(toPlain(v) ?? null, null, indent === undefined ? undefined : toInt('json', indent)));
def('from_json', 1, 1, 'from_json text', ([s]) => {
  try {
    return JSON.parse(String(s));
  } catch (e) {
    throw new Error(`from_json: invalid JSON (${(e as Error).message})`);
  }
});
def('to_yaml', 1, 1, 'to_yaml value', ([v]) => YAML.stringify(toPlain(v)));
def('keys', 1, 1, 'keys mapping', ([o]) => (o === null || o === undefined ? [] : Object.keys(o as object)));
def('values', 1, 1, 'values mapping', ([o]) => (o === null || o === undefined ? [] : Object.values(o as object)));
def('get', 2, 3, 'get mapping key [default]', ([o, key, fallback]) => {
  const found = getKey(o, key);
  return found === undefined ? fallback : found;
});
def('length', 1, 1, 'length value', ([v]) => {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (typeof v === 'object') return Object.keys(v).length;
  throw new Error(`length: ${describe(v)} has no length`);
});
def('contains', 2, 2, 'contains list|string|mapping item', ([c, item]) => {
  if (c === null || c === undefined) return false;
  if (typeof c === 'string') return c.includes(String(item));
  if (Array.isArray(c)) return c.some((x) => looseEquals(x, item));
  if (typeof c === 'object') return Object.hasOwn(c, String(item));
  throw new Error(`contains: ${describe(c)} is not a list, string or mapping`);
});

/** An own key (which may itself contain dots, like OMS parameter names), else a dotted path. */
function getKey(o: unknown, key: unknown): unknown {
  if (o === null || o === undefined) return undefined;
  const k = String(key);
  if (typeof o === 'object' && Object.hasOwn(o, k)) return (o as Record<string, unknown>)[k];
  let cur: unknown = o;
  for (const part of k.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

// ---- strings ---------------------------------------------------------------------------------

function str(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(toPlain(v));
  return String(v);
}

def('join', 1, 2, 'join list [separator=","]', ([list, sep]) => {
  const s = sep === undefined ? ',' : str(sep);
  if (Array.isArray(list)) return list.map(str).join(s);
  return str(list);
});
def('split', 1, 2, 'split text [separator=","]', ([s, sep]) => (s === null || s === undefined ? [] : str(s).split(sep === undefined ? ',' : str(sep))));
def('lower', 1, 1, 'lower text', ([s]) => str(s).toLowerCase());
def('upper', 1, 1, 'upper text', ([s]) => str(s).toUpperCase());
def('trim', 1, 1, 'trim text', ([s]) => str(s).trim());
def('replace', 3, 3, 'replace text from to', ([s, from, to]) => str(s).replaceAll(str(from), str(to)));
def('startswith', 2, 2, 'startswith text prefix', ([s, p]) => str(s).startsWith(str(p)));
def('endswith', 2, 2, 'endswith text suffix', ([s, p]) => str(s).endsWith(str(p)));
def('regex_search', 2, 3, 'regex_search text pattern [group] [flags="i"]', ([s, pattern, group], hash) => {
  let re: RegExp;
  try {
    re = new RegExp(str(pattern), hash.flags === undefined ? '' : str(hash.flags));
  } catch (e) {
    throw new Error(`regex_search: invalid pattern (${(e as Error).message})`);
  }
  const m = re.exec(str(s));
  if (!m) return null;
  if (group === undefined) return m[0];
  const g = numericLike(group);
  const value = g !== undefined ? m[g] : m.groups?.[str(group)];
  return value ?? null;
});
def('basename', 1, 1, 'basename path', ([p]) => path.posix.basename(str(p)));
def('dirname', 1, 1, 'dirname path', ([p]) => path.posix.dirname(str(p)));

// ---- time ------------------------------------------------------------------------------------

def('now', 0, 1, 'now ["iso"|"epoch"|"epoch_ms"]', ([fmt]) => nowValue(fmt));
def('minutes_between', 2, 2, 'minutes_between t1 t2', ([a, b]) => minutesBetween(a, b));
def('add_minutes', 2, 2, 'add_minutes time minutes', ([t, n]) => addMinutes(t, n));

// ---- numbers ---------------------------------------------------------------------------------

function num(name: string, v: unknown): number {
  const n = numericLike(v);
  if (n === undefined || Number.isNaN(n)) throw new Error(`${name}: ${describe(v)} is not a number`);
  return n;
}

function toInt(name: string, v: unknown): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  return Math.trunc(num(name, v));
}

function numbers(name: string, args: unknown[]): number[] {
  const list = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  if (list.length === 0) throw new Error(`${name}: needs at least one number`);
  return list.map((v) => num(name, v));
}

def('ceil', 1, 1, 'ceil x', ([x]) => Math.ceil(num('ceil', x)));
def('floor', 1, 1, 'floor x', ([x]) => Math.floor(num('floor', x)));
def('round', 1, 2, 'round x [digits]', ([x, d]) => {
  const f = 10 ** (d === undefined ? 0 : toInt('round', d));
  return Math.round(num('round', x) * f) / f;
});
def('add', 2, INF, 'add a b ...', (args) => numbers('add', args).reduce((s, n) => s + n));
def('sub', 2, 2, 'sub a b', ([a, b]) => num('sub', a) - num('sub', b));
def('mul', 2, INF, 'mul a b ...', (args) => numbers('mul', args).reduce((s, n) => s * n));
def('div', 2, 2, 'div a b', ([a, b]) => {
  const d = num('div', b);
  if (d === 0) throw new Error('div: division by zero');
  return num('div', a) / d;
});
def('max', 1, INF, 'max a b ... | max list', (args) => Math.max(...numbers('max', args)));
def('min', 1, INF, 'min a b ... | min list', (args) => Math.min(...numbers('min', args)));

// ---- conversion ------------------------------------------------------------------------------

def('int', 1, 1, 'int value', ([v]) => toInt('int', v));
def('float', 1, 1, 'float value', ([v]) => num('float', v));
def('string', 1, 1, 'string value', ([v]) => str(v));
def('bool', 1, 1, 'bool value', ([v]) => isTruthy(v));

// ---- environment -----------------------------------------------------------------------------

def('env', 1, 2, 'env NAME [default]', (args) => {
  const name = str(args[0]);
  let value: unknown = process.env[name];
  if (value === undefined) {
    if (args.length < 2) throw new Error(`env: environment variable ${name} is not set (give a default: env "${name}" "value")`);
    value = args[1];
  }
  // A password read from the environment must never be shown.
  if (looksSecret(name)) renderState.where?.masker?.add(value);
  return value;
});

// ---- lists and mappings (playbooks that read a site: mounts, hostvars, query rows) ----------------

function list(v: unknown, name: string): unknown[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw new Error(`${name}: ${describe(v)} is not a list`);
  return v;
}
def('list', 0, INF, 'list a b c ...', (args) => [...args]);
def('dict', 0, INF, 'dict key1 value1 key2 value2 ...', (args) => {
  if (args.length % 2 !== 0) throw new Error('dict: needs key/value pairs');
  const out: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i += 2) setOwn(out, str(args[i]), args[i + 1]);
  return out;
});
def('concat', 1, INF, 'concat a b ... (lists are joined, strings concatenated)', (args) =>
  args.every((a) => Array.isArray(a)) ? args.flatMap((a) => a as unknown[]) : args.map((a) => str(a)).join(''),
);
def('merge', 1, INF, 'merge mapping1 mapping2 ... (later keys win, shallow)', (args) => {
  const out: Record<string, unknown> = {};
  for (const a of args) if (a && typeof a === 'object') for (const k of Object.keys(a)) setOwn(out, k, (a as Record<string, unknown>)[k]);
  return out;
});
def('dig', 2, INF, 'dig value key1 key2 ... (undefined when any step is missing)', ([o, ...keys]) => keys.reduce((cur: unknown, k) => getKey(cur, k), o));
def('unique', 1, 1, 'unique list', ([l]) => list(l, 'unique').filter((x, i, all) => all.findIndex((y) => looseEquals(x, y)) === i));
def('difference', 2, 2, 'difference list1 list2 (items of list1 not in list2)', ([a, b]) => list(a, 'difference').filter((x) => !list(b, 'difference').some((y) => looseEquals(x, y))));
def('intersect', 2, 2, 'intersect list1 list2', ([a, b]) => list(a, 'intersect').filter((x) => list(b, 'intersect').some((y) => looseEquals(x, y))));
def('pluck', 2, 2, 'pluck list_of_mappings key', ([l, key]) => list(l, 'pluck').map((x) => getKey(x, key)));
def('extract', 3, 3, 'extract names mapping key (mapping[name].key for each name, e.g. extract play_hosts hostvars "address")', ([names, m, key]) =>
  list(names, 'extract').map((n) => getKey(getKey(m, n), key)),
);
def('find', 3, 3, 'find list_of_mappings key value (the first item whose key equals value)', ([l, key, value]) => list(l, 'find').find((x) => looseEquals(getKey(x, key), value)));
def('find_match', 2, 2, 'find_match list text (the first string item containing text)', ([l, text]) => list(l, 'find_match').find((x) => str(x).includes(str(text))));
def('filter_in', 3, 3, 'filter_in list_of_mappings key allowed_values', ([l, key, allowed]) => list(l, 'filter_in').filter((x) => list(allowed, 'filter_in').some((y) => looseEquals(getKey(x, key), y))));
def('sum', 1, 1, 'sum list_of_numbers', ([l]) => list(l, 'sum').reduce((n: number, x) => n + (x === null || x === undefined ? 0 : num('sum', x)), 0));

/** A key such as "__proto__" (from from_json or dict) becomes a plain own property, never the prototype. */
function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function checkArity(name: string, spec: HelperSpec, count: number): void {
  if (count < spec.min || count > spec.max) {
    const want = spec.min === spec.max ? `${spec.min}` : spec.max === INF ? `at least ${spec.min}` : `${spec.min} to ${spec.max}`;
    throw new Error(`${name} takes ${want} argument${spec.min === 1 && spec.max === 1 ? '' : 's'}, got ${count} (usage: ${spec.usage})`);
  }
}

/** Whether `name` is one of our plain (non-block) helpers, callable without Handlebars. */
export function isPlainHelper(name: string): boolean {
  return specs.has(name);
}

/** Calls a plain helper with evaluated arguments (the fast path used for expressions). */
export function callHelper(name: string, args: unknown[], hash: Record<string, unknown>): unknown {
  const spec = specs.get(name)!;
  checkArity(name, spec, args.length);
  return spec.fn(args, hash);
}

const SUMMARIES: Record<string, string> = {
  eq: 'equal (3306 equals "3306", true equals "true", lists/mappings by value)',
  ne: 'not equal',
  lt: 'less than (numbers, numeric strings as numbers, other strings by code point, so ISO times work)',
  le: 'less than or equal',
  gt: 'greater than',
  ge: 'greater than or equal',
  version_ge: 'OMS versions compared part by part (4.2.10 is at least 4.2.9; V4.2.1-CE is 4.2.1); not a version is an error',
  and: 'true when every argument is truthy',
  or: 'true when any argument is truthy',
  not: 'true when the argument is falsy',
  defined: 'true when the variable (or nested property) exists; a missing one is not an error here',
  default: 'the value, or the fallback when it is missing or null; a missing value is not an error here',
  json: 'JSON text, compact; `json x 2` indents',
  from_json: 'parses JSON text',
  to_yaml: 'YAML text',
  keys: 'keys of a mapping',
  values: 'values of a mapping',
  get: 'a key of a mapping (keys may contain dots) or a dotted path, else the default',
  length: 'length of a string or list, number of keys of a mapping, 0 for null',
  contains: 'list has the item, string has the substring, mapping has the key',
  join: 'joins a list with the separator (default ",")',
  split: 'splits a string by the separator (default ",")',
  lower: 'lower case',
  upper: 'upper case',
  trim: 'strips surrounding white space',
  replace: 'replaces every occurrence (plain text, not a regex)',
  startswith: 'string starts with the prefix',
  endswith: 'string ends with the suffix',
  regex_search: 'first match of a regex, or the given group (number or name); null when none; flags="i"',
  basename: 'last part of a path',
  dirname: 'directory part of a path',
  now: 'current time: ISO 8601 UTC string; "epoch" seconds; "epoch_ms"',
  minutes_between: 'minutes from t1 to t2 (t2 - t1, may be fractional); ISO strings (UTC unless an offset is written) or epoch seconds',
  add_minutes: 'time plus n minutes (ISO string in, ISO string out; epoch seconds in, epoch seconds out)',
  ceil: 'rounds up',
  floor: 'rounds down',
  round: 'rounds (to digits decimals)',
  add: 'sum (numeric strings count as numbers)',
  sub: 'difference',
  mul: 'product',
  div: 'quotient (division by zero is an error)',
  max: 'largest of the arguments or of a list',
  min: 'smallest of the arguments or of a list',
  int: 'integer (truncates; "42" -> 42; not a number is an error)',
  float: 'number',
  string: 'text (lists and mappings as JSON, null as "")',
  bool: 'true/false by the truthiness rules',
  env: 'environment variable of the control node; an error when unset unless a default is given; secret-looking names are masked',
  list: 'a list of the arguments',
  dict: 'a mapping of key/value argument pairs',
  concat: 'lists joined into one list, or strings concatenated',
  merge: 'mappings merged, later keys win (shallow)',
  dig: 'a nested value by successive keys, undefined when any step is missing',
  unique: 'the list without duplicates',
  difference: 'items of the first list not in the second',
  intersect: 'items of the first list also in the second',
  pluck: 'the value of one key from each mapping of a list',
  extract: 'mapping[name].key for each name (e.g. extract play_hosts hostvars "address")',
  find: 'the first mapping of a list whose key equals the value',
  find_match: 'the first string item that contains the text',
  filter_in: 'the mappings of a list whose key is one of the allowed values',
  sum: 'sum of a list of numbers',
};

/** Every plain helper with its usage and a one-line summary (for the README and `omsplay` help). */
export function helperDocs(): Array<{ name: string; usage: string; summary: string }> {
  return [...specs].map(([name, spec]) => ({ name, usage: spec.usage, summary: SUMMARIES[name] ?? '' }));
}

/** Names of every helper a template may call (including Handlebars' block helpers). */
export const HELPER_NAMES: ReadonlySet<string> = new Set([...specs.keys(), 'if', 'unless', 'each', 'with', 'lookup', 'raw']);

/** Helpers whose first argument may be undefined (or a missing nested property) without error. */
export const GUARDING_HELPERS: ReadonlySet<string> = new Set(['default', 'defined']);

export function helperUsage(name: string): string | undefined {
  return specs.get(name)?.usage;
}

interface HbOptions {
  fn: (ctx: unknown) => string;
  inverse: (ctx: unknown) => string;
  hash: Record<string, unknown>;
}

/** Registers the helpers on an isolated Handlebars environment. */
export function registerHelpers(hb: { registerHelper(name: string, fn: (...args: any[]) => unknown): void; unregisterHelper(name: string): void }): void {
  for (const [name, spec] of specs) {
    hb.registerHelper(name, (...all: unknown[]) => {
      const options = all.pop() as HbOptions;
      checkArity(name, spec, all.length);
      return spec.fn(all, options?.hash ?? {});
    });
  }
  // Block helpers with our truthiness: the string "false" is false.
  hb.registerHelper('if', function (this: unknown, ...all: unknown[]) {
    const options = all.pop() as HbOptions;
    if (all.length !== 1) throw new Error('#if takes exactly one argument');
    return isTruthy(all[0]) ? options.fn(this) : options.inverse(this);
  });
  hb.registerHelper('unless', function (this: unknown, ...all: unknown[]) {
    const options = all.pop() as HbOptions;
    if (all.length !== 1) throw new Error('#unless takes exactly one argument');
    return isTruthy(all[0]) ? options.inverse(this) : options.fn(this);
  });
  // `log` would write to the console behind the reporters' back.
  hb.unregisterHelper('log');
  // {{{{raw}}}}docker ps --format '{{.Names}}'{{{{/raw}}}}: text passed through untouched.
  hb.registerHelper('raw', (options: HbOptions) => options.fn(undefined));
}
