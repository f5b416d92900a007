/**
 * Rendering: one isolated Handlebars environment, a cache of compiled templates keyed by the
 * template text (rendering is on the hot path), the undefined-variable check, and native values
 * for strings that are exactly one `{{ expr }}`.
 */
import Handlebars from 'handlebars';
import { OmsplayError, ValidationError } from '../errors.js';
import { Secret } from '../secrets.js';
import type { Vars } from '../inventory/types.js';
import { type Analysis, analyze, isHelperCall, type RefSite, type TemplateProblem } from './ast.js';
import { canEvaluate, evaluate } from './evaluate.js';
import { registerHelpers, renderState } from './helpers.js';
import { GO_TEMPLATE_HINT, looksLikeGoTemplate, missingPropertyHint, missingVariableHint, taskPart } from './messages.js';
import type { TemplateWhere } from './types.js';
import { toPlain, view } from './view.js';

const hb = Handlebars.create();
registerHelpers(hb);

/**
 * Name lookup along the context stack (compat mode): inside {{#each}} a name the item lacks is read
 * from the outer contexts, as in Jinja loops. Handlebars' own version skips null values (turning
 * them into undefined); this one takes the first context that has the name as an own property.
 */
// Not a function, so Handlebars does not wrap it as a helper expecting an options argument.
hb.helpers.__scope = {
  find(depths: unknown[], name: string): unknown {
    for (const d of depths) {
      if (d !== null && typeof d === 'object' && Object.hasOwn(d, name)) return (d as Record<string, unknown>)[name];
    }
    return undefined;
  },
} as unknown as Handlebars.HelperDelegate;
const BaseCompiler = (hb as unknown as { JavaScriptCompiler: any }).JavaScriptCompiler;
function ScopeCompiler(this: unknown, ...args: unknown[]): void {
  BaseCompiler.apply(this, args);
}
ScopeCompiler.prototype = Object.create(BaseCompiler.prototype);
ScopeCompiler.prototype.compiler = ScopeCompiler;
ScopeCompiler.prototype.depthedLookup = function (this: any, name: string) {
  return [this.aliasable('container.helpers.__scope'), '.find(depths, ', this.quotedString(name), ')'];
};
(hb as unknown as { JavaScriptCompiler: unknown }).JavaScriptCompiler = ScopeCompiler;

/** The value `__capture` saw; rendering is synchronous, so one slot is enough. */
let captured: unknown;
hb.registerHelper('__capture', (value: unknown) => {
  captured = value;
  return '';
});
hb.registerHelper('__literal', (value: unknown) => value);
hb.registerHelper('__str', (value: unknown) => textOf(value));

/** How a value prints inside text: nothing for null/undefined, JSON for lists and mappings. */
export function textOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(toPlain(value));
  return String(value);
}

const COMPILE_OPTIONS = {
  noEscape: true,
  // Inside {{#each}} a name that the item lacks falls back to the outer variables, as in Jinja loops.
  compat: true,
} as const;

/** Deny prototype properties and methods quietly (Handlebars would log a warning per name otherwise). */
const RUNTIME_OPTIONS = { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false } as const;

interface Compiled {
  /** undefined when the template has a syntax problem. */
  fn?: (ctx: unknown, opts?: unknown) => string;
  native: boolean;
  analysis: Analysis;
  /** Syntax problem, reported with the caller's location on every use. */
  problem?: TemplateProblem;
  /**
   * Fast path for the common case, text and plain variable reads only ("{{ a.b }}",
   * "host={{ db.host }}:{{ db.port }}"): rendered without Handlebars' per-call setup.
   */
  plan?: PlanPart[];
  refMap: Map<object, RefSite>;
}

type PlanPart = string | { node: hbs.AST.Node; asCall: boolean };

const MAX_CACHE = 20_000;
const cache = new Map<string, Compiled>();

/** Parses and compiles (once per distinct text) a template. */
export function compileTemplate(source: string): Compiled {
  let c = cache.get(source);
  if (c) return c;
  c = build(source);
  // Templates come from playbooks, so the set is small; the bound only guards against odd callers.
  if (cache.size >= MAX_CACHE) cache.clear();
  cache.set(source, c);
  return c;
}

function build(source: string): Compiled {
  let program: hbs.AST.Program;
  try {
    program = parse(source);
  } catch (e) {
    return { native: false, analysis: { refs: [], problems: [] }, problem: parseProblem(e, source), refMap: new Map() };
  }
  const analysis = analyze(program);
  if (analysis.problems.length > 0) return { native: false, analysis, problem: analysis.problems[0], refMap: new Map() };
  const refMap = new Map<object, RefSite>(analysis.refs.map((r) => [r.node, r]));
  const plan = directPlan(program, refMap);
  const single = program.body.length === 1 && program.body[0]!.type === 'MustacheStatement';
  // Handlebars only for what the direct evaluator cannot do (blocks, this, @data).
  if (plan) return { native: single, analysis, plan, refMap };
  if (!single) rewriteMustaches(program);
  const compiled = single ? nativeProgram(program) : program;
  const sites = new Map<object, number>();
  analysis.refs.forEach((r, i) => {
    if (!r.guarded) sites.set(r.node, i);
  });
  if (sites.size > 0) rewriteRefs(compiled, sites);
  const fn = hb.compile(compiled, COMPILE_OPTIONS) as (ctx: unknown, opts?: unknown) => string;
  return { fn, native: single, analysis, refMap };
}

/** Text and `{{ expr }}` parts the direct evaluator handles, or undefined when Handlebars is needed (blocks...). */
function directPlan(program: hbs.AST.Program, refMap: ReadonlyMap<object, RefSite>): PlanPart[] | undefined {
  const plan: PlanPart[] = [];
  for (const stmt of program.body) {
    if (stmt.type === 'ContentStatement') {
      plan.push((stmt as hbs.AST.ContentStatement).value);
      continue;
    }
    if (stmt.type === 'CommentStatement') continue;
    if (stmt.type !== 'MustacheStatement') return undefined;
    const m = stmt as hbs.AST.MustacheStatement;
    const asCall = isHelperCall(m as unknown as Parameters<typeof isHelperCall>[0]);
    const node = asCall ? (m as unknown as hbs.AST.Node) : m.path;
    if (!canEvaluate(node, refMap, asCall)) return undefined;
    plan.push({ node, asCall });
  }
  return plan;
}

/**
 * Forms people bring from Jinja that Handlebars cannot parse, tried only after a parse error (so
 * they never change the meaning of a valid template): `{{ (eq a b) }}` means `{{ eq a b }}`, and
 * list indexes `hosts.0` / `hosts[0]` mean Handlebars' `hosts.[0]`.
 */
function parse(source: string): hbs.AST.Program {
  try {
    return hb.parse(source);
  } catch (e) {
    const indexed = normalizeIndexes(source);
    for (const alt of [indexed, stripParens(source), stripParens(indexed)]) {
      if (alt === undefined || alt === source) continue;
      try {
        return hb.parse(alt);
      } catch {
        // try the next form; report the original error
      }
    }
    throw parenError(source) ?? e;
  }
}

/**
 * `{{ (eq a b }}` fails at the "(" (a mustache cannot start with one); parsing it as an argument
 * finds the real problem (the missing ")") and its position.
 */
function parenError(source: string): unknown {
  const m = /^(\s*\{\{~?\s*)\(/.exec(source);
  if (!m) return undefined;
  const filler = '__p ';
  try {
    hb.parse(m[1] + filler + source.slice(m[1]!.length));
  } catch (e) {
    const hash = (e as { hash?: ParseHash }).hash;
    if (hash?.offset !== undefined && hash.offset >= m[1]!.length + filler.length) {
      hash.offset -= filler.length;
      return e;
    }
  }
  return undefined;
}

function stripParens(source: string | undefined): string | undefined {
  if (source === undefined) return undefined;
  const m = /^\{\{(~?)\s*\(([\s\S]*)\)\s*(~?)\}\}$/.exec(source.trim());
  return m ? `{{${m[1]} ${m[2]} ${m[3]}}}` : undefined;
}

const STRING_LITERAL = /("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')/;

function normalizeIndexes(source: string): string | undefined {
  if (!/[.[]\d/.test(source)) return undefined;
  return source.replace(/\{\{([\s\S]*?)\}\}/g, (_all, inner: string) => {
    const pieces = inner.split(STRING_LITERAL).map((piece, i) =>
      i % 2 === 1
        ? piece
        : piece
            // name.0 -> name.[0] (a name starts with a letter, _ or @, so 1.5 stays a number)
            .replace(/(?<=(?:^|[\s(=|~])[A-Za-z_@][\w\-.[\]]*)\.(\d+)(?![\w-])/g, '.[$1]')
            // name[0] -> name.[0]
            .replace(/(?<=[\w\]])\[(\d+)\]/g, '.[$1]'),
    );
    return `{{${pieces.join('')}}}`;
  });
}

// The parser is shared by every Handlebars environment; keep its message but also attach where it failed.
const parser = (hb as unknown as { Parser: { parseError: (message: string, hash: unknown) => never; lexer?: { matched?: string; match?: string } } })
  .Parser;
parser.parseError = (message: string, hash: unknown) => {
  const lexer = parser.lexer;
  // Offset of the offending token in the template text (jison's own column is the previous token's).
  const offset = lexer && typeof lexer.matched === 'string' && typeof lexer.match === 'string' ? lexer.matched.length - lexer.match.length : undefined;
  throw Object.assign(new Error(message), { hash: { ...(hash as object), offset } });
};

interface ParseHash {
  token?: string | null;
  expected?: string[];
  loc?: { first_line: number; first_column: number };
  line?: number;
  offset?: number;
}

const TOKEN_WORDS: Record<string, string> = {
  EOF: 'end of template',
  INVALID: "text (an unclosed '{{' or a character that cannot appear here)",
  CLOSE: "'}}'",
  CLOSE_UNESCAPED: "'}}}'",
  CLOSE_RAW_BLOCK: "'}}}}'",
  OPEN_SEXPR: "'('",
  CLOSE_SEXPR: "')'",
  EQUALS: "'='",
  SEP: "'.'",
  OPEN_ENDBLOCK: "'{{/'",
  OPEN_BLOCK_PARAMS: "'as |'",
  CLOSE_BLOCK_PARAMS: "'|'",
  ID: 'a name',
  STRING: 'a string',
  NUMBER: 'a number',
  BOOLEAN: 'true/false',
  UNDEFINED: 'undefined',
  NULL: 'null',
  DATA: 'an @name',
  INVERSE: "'{{else}}'",
  OPEN_INVERSE_CHAIN: "'{{else ...}}'",
};

function words(token: string): string {
  const t = token.replace(/^'|'$/g, '');
  return TOKEN_WORDS[t] ?? t;
}

function parseProblem(e: unknown, source: string): TemplateProblem {
  const text = e instanceof Error ? e.message : String(e);
  const hash = ((e as { hash?: ParseHash }).hash ?? {}) as ParseHash;
  let line = hash.loc?.first_line ?? (hash.line !== undefined ? hash.line + 1 : Number(/line (\d+)/.exec(text)?.[1] ?? 1));
  let col = (hash.loc?.first_column ?? 0) + 1;
  if (hash.offset !== undefined && hash.offset >= 0 && hash.offset <= source.length) {
    const before = source.slice(0, hash.offset);
    line = before.split('\n').length;
    col = hash.offset - before.lastIndexOf('\n');
  }
  let message: string;
  let hint = "check that every '{{' has its '}}' and every '(' its ')'; helpers are called as (name arg ...)";
  if (hash.token) {
    const expected = [...new Set((hash.expected ?? []).map(words))];
    const exp = expected.length > 0 && expected.length <= 4 ? ` (expected ${expected.join(', ')})` : '';
    message = `template syntax error: unexpected ${words(hash.token)}${exp}`;
    if (hash.token === 'CLOSE' && (hash.expected ?? []).includes("'CLOSE_SEXPR'")) message = "template syntax error: a ')' is missing";
    if (looksLikeGoTemplate(source)) hint = GO_TEMPLATE_HINT;
    else if (hash.token === 'EQUALS' || /==|!=|&&|\|\||\bis (not )?defined\b/.test(source)) {
      hint = 'comparisons are helper calls: (eq a b), (ne a b), (gt a b); logic is (and a b), (or a b), (not a). ' + hint;
    }
  } else {
    // e.g. "if doesn't match each - 1:3" from the block checker.
    message = `template syntax error: ${text.split('\n')[0]!.replace(/ - \d+:\d+$/, '')}`;
    const m = / - (\d+):(\d+)$/.exec(text.split('\n')[0]!);
    if (m) return { message, hint, line: Number(m[1]), col: Number(m[2]) + 1 };
  }
  return { message, hint, line, col };
}

/**
 * Two rewrites of `{{x}}` in text: Handlebars reads `{{"x"}}` or `{{5}}` as a property lookup, here a
 * literal is its value; and lists and mappings print as JSON, not "[object Object]".
 */
function rewriteMustaches(node: any): void {
  if (!node || typeof node !== 'object') return;
  if (node.type === 'Program') {
    for (const stmt of node.body) rewriteMustaches(stmt);
    return;
  }
  if (node.type === 'BlockStatement') {
    rewriteMustaches(node.program);
    rewriteMustaches(node.inverse);
    return;
  }
  if (node.type === 'MustacheStatement' && !isHelperCall(node)) {
    node.params = [node.path];
    node.path = pathNode(node.path.type === 'PathExpression' ? '__str' : '__literal', node.loc);
  }
}

function pathNode(name: string, loc: hbs.AST.SourceLocation): hbs.AST.PathExpression {
  return { type: 'PathExpression', data: false, depth: 0, parts: [name], original: name, loc };
}

/**
 * Every read of a variable (outside default/defined) becomes `(__ref N)`, a lookup that fails with
 * a clear error when the variable or a property on its path is missing. The check happens when
 * the read is evaluated, so a branch not taken (`{{#if (defined x)}}{{x.y}}{{/if}}`) is fine.
 */
function rewriteRefs(node: any, sites: Map<object, number>): void {
  if (!node || typeof node !== 'object') return;
  if (node.type === 'Program') {
    for (const stmt of node.body) rewriteRefs(stmt, sites);
    return;
  }
  if (node.type === 'MustacheStatement' || node.type === 'SubExpression' || node.type === 'BlockStatement') {
    node.params = node.params.map((p: any) => refExpr(p, sites));
    for (const pair of node.hash?.pairs ?? []) pair.value = refExpr(pair.value, sites);
    if (node.type === 'BlockStatement') {
      rewriteRefs(node.program, sites);
      rewriteRefs(node.inverse, sites);
    }
  }
}

function refExpr(e: any, sites: Map<object, number>): any {
  if (e.type === 'SubExpression') {
    rewriteRefs(e, sites);
    return e;
  }
  const index = e.type === 'PathExpression' ? sites.get(e) : undefined;
  if (index === undefined) return e;
  return {
    type: 'SubExpression',
    path: pathNode('__ref', e.loc),
    params: [{ type: 'NumberLiteral', value: index, original: index, loc: e.loc }],
    hash: undefined,
    loc: e.loc,
  };
}

/** `{{ expr }}` becomes `{{__capture (expr)}}` (or `{{__capture path}}`) so the value itself is kept. */
function nativeProgram(program: hbs.AST.Program): hbs.AST.Program {
  const m = program.body[0] as hbs.AST.MustacheStatement;
  const arg: hbs.AST.Expression = isHelperCall(m as unknown as Parameters<typeof isHelperCall>[0])
    ? ({ type: 'SubExpression', path: m.path, params: m.params, hash: m.hash, loc: m.loc } as hbs.AST.SubExpression)
    : m.path;
  const capture: hbs.AST.MustacheStatement = {
    type: 'MustacheStatement',
    path: pathNode('__capture', m.loc),
    params: [arg],
    hash: undefined as unknown as hbs.AST.Hash,
    escaped: false,
    strip: m.strip,
    loc: m.loc,
  };
  return { ...program, body: [capture] };
}

// ---- rendering -------------------------------------------------------------------------------

const NOTHING = Symbol('nothing');

/**
 * Renders one template string: native value when it is exactly one `{{ expr }}`, else a string.
 * `shown` is the text errors quote (a bare condition is quoted as written, without added braces).
 */
export function renderString(source: string, vars: Vars, where: TemplateWhere, allowNative = true, shown = source): unknown {
  if (!source.includes('{{')) return source;
  const c = compileTemplate(source);
  if (c.problem) throw problemError(c.problem, source, where, shown);
  const previous = renderState.where;
  const previousActive = active;
  renderState.where = where;
  active = { refs: c.analysis.refs, source: shown, where };
  try {
    if (c.plan) {
      const resolve = (ref: RefSite, guarded: boolean) => (guarded ? lookup(ref, vars) : resolveRef(ref, vars, shown, where));
      if (c.native) {
        const part = c.plan[0] as Exclude<PlanPart, string>;
        const value = evaluate(part.node, c.refMap, resolve, part.asCall);
        return allowNative ? toPlain(value) : textOf(value);
      }
      let out = '';
      for (const part of c.plan) out += typeof part === 'string' ? part : textOf(evaluate(part.node, c.refMap, resolve, part.asCall));
      return out;
    }
    const ctx = view(vars);
    const fn = c.fn!;
    if (c.native) {
      captured = NOTHING;
      fn(ctx, RUNTIME_OPTIONS);
      const value = toPlain(captured);
      captured = undefined;
      if (value === NOTHING) return allowNative ? undefined : '';
      return allowNative ? value : textOf(value);
    }
    return fn(ctx, RUNTIME_OPTIONS);
  } catch (e) {
    if (e instanceof OmsplayError) throw e;
    const text = e instanceof Error ? e.message : String(e);
    throw new ValidationError(`template error${taskPart(where)}: ${text} in ${quoteTemplate(shown)}`, { location: where.location, cause: e });
  } finally {
    renderState.where = previous;
    active = previousActive;
  }
}

function quoteTemplate(source: string): string {
  const s = source.length > 120 ? `${source.slice(0, 117)}...` : source;
  return JSON.stringify(s);
}

export function problemError(p: TemplateProblem, source: string, where: TemplateWhere, shown = source): ValidationError {
  let col = p.col;
  if (shown !== source && p.line === 1) {
    // A bare condition got "{{ " in front: point into the text as written.
    const body = shown.trim();
    col = Math.max(1, col - (source.indexOf(body) - shown.indexOf(body)));
  }
  const at = shown.includes('\n') ? ` (template line ${p.line}, column ${col})` : ` (at column ${col})`;
  return new ValidationError(`${p.message}${taskPart(where)} in ${quoteTemplate(shown)}${at}`, { location: where.location, hint: p.hint });
}

const MISSING = Symbol('missing');

/** A read inside default/defined: missing is undefined. */
function lookup(ref: RefSite, root: Record<string, unknown>): unknown {
  if (!Object.hasOwn(root, ref.root)) return undefined;
  let cur: unknown = root[ref.root];
  for (const part of ref.parts) {
    cur = child(cur, part);
    if (cur === MISSING) return undefined;
  }
  return cur;
}

function child(cur: unknown, key: string): unknown {
  if (cur instanceof Secret) return child(cur.value, key);
  if (cur === null || cur === undefined) return MISSING;
  if (typeof cur === 'object') return Object.hasOwn(cur, key) ? (cur as Record<string, unknown>)[key] : MISSING;
  if (typeof cur === 'string') return key === 'length' ? cur.length : MISSING;
  return MISSING;
}

/** The template being rendered, for `__ref` (rendering is synchronous). */
let active: { refs: RefSite[]; source: string; where: TemplateWhere } | undefined;

hb.registerHelper('__ref', (index: number, options: { data?: { root?: unknown } }) =>
  resolveRef(active!.refs[index]!, options.data?.root, active!.source, active!.where),
);

/** The value a variable read names; a missing variable or property is a ValidationError. */
function resolveRef(ref: RefSite, root: unknown, source: string, where: TemplateWhere): unknown {
  if (root === null || typeof root !== 'object' || !Object.hasOwn(root, ref.root)) {
    throw new ValidationError(`undefined variable "${ref.root}"${taskPart(where)} in ${quoteTemplate(source)}`, {
      location: where.location,
      hint: looksLikeGoTemplate(source) ? GO_TEMPLATE_HINT : missingVariableHint(ref.root, root && typeof root === 'object' ? Object.keys(root) : []),
    });
  }
  let cur: unknown = (root as Record<string, unknown>)[ref.root];
  for (let i = 0; i < ref.parts.length; i++) {
    const next = child(cur, ref.parts[i]!);
    if (next === MISSING) {
      const have = [ref.root, ...ref.parts.slice(0, i)].join('.');
      const full = [ref.root, ...ref.parts].join('.');
      const what = cur === null ? 'is null' : cur === undefined ? 'is undefined' : `has no "${ref.parts[i]}"`;
      throw new ValidationError(`undefined variable "${full}"${taskPart(where)}: "${have}" ${what}, in ${quoteTemplate(source)}`, {
        location: where.location,
        hint: missingPropertyHint(full, ref.parts[i]!, cur),
      });
    }
    cur = next;
  }
  return cur;
}
