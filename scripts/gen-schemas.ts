/**
 * `npm run schemas`: writes, from the module registry, one JSON Schema per module
 * (schemas/modules/<id>.schema.json, for editors and the playbook schema's $refs) and the module
 * reference (docs/modules.md, plus the module index between the README's
 * `<!-- modules:start -->` / `<!-- modules:end -->` markers). A unit test compares the files with
 * `generate()` so the docs cannot drift from the code.
 */
import { helperDocs } from '../lib/template/index.js';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { modules } from '../lib/modules/index.js';
import type { ModuleDefinition } from '../lib/modules/types.js';
import { isPlanModule } from '../lib/plan/define.js';
import { edgesTable, parseGraph } from '../lib/upgrade/graph.js';

type Json = Record<string, unknown>;

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SCHEMA_DIR = 'schemas/modules';
export const DOCS_FILE = 'docs/modules.md';
export const README_START = '<!-- modules:start -->';
export const README_END = '<!-- modules:end -->';

export function schemaFileName(name: string): string {
  return `${name}.schema.json`;
}

/** The shipped schema of one module: the definition's schema with the editor's metadata. */
export function moduleSchemaFile(m: ModuleDefinition): Json {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://omsplay.dev/schemas/modules/${schemaFileName(m.name)}`,
    title: `omsplay module ${m.name}`,
    description: m.summary,
    ...m.schema,
  };
}

const CHECK_MODE_LABEL: Record<ModuleDefinition['checkMode'], string> = {
  full: 'reports changes',
  read_only: 'runs (read-only)',
  none: 'skipped',
};

const CHECK_MODE_TEXT: Record<ModuleDefinition['checkMode'], string> = {
  full: 'supported: reads the current state and reports what it would change, changing nothing',
  read_only: 'runs as usual (it changes nothing)',
  none: 'not supported: skipped, with a message saying what it would do',
};

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n+/g, ' ');
}

function typeOf(s: unknown): string {
  if (!s || typeof s !== 'object') return 'any';
  const o = s as Json;
  if (Array.isArray(o.enum)) return o.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  const alts = (o.oneOf ?? o.anyOf) as unknown[] | undefined;
  if (Array.isArray(alts)) return alts.map(typeOf).join(' \\| ');
  if (o.type === 'array') return `list of ${typeOf(o.items)}`;
  if (o.type === 'object' && o.additionalProperties && typeof o.additionalProperties === 'object') return `mapping of ${typeOf(o.additionalProperties)}`;
  if (Array.isArray(o.type)) return o.type.join(' \\| ');
  if (typeof o.type === 'string') return o.type === 'object' ? 'mapping' : o.type;
  return 'any';
}

/** "yes", "no", or which alternatives make it required (top-level oneOf of `required` lists). */
function requiredText(schema: Json, prop: string): string {
  if (Array.isArray(schema.required) && schema.required.includes(prop)) return 'yes';
  const alts = schema.oneOf as Json[] | undefined;
  if (Array.isArray(alts) && alts.some((a) => Array.isArray(a.required) && a.required.includes(prop))) {
    const all = alts.flatMap((a) => (Array.isArray(a.required) ? (a.required as string[]) : []));
    return `one of ${[...new Set(all)].map((p) => `\`${p}\``).join(', ')}`;
  }
  return 'no';
}

export function moduleDoc(m: ModuleDefinition): string {
  const schema = m.schema as Json;
  const props = (schema.properties ?? {}) as Record<string, Json>;
  const out: string[] = [];
  out.push(`<a id="module-${m.name.replace(/\./g, '-')}"></a>`, `### \`${m.name}\``, '', m.summary, '');
  if (m.freeForm) out.push(`Short form: \`${m.name}: <string>\` sets \`${m.freeForm}\`.`, '');
  const names = Object.keys(props);
  if (names.length > 0) {
    out.push('| Argument | Type | Required | Default | Description |', '| --- | --- | --- | --- | --- |');
    for (const name of names) {
      const p = props[name]!;
      const def = p.default === undefined ? '' : `\`${JSON.stringify(p.default)}\``;
      out.push(`| \`${name}\` | ${typeOf(p)} | ${requiredText(schema, name)} | ${def} | ${cell(String(p.description ?? ''))} |`);
    }
  } else {
    out.push(`Arguments: ${cell(String(schema.description ?? 'free-form mapping'))}`);
  }
  if (typeof schema.errorMessage === 'string') out.push('', `Arguments must be ${schema.errorMessage}.`);
  out.push('');
  out.push(`**Check mode:** ${CHECK_MODE_TEXT[m.checkMode]}.`, '', `**Changed:** ${m.changedMeans}`, '');
  if (isPlanModule(m)) {
    out.push(
      `**Plans:** reads the host's state first, then runs the commands its plan holds, in order (under \`--check\` it runs none and lists them in the result's \`planned\`). Its decisions are the cases in \`test/modules/${m.name}/\`.`,
      '',
    );
  }
  out.push('**Result** (what `register` gets, besides `changed`, `failed`, `skipped`, `msg`):', '');
  out.push('| Field | Description |', '| --- | --- |');
  for (const f of m.result) out.push(`| \`${f.name}\` | ${cell(f.description)} |`);
  out.push('', '```yaml', m.example.trim(), '```', '');
  return out.join('\n');
}

export function modulesDoc(list: ModuleDefinition[]): string {
  return [
    '# omsplay modules',
    '',
    '<!-- Generated by `npm run schemas` (scripts/gen-schemas.ts) from lib/modules/; do not edit by hand. -->',
    '',
    'Every task names exactly one module. Arguments are checked against the module\'s JSON Schema',
    `(\`${SCHEMA_DIR}/<module>.schema.json\`) before anything runs; every string argument is a Handlebars template.`,
    '',
    moduleIndex(list, ''),
    '',
    ...list.map(moduleDoc),
  ].join('\n');
}

/** The table of modules (also placed in the README), linking into docs/modules.md. */
export function moduleIndex(list: ModuleDefinition[], docPath: string): string {
  const rows = list.map((m) => `| [\`${m.name}\`](${docPath}#module-${m.name.replace(/\./g, '-')}) | ${cell(m.summary)} | ${CHECK_MODE_LABEL[m.checkMode]} |`);
  return ['| Module | What it does | Check mode |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The README with its module index regenerated; unchanged when the markers are absent. */
export function readmeWithIndex(readme: string, list: ModuleDefinition[]): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) return readme;
  const body = `\n${moduleIndex(list, DOCS_FILE)}\n\nFull reference, arguments and results: [${DOCS_FILE}](${DOCS_FILE}).\n`;
  return readme.slice(0, start + README_START.length) + body + readme.slice(end);
}

export const HELPERS_START = '<!-- helpers:start -->';
export const HELPERS_END = '<!-- helpers:end -->';

/** The README with its template-helper table regenerated from lib/template's helperDocs(). */
export function readmeWithHelpers(readme: string): string {
  const start = readme.indexOf(HELPERS_START);
  const end = readme.indexOf(HELPERS_END);
  if (start < 0 || end < start) return readme;
  const rows = helperDocs().map((h) => `| \`${cell(h.usage)}\` | ${cell(h.summary)} |`);
  const body = `\n${['| Helper | What it gives |', '| --- | --- |', ...rows].join('\n')}\n`;
  return readme.slice(0, start + HELPERS_START.length) + body + readme.slice(end);
}

export const GRAPH_FILE = 'playbooks/vars/upgrade-graph.yml';
export const GRAPH_START = '<!-- upgrade-graph:start -->';
export const GRAPH_END = '<!-- upgrade-graph:end -->';

/** The README with its table of supported upgrades regenerated from the upgrade graph's data file. */
export function readmeWithUpgradeGraph(readme: string, graphYaml: string): string {
  const start = readme.indexOf(GRAPH_START);
  const end = readme.indexOf(GRAPH_END);
  if (start < 0 || end < start) return readme;
  const graph = parseGraph((parseYaml(graphYaml) as { oms_upgrade_graph?: unknown } | null)?.oms_upgrade_graph);
  const body = `\n<!-- Generated by \`npm run schemas\` from ${GRAPH_FILE}; do not edit by hand. -->\n${edgesTable(graph)}\n`;
  return readme.slice(0, start + GRAPH_START.length) + body + readme.slice(end);
}

/** Every generated file: repo-relative path -> content. */
export function generate(list: ModuleDefinition[] = [...modules.values()]): Map<string, string> {
  const files = new Map<string, string>();
  for (const m of list) files.set(`${SCHEMA_DIR}/${schemaFileName(m.name)}`, `${JSON.stringify(moduleSchemaFile(m), null, 2)}\n`);
  files.set(DOCS_FILE, modulesDoc(list));
  const readmePath = join(ROOT, 'README.md');
  if (existsSync(readmePath)) {
    const readme = readFileSync(readmePath, 'utf8');
    const graphYaml = readFileSync(join(ROOT, GRAPH_FILE), 'utf8');
    const next = readmeWithUpgradeGraph(readmeWithHelpers(readmeWithIndex(readme, list)), graphYaml);
    if (next !== readme || readme.includes(README_START)) files.set('README.md', next);
  }
  return files;
}

/** Schema files on disk that no module produces any more. */
export function staleSchemaFiles(files: Map<string, string>): string[] {
  const dir = join(ROOT, SCHEMA_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => `${SCHEMA_DIR}/${f}`)
    .filter((p) => !files.has(p));
}

function main(): void {
  const files = generate();
  let written = 0;
  for (const [rel, content] of files) {
    const abs = join(ROOT, rel);
    if (existsSync(abs) && readFileSync(abs, 'utf8') === content) continue;
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content);
    written++;
    console.log(`wrote ${rel}`);
  }
  for (const rel of staleSchemaFiles(files)) {
    rmSync(join(ROOT, rel));
    console.log(`removed ${rel}`);
  }
  console.log(`${files.size} files generated, ${written} changed`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
