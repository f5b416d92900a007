/**
 * Secret masking. Every secret value the run learns (variables whose names look secret, values
 * tagged !secret, passwords read from the environment, everything a no_log task produced) is
 * registered here, and every byte that leaves for a terminal, a JSON stream, the journal or an
 * error message goes through `mask()`.
 */
import { quote } from './connection/quote.js';

export const MASK = '********';

const SECRET_NAME = /(pass(word|wd|phrase)?|secret|token|private[_-]?key|api[_-]?key|credential|^key$|_key$)/i;

export function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A value that must never be shown. Templates see the plain value; output shows MASK. */
export class Secret {
  constructor(readonly value: string) {}
  toString(): string {
    return MASK;
  }
  toJSON(): string {
    return MASK;
  }
}

export class Masker {
  private values = new Set<string>();
  private pattern: RegExp | null = null;

  add(value: unknown): void {
    if (typeof value !== 'string' && typeof value !== 'number') return;
    const s = String(value);
    // Very short values would mask ordinary words; they are still kept out of argv by design.
    if (s.length < 3 || this.values.has(s)) return;
    this.values.add(s);
    // Also the forms a secret takes once it passed through JSON or a shell quote (a command shown as
    // `cmd`: quote() turns ' into '\'' so the plain value is no longer one piece of the text).
    const json = JSON.stringify(s).slice(1, -1);
    if (json !== s) this.values.add(json);
    const quoted = quote(s);
    const inner = quoted.startsWith("'") ? quoted.slice(1, -1) : quoted;
    if (inner !== s) this.values.add(inner);
    for (const form of [s, inner]) for (const line of form.split('\n')) if (line.length >= 3) this.values.add(line);
    this.pattern = null;
  }

  /** Registers every value under a secret-looking key, recursively. */
  addFromVars(vars: unknown, secretContext = false): void {
    if (vars instanceof Secret) {
      this.add(vars.value);
      return;
    }
    if (Array.isArray(vars)) {
      for (const v of vars) this.addFromVars(v, secretContext);
      return;
    }
    if (vars && typeof vars === 'object') {
      for (const [k, v] of Object.entries(vars)) this.addFromVars(v, secretContext || looksSecret(k));
      return;
    }
    if (secretContext) this.add(vars);
  }

  get size(): number {
    return this.values.size;
  }

  mask(text: string): string {
    if (this.values.size === 0 || !text) return text;
    if (!this.pattern) {
      const sorted = [...this.values].sort((a, b) => b.length - a.length);
      this.pattern = new RegExp(sorted.map(escapeRegExp).join('|'), 'g');
    }
    return text.replace(this.pattern, MASK);
  }

  /** Deep copy of a value with every secret string masked (for JSON output and the journal). */
  maskValue<T>(value: T): T {
    return maskDeep(value, (s) => this.mask(s)) as T;
  }
}

function maskDeep(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (value instanceof Secret) return MASK;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, f));
  if (value && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v, f);
    return out;
  }
  return value;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Masks an error's message and hint in place (an error that ends a run is printed by the CLI, after the reporters). */
export function maskError<E>(e: E, masker: Masker): E {
  if (!(e instanceof Error)) return e;
  e.message = masker.mask(e.message);
  const { hint, errors } = e as { hint?: unknown; errors?: unknown };
  if (typeof hint === 'string') Object.defineProperty(e, 'hint', { value: masker.mask(hint) });
  if (Array.isArray(errors)) for (const inner of errors) maskError(inner, masker);
  return e;
}
