/**
 * Static analysis of a parsed template: which variables it reads (and whether a missing one is
 * tolerated because it sits in the first argument of `default`/`defined`), and calls of unknown
 * helpers. Walking the AST instead of Handlebars' strict mode is what lets `default` work.
 */
import { GUARDING_HELPERS, HELPER_NAMES } from './helpers.js';

/** A variable read whose root is the template's variables (not a block param or `this` of a block). */
export interface VarRef {
  root: string;
  /** Property path below the root (`a.b.c` -> ['b', 'c']). */
  parts: string[];
  /** Inside the first argument of `default`/`defined`: missing is fine. */
  guarded: boolean;
  /** 1-based line and column inside the template text. */
  line: number;
  col: number;
}

export interface TemplateProblem {
  message: string;
  hint?: string;
  line: number;
  col: number;
}

/** A read in the template, with the AST node the renderer replaces by a checked lookup. */
export interface RefSite extends VarRef {
  node: PathExpr;
}

export interface Analysis {
  /** Every read, in template order (not deduplicated). */
  refs: RefSite[];
  problems: TemplateProblem[];
}

interface Scope {
  /** Block params visible here (`{{#each xs as |x i|}}`). */
  blockParams: ReadonlySet<string>;
  /** Number of enclosing blocks that changed the context (each, with, sections). */
  ctxDepth: number;
}

type Node = hbs.AST.Node;
type PathExpr = hbs.AST.PathExpression;
type Call = { path: Node; params: Node[]; hash?: hbs.AST.Hash; loc: hbs.AST.SourceLocation };

const CONTEXT_KEEPING = new Set(['if', 'unless']);

export function analyze(program: hbs.AST.Program): Analysis {
  const out: Analysis = { refs: [], problems: [] };
  walkProgram(program, { blockParams: new Set(), ctxDepth: 0 }, out);
  return out;
}

/** Reads without duplicates and without AST nodes, for reporting. */
export function uniqueRefs(refs: readonly VarRef[]): VarRef[] {
  const seen = new Set<string>();
  const out: VarRef[] = [];
  for (const r of refs) {
    const key = `${r.guarded ? 1 : 0}:${r.root}.${r.parts.join('.')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ root: r.root, parts: r.parts, guarded: r.guarded, line: r.line, col: r.col });
  }
  return out;
}

function walkProgram(program: hbs.AST.Program | undefined, scope: Scope, out: Analysis): void {
  if (!program) return;
  for (const stmt of program.body) walkStatement(stmt, scope, out);
}

function pos(node: Node): { line: number; col: number } {
  return { line: node.loc?.start.line ?? 1, col: (node.loc?.start.column ?? 0) + 1 };
}

export function isSimpleName(p: Node): p is PathExpr {
  const path = p as PathExpr;
  return path.type === 'PathExpression' && !path.data && path.depth === 0 && path.parts.length === 1 && !/^(this|\.)[./]/.test(path.original);
}

/** A mustache `{{x ...}}` is a helper call when it has arguments or names a helper. */
export function isHelperCall(node: Call): boolean {
  if (node.params.length > 0 || (node.hash && node.hash.pairs.length > 0)) return true;
  return isSimpleName(node.path) && HELPER_NAMES.has((node.path as PathExpr).parts[0]!);
}

function walkStatement(node: Node, scope: Scope, out: Analysis): void {
  switch (node.type) {
    case 'ContentStatement':
    case 'CommentStatement':
      return;
    case 'MustacheStatement':
      walkCall(node as unknown as Call, scope, out, isHelperCall(node as unknown as Call));
      return;
    case 'BlockStatement': {
      const block = node as hbs.AST.BlockStatement;
      const call = block as unknown as Call;
      const helper = isHelperCall(call) || (isSimpleName(block.path) && HELPER_NAMES.has(block.path.parts[0]!));
      walkCall(call, scope, out, helper);
      const name = isSimpleName(block.path) ? block.path.parts[0]! : '';
      const keeps = helper && CONTEXT_KEEPING.has(name);
      const params = new Set(scope.blockParams);
      for (const p of block.program?.blockParams ?? []) params.add(p);
      walkProgram(block.program, { blockParams: params, ctxDepth: scope.ctxDepth + (keeps ? 0 : 1) }, out);
      walkProgram(block.inverse, scope, out);
      return;
    }
    case 'PartialStatement':
    case 'PartialBlockStatement':
      out.problems.push({ message: 'partials ({{> name}}) are not supported', ...pos(node) });
      return;
    case 'Decorator':
    case 'DecoratorBlock':
      out.problems.push({ message: 'decorators ({{* name}}) are not supported', ...pos(node) });
      return;
    default:
      return;
  }
}

function walkCall(node: Call, scope: Scope, out: Analysis, helper: boolean): void {
  if (!helper) {
    walkExpr(node.path, scope, out);
    return;
  }
  const simple = isSimpleName(node.path);
  const raw = node.path as { original?: unknown; value?: unknown };
  const name = simple ? (node.path as PathExpr).parts[0]! : String(raw.original ?? raw.value);
  if (!simple || !HELPER_NAMES.has(name)) {
    out.problems.push(unknownHelper(name, node));
  }
  node.params.forEach((p, i) => {
    // Only a path given directly as the first argument is guarded: in (default (add x 1) 0) x must exist.
    walkExpr(p, scope, out, i === 0 && GUARDING_HELPERS.has(name));
  });
  for (const pair of node.hash?.pairs ?? []) walkExpr(pair.value, scope, out);
}

function unknownHelper(name: string, node: Call): TemplateProblem {
  const args = node.params.length;
  return {
    message: `"${name}" is not a helper${args > 0 ? ` (it is called with ${args} argument${args === 1 ? '' : 's'})` : ''}`,
    hint: 'comparisons and logic are helper calls: (eq a b), (and a (not b)), (gt n 3); see the helper list in the README',
    ...pos(node.path),
  };
}

function walkExpr(node: Node, scope: Scope, out: Analysis, guarded = false): void {
  if (node.type === 'SubExpression') {
    walkCall(node as unknown as Call, scope, out, true);
    return;
  }
  if (node.type !== 'PathExpression') return; // literals
  const path = node as PathExpr;
  const { line, col } = pos(node);
  if (path.data) {
    // @root.x reads the template's variables; @index, @key, @first... are loop data.
    if (path.parts[0] === 'root' && path.parts.length > 1) {
      out.refs.push({ root: path.parts[1]!, parts: path.parts.slice(2), guarded, line, col, node: path });
    }
    return;
  }
  if (path.parts.length === 0) return; // this, ..
  const scoped = /^(this|\.)[./]/.test(path.original);
  if (path.depth === 0 && !scoped && scope.blockParams.has(path.parts[0]!)) return;
  // Inside each/with the context is the item; only a path that climbs back to the top is known.
  if (scope.ctxDepth > 0 && path.depth < scope.ctxDepth) return;
  out.refs.push({ root: path.parts[0]!, parts: path.parts.slice(1), guarded, line, col, node: path });
}
