/**
 * A direct evaluator for the common templates: text with `{{ expr }}` parts where each expr is a
 * variable read, a literal, or a call of a plain helper (no blocks). It gives the same results
 * as the Handlebars path without Handlebars' per-render setup (copying and wrapping every
 * helper), which dominates the cost of small templates such as conditions.
 */
import type { RefSite } from './ast.js';
import { callHelper, isPlainHelper } from './helpers.js';
import { view } from './view.js';

type Node = hbs.AST.Node;
type Call = { path: Node; params: Node[]; hash?: hbs.AST.Hash };

export type Resolve = (ref: RefSite, guarded: boolean) => unknown;

const LITERALS = new Set(['StringLiteral', 'NumberLiteral', 'BooleanLiteral', 'NullLiteral', 'UndefinedLiteral']);

function helperName(node: Call): string | undefined {
  const p = node.path as hbs.AST.PathExpression;
  if (p.type !== 'PathExpression' || p.data || p.depth !== 0 || p.parts.length !== 1 || /^(this|\.)[./]/.test(p.original)) return undefined;
  return p.parts[0];
}

/** Whether a mustache (as a helper call or a read) can be evaluated here. */
export function canEvaluate(node: Node, refs: ReadonlyMap<object, RefSite>, asCall: boolean): boolean {
  if (LITERALS.has(node.type)) return !asCall;
  if (node.type === 'PathExpression' && !asCall) return refs.has(node);
  if (asCall || node.type === 'SubExpression') {
    const call = node as unknown as Call;
    const name = helperName(call);
    if (!name || !(isPlainHelper(name) || name === 'lookup')) return false;
    return call.params.every((p) => canEvaluate(p, refs, false)) && (call.hash?.pairs ?? []).every((h) => canEvaluate(h.value, refs, false));
  }
  return false;
}

/** Evaluates an expression checked by canEvaluate; values come out as templates see them (views). */
export function evaluate(node: Node, refs: ReadonlyMap<object, RefSite>, resolve: Resolve, asCall: boolean): unknown {
  if (!asCall && node.type !== 'SubExpression') {
    if (node.type === 'PathExpression') {
      const ref = refs.get(node)!;
      return view(resolve(ref, ref.guarded));
    }
    if (node.type === 'UndefinedLiteral') return undefined;
    if (node.type === 'NullLiteral') return null;
    return (node as hbs.AST.StringLiteral).value;
  }
  const call = node as unknown as Call;
  const name = helperName(call)!;
  const args = call.params.map((p) => evaluate(p, refs, resolve, false));
  const hash: Record<string, unknown> = {};
  for (const pair of call.hash?.pairs ?? []) hash[pair.key] = evaluate(pair.value, refs, resolve, false);
  if (name === 'lookup') {
    // Handlebars' lookup: an own property (or array index) of the first argument.
    const [obj, key] = args;
    return obj !== null && typeof obj === 'object' && Object.hasOwn(obj, String(key)) ? (obj as Record<string, unknown>)[String(key)] : undefined;
  }
  return callHelper(name, args, hash);
}
