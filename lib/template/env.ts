/**
 * The one isolated Handlebars environment: our helpers, no HTML escaping, no prototype access,
 * and a name lookup that keeps nulls and reads outer variables inside {{#each}}.
 */
import Handlebars from 'handlebars';
import { registerHelpers } from './helpers.js';
import { toPlain } from './view.js';

export const hb = Handlebars.create();
registerHelpers(hb);

/**
 * Name lookup along the context stack (compat mode): inside {{#each}} a name the item lacks is read
 * from the outer contexts, as in Jinja loops. Handlebars' own version skips null values (turning
 * them into undefined); this one takes the first context that has the name as an own property.
 * It is an object, not a function, so Handlebars does not wrap it as a helper taking options;
 * the compiler below emits `container.helpers.__scope.find(depths, name)` for such lookups.
 */
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

/** What the internal helpers share with the renderer; rendering is synchronous, so one slot each is enough. */
export const slots: { captured: unknown } = { captured: undefined };

/** `{{__capture expr}}` keeps the value of a single-expression template (its native type). */
hb.registerHelper('__capture', (value: unknown) => {
  slots.captured = value;
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

export const COMPILE_OPTIONS = {
  noEscape: true,
  // Inside {{#each}} a name that the item lacks falls back to the outer variables, as in Jinja loops.
  compat: true,
} as const;

/** Deny prototype properties and methods quietly (Handlebars would log a warning per name otherwise). */
export const RUNTIME_OPTIONS = { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false } as const;

