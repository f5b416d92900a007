/**
 * Templates see secrets as their plain value, without copying the variables on every render:
 * the context is a lazy read-only view that unwraps `Secret` values when they are read.
 * Values that leave a template (a native `{{ expr }}` result) are copied out of the view with
 * `toPlain`, so callers never hold a Proxy and never alias the variables.
 */
import { Secret } from '../secrets.js';

const views = new WeakMap<object, object>();

const handler: ProxyHandler<object> = {
  get(target, key) {
    const value = Reflect.get(target, key);
    return typeof key === 'symbol' ? value : view(value);
  },
  set() {
    return false;
  },
  deleteProperty() {
    return false;
  },
  defineProperty() {
    return false;
  },
};

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** The value as a template sees it: secrets unwrapped, containers wrapped lazily. */
export function view(value: unknown): unknown {
  if (value instanceof Secret) return value.value;
  if (value === null || typeof value !== 'object') return value;
  if (!Array.isArray(value) && !isPlainObject(value)) return value;
  // A Proxy must report a frozen object's own values unchanged, so frozen data is copied instead.
  if (Object.isFrozen(value)) return toPlain(value);
  let v = views.get(value);
  if (!v) {
    v = new Proxy(value, handler);
    views.set(value, v);
  }
  return v;
}

/** Deep copy to plain data (arrays, plain objects, primitives): secrets unwrapped, views dropped. */
export function toPlain(value: unknown, seen = new Map<object, unknown>()): unknown {
  if (value instanceof Secret) return value.value;
  if (value === null || typeof value !== 'object') return value;
  const done = seen.get(value);
  if (done !== undefined) return done;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(toPlain(item, seen));
    return out;
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    seen.set(value, out);
    for (const key of Object.keys(value)) out[key] = toPlain(value[key], seen);
    return out;
  }
  return value;
}
