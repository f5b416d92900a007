/**
 * Compiling a template once per distinct text (rendering is on the hot path): analysis, a plan for
 * the direct evaluator, or a Handlebars function for templates with blocks.
 */
import { type Analysis, analyze, isHelperCall, type RefSite, type TemplateProblem } from './ast.js';
import { COMPILE_OPTIONS, hb } from './env.js';
import { canEvaluate } from './evaluate.js';
import { parse, parseProblem } from './syntax.js';

export interface Compiled {
  /** undefined when the template has a syntax problem. */
  fn?: (ctx: unknown, opts?: unknown) => string;
  native: boolean;
  analysis: Analysis;
  /** Syntax problem, reported with the caller's location on every use. */
  problem?: TemplateProblem;
  /**
   * Fast path for the common case, text with variable reads, literals and calls of plain helpers
   * ("{{ a.b }}", "host={{ db.host }}:{{ add port 1 }}", conditions): no Handlebars per-call setup.
   */
  plan?: PlanPart[];
  refMap: Map<object, RefSite>;
}

export type PlanPart = string | { node: hbs.AST.Node; asCall: boolean };

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

