/** `omsplay modules [NAME]`: the module list, or one module's arguments from its schema. */
import { ExitCode, OptionsError } from '../errors.js';
import { getModule, modules } from '../modules/index.js';
import type { Parsed } from './args.js';

export async function modulesCommand({ positionals }: Parsed<Record<string, never>>): Promise<number> {
  const [name] = positionals;
  if (!name) {
    const width = Math.max(...[...modules.keys()].map((k) => k.length));
    for (const m of modules.values()) process.stdout.write(`${m.name.padEnd(width)}  ${m.summary}\n`);
    return ExitCode.ok;
  }
  const m = getModule(name);
  if (!m) throw new OptionsError(`unknown module ${name}`, { hint: 'omsplay modules lists them' });
  const props = (m.schema.properties ?? {}) as Record<string, { type?: unknown; description?: string; default?: unknown }>;
  const required = new Set((m.schema.required as string[] | undefined) ?? []);
  process.stdout.write(`${m.name} — ${m.summary}\n\ncheck mode: ${m.checkMode}\nchanged: ${m.changedMeans}\n\narguments:\n`);
  for (const [k, p] of Object.entries(props)) {
    process.stdout.write(`  ${k}${required.has(k) ? ' (required)' : ''}: ${JSON.stringify(p.type ?? 'any')}${p.default !== undefined ? ` = ${JSON.stringify(p.default)}` : ''}  ${p.description ?? ''}\n`);
  }
  process.stdout.write(`\nexample:\n${m.example}\n`);
  return ExitCode.ok;
}
