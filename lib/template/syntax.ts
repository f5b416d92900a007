/** Parsing templates, with the Jinja habits Handlebars cannot parse, and readable syntax errors. */
import { ValidationError } from '../errors.js';
import type { TemplateProblem } from './ast.js';
import { hb } from './env.js';
import { GO_TEMPLATE_HINT, looksLikeGoTemplate, taskPart } from './messages.js';
import type { TemplateWhere } from './types.js';

/**
 * Forms people bring from Jinja that Handlebars cannot parse, tried only after a parse error (so
 * they never change the meaning of a valid template): `{{ (eq a b) }}` means `{{ eq a b }}`, and
 * list indexes `hosts.0` / `hosts[0]` mean Handlebars' `hosts.[0]`.
 */
export function parse(source: string): hbs.AST.Program {
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

export function parseProblem(e: unknown, source: string): TemplateProblem {
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

export function quoteTemplate(source: string): string {
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

