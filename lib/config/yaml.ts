/**
 * YAML loading for playbooks, task files, vars files and inventories. YAML 1.2 core schema (so
 * `yes`/`no`/`on`/`off` stay strings), duplicate keys refused, a `!secret` tag that yields a
 * Secret, and every problem reported as a ConfigError with file:line:col and a hint. The parsed
 * document is kept so later validation can point at the exact key or value it complains about.
 */
import { readFile } from 'node:fs/promises';
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type ScalarTag,
  type YAMLError,
} from 'yaml';
import { ConfigError, type SourceLocation } from '../errors.js';
import { Secret } from '../secrets.js';

export type ValuePath = ReadonlyArray<string | number>;

export interface YamlFile {
  file: string;
  doc: Document.Parsed;
  /** The plain JS value (Secret instances where `!secret` was written). */
  value: unknown;
  /**
   * Where the node at `path` was written: `which: 'key'` points at the mapping key (for "unknown
   * keyword"), `'value'` (default) at the value (for "wrong type"). A path that does not exist
   * resolves to the deepest node that does.
   */
  locate(path: ValuePath, which?: 'key' | 'value'): SourceLocation;
}

const secretTag: ScalarTag = {
  tag: '!secret',
  identify: (v) => v instanceof Secret,
  resolve: (str) => new Secret(str),
  stringify: () => '********',
};

const HINTS: Partial<Record<string, string>> = {
  DUPLICATE_KEY: 'each key may appear once in a mapping: remove or rename one of them',
  TAB_AS_INDENT: 'YAML indentation must use spaces, not tabs',
  BLOCK_AS_IMPLICIT_KEY: 'a value containing ": " must be quoted, e.g. name: "a: b"',
  MULTILINE_IMPLICIT_KEY: 'check the indentation: a key must be on one line, and a value containing ": " must be quoted',
  MULTIPLE_DOCS: 'one YAML document per file: remove the `---` separator or split the file',
  BAD_INDENT: 'check the indentation of this line against the lines above it',
  MISSING_CHAR: 'a quote, bracket or brace is not closed',
  BAD_DQ_ESCAPE: 'inside double quotes a backslash starts an escape; use single quotes or write \\\\',
  UNEXPECTED_TOKEN: 'check indentation and quoting; values starting with {, [, *, &, !, %, @ or ` must be quoted',
  BAD_SCALAR_START: 'values starting with {, [, *, &, !, %, @ or ` must be quoted',
  TAG_RESOLVE_FAILED: 'the only tag omsplay knows is !secret, on a scalar value: password: !secret "s3cret"',
  RESOURCE_EXHAUSTION: 'too many alias expansions: the file expands to an unreasonable size',
};

/** Parses YAML text; `file` is used in locations. Throws ConfigError on any syntax problem. */
export function parseYaml(text: string, file: string): YamlFile {
  // A byte-order mark (Windows editors) is not content.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    version: '1.2',
    schema: 'core',
    merge: true,
    uniqueKeys: true,
    // Keys are names: a list or mapping as a key is an error, `1:` and `true:` are the strings "1" and "true".
    stringKeys: true,
    logLevel: 'error',
    prettyErrors: false,
    keepSourceTokens: true,
    lineCounter,
    customTags: [secretTag],
  });
  const at = (offset: number): SourceLocation => ({ file, ...lineCounter.linePos(offset) });

  const problems: YAMLError[] = [...doc.errors, ...doc.warnings.filter((w) => w.code === 'TAG_RESOLVE_FAILED')];
  if (problems.length > 0) {
    // A tab in indentation makes the yaml parser report confusing follow-up errors; name the tab instead.
    const tab = findIndentTab(text);
    const first = problems[0];
    if (tab && (first.code === 'TAB_AS_INDENT' || lineCounter.linePos(first.pos[0]).line >= tab.line)) {
      throw new ConfigError('a tab is used for indentation', { location: { file, ...tab }, hint: HINTS.TAB_AS_INDENT });
    }
    throw new ConfigError(describe(first, text), { location: at(errorOffset(first, text)), hint: hintFor(first) });
  }

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw new ConfigError(`cannot read YAML: ${(e as Error).message}`, { location: { file, line: 1, col: 1 }, hint: HINTS.RESOURCE_EXHAUSTION });
  }

  const cycle = findCycle(value);
  if (cycle) {
    throw new ConfigError('an alias refers to a node that contains it (a recursive structure)', {
      location: { file, ...lineCounter.linePos(findRange(doc, cycle, 'value') ?? 0) },
      hint: 'an alias (*name) may only repeat a node defined before and outside it',
    });
  }

  const locate = (path: ValuePath, which: 'key' | 'value' = 'value'): SourceLocation => {
    const range = findRange(doc, path, which);
    return range === undefined ? { file, line: 1, col: 1 } : at(range);
  };
  return { file, doc, value, locate };
}

/** Reads and parses a YAML file. A file that cannot be read is a ConfigError (no location). */
export async function loadYamlFile(path: string, from?: SourceLocation): Promise<YamlFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'is not readable (permission denied)' : (e as Error).message;
    throw new ConfigError(`file ${path} ${why}`, { location: from, hint: from ? 'paths are relative to the file that names them' : `check the path (relative to the current directory, ${process.cwd()})` });
  }
  return parseYaml(text, path);
}

function hintFor(err: YAMLError): string | undefined {
  if (err.code === 'MISSING_CHAR' && !/quote|[\]})]/.test(err.message)) return HINTS.BAD_INDENT;
  return HINTS[err.code];
}

/** Where a person should look: an unclosed quote is reported at the end of the file, so point at where it opens. */
function errorOffset(err: YAMLError, text: string): number {
  const m = /^Missing closing (["'])quote/.exec(err.message);
  if (m) {
    const open = text.lastIndexOf(m[1], Math.max(0, err.pos[0] - 1));
    if (open >= 0) return open;
  }
  return err.pos[0];
}

function describe(err: YAMLError, text: string): string {
  switch (err.code) {
    case 'MULTIPLE_DOCS':
      return 'more than one YAML document in this file (a second `---`)';
    case 'BAD_COLLECTION_TYPE':
    case 'NON_STRING_KEY':
      if (/stringKeys|keys must be strings/.test(err.message)) return 'a mapping key must be a name, not a list or mapping';
      return `invalid YAML: ${err.message}`;
    case 'DUPLICATE_KEY': {
      const key = /^[^:\n]*/.exec(text.slice(err.pos[0]))?.[0].trim().replace(/^["']|["']$/g, '');
      return key ? `duplicate key \`${key}\`` : 'duplicate key';
    }
    case 'TAG_RESOLVE_FAILED': {
      const tag = /^!\S*/.exec(text.slice(err.pos[0]))?.[0] ?? '';
      return tag === '!secret' ? '!secret applies to a scalar value (a string or number), not a list or mapping' : `unknown tag \`${tag}\``;
    }
    default:
      return `invalid YAML: ${err.message.replace(/\s*at line \d+, column \d+.*$/s, '')}`;
  }
}

/** Path of the first value that contains itself (through an alias), if any. */
function findCycle(root: unknown): ValuePath | undefined {
  const open = new Set<object>();
  const done = new Set<object>();
  const walk = (v: unknown, path: (string | number)[]): ValuePath | undefined => {
    if (!v || typeof v !== 'object' || v instanceof Secret) return undefined;
    if (open.has(v)) return path;
    if (done.has(v)) return undefined;
    open.add(v);
    const entries: Array<[string | number, unknown]> = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    for (const [k, x] of entries) {
      const found = walk(x, [...path, k]);
      if (found) return found;
    }
    open.delete(v);
    done.add(v);
    return undefined;
  };
  return walk(root, []);
}

/** First line whose leading whitespace contains a tab (outside block scalars we cannot tell; good enough as a cause). */
function findIndentTab(text: string): { line: number; col: number } | undefined {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^[ ]*\t/.exec(lines[i]);
    if (m && lines[i].trim() !== '') return { line: i + 1, col: m[0].length };
  }
  return undefined;
}

/** Offset of the key or value node at `path`, or of the deepest ancestor that exists. */
function findRange(doc: Document.Parsed, path: ValuePath, which: 'key' | 'value'): number | undefined {
  let node: unknown = doc.contents;
  let best = rangeOf(node);
  for (let i = 0; i < path.length; i++) {
    if (isAlias(node)) node = node.resolve(doc);
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyMatches(p.key, seg));
      if (!pair) return best;
      if (last && which === 'key') return rangeOf(pair.key) ?? best;
      // A key written without a value (`when:`) has no value node: point at the key.
      node = pair.value ?? undefined;
      const empty = isScalar(node) && node.range && node.range[0] === node.range[1];
      best = (empty ? undefined : rangeOf(node)) ?? rangeOf(pair.key) ?? best;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      if (node === undefined) return best;
      best = rangeOf(node) ?? best;
    } else {
      return best;
    }
  }
  return best;
}

function keyMatches(key: unknown, seg: string | number): boolean {
  if (isScalar(key)) return String(key.value) === String(seg);
  return key === seg;
}

function rangeOf(node: unknown): number | undefined {
  const r = (node as Node | null | undefined)?.range;
  return r ? r[0] : undefined;
}
