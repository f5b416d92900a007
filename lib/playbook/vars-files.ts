/**
 * vars_files: the one place a play's vars file is named, rendered, found and read. Used by the loader (fixed
 * names, at load time), by the checks before a run (templated names, rendered per host with the inventory
 * and -e, so a missing `v-{{ x }}.yml` is found before anything connects or is journaled) and by the engine
 * (per host at play start). Names are relative to the file of the play that names them.
 */
import { dirname, isAbsolute, join } from 'node:path';
import { loadYamlFile, type YamlFile } from '../config/yaml.js';
import { ConfigError, isOmsplayError, type OmsplayError, type SourceLocation, ValidationError } from '../errors.js';
import { hostOrLocalhost } from '../inventory/localhost.js';
import type { Inventory, Vars } from '../inventory/types.js';
import type { Masker } from '../secrets.js';
import { referencedVariables, renderValue } from '../template/index.js';
import { setVarsFromFiles, sourceOf } from './source.js';
import type { Play, Playbook } from './types.js';
import { compose } from '../vars/precedence.js';

export interface VarsFile {
  /** The path read. */
  file: string;
  yaml: YamlFile;
  values: Vars;
}

/** Where the i-th vars_files entry of a play is written (the play itself when its source is unknown). */
export function varsFileLocation(play: Play, i: number): SourceLocation {
  const src = sourceOf(play);
  if (!src) return play.location;
  const raw = src.yaml.locate([...src.path, 'vars_files']);
  return Array.isArray(valueAt(src.yaml.value, [...src.path, 'vars_files'])) ? src.yaml.locate([...src.path, 'vars_files', i]) : raw;
}

/** The path `name` stands for, its template rendered with `vars`. */
export function varsFilePath(play: Play, i: number, vars: Vars, masker?: Masker): string {
  const name = play.varsFiles[i]!;
  const at = varsFileLocation(play, i);
  const rendered = name.includes('{{') ? renderValue(name, vars, { location: at, task: `play "${play.name}" vars_files`, masker }) : name;
  if (typeof rendered !== 'string' || rendered === '') {
    throw new ValidationError(`vars file name \`${name}\` renders to ${rendered === '' ? 'an empty string' : JSON.stringify(rendered) ?? 'nothing'}`, { location: at, hint: 'vars_files entries are file names' });
  }
  return isAbsolute(rendered) ? rendered : join(dirname(play.location.file), rendered);
}

/** Reads the i-th vars file of a play; a missing or malformed file is an error at the entry that names it. */
export async function readVarsFile(play: Play, i: number, vars: Vars, masker?: Masker): Promise<VarsFile> {
  const name = play.varsFiles[i]!;
  const at = varsFileLocation(play, i);
  const file = varsFilePath(play, i, vars, masker);
  let yaml: YamlFile;
  try {
    yaml = await loadYamlFile(file);
  } catch (e) {
    if (!(e instanceof ConfigError) || e.location) throw e;
    const shown = name === file || !name.includes('{{') ? `\`${name}\`` : `\`${name}\` (${file.slice(dirname(play.location.file).length + 1) || file})`;
    throw new ConfigError(`vars file ${shown} ${e.message.replace(/^file \S+ /, '')} (${file})`, { location: at, hint: 'vars_files are relative to the playbook that names them' });
  }
  const v = yaml.value;
  if (v !== null && v !== undefined && (typeof v !== 'object' || Array.isArray(v))) {
    throw new ValidationError('a vars file is a mapping of variable names to values', { location: { file, line: 1, col: 1 }, hint: 'write `name: value` lines, without `- `' });
  }
  return { file, yaml, values: (v ?? {}) as Vars };
}

/** Every vars file of a play for one host, later files winning; files already read (same path) come from `cache`. */
export async function readVarsFiles(play: Play, vars: Vars, cache = new Map<string, Promise<VarsFile>>(), masker?: Masker): Promise<Vars> {
  const out: Vars = {};
  for (let i = 0; i < play.varsFiles.length; i++) {
    const path = varsFilePath(play, i, vars, masker);
    let p = cache.get(path);
    if (!p) {
      p = readVarsFile(play, i, vars, masker);
      cache.set(path, p);
    }
    Object.assign(out, (await p).values);
  }
  return out;
}

function valueAt(v: unknown, path: ReadonlyArray<string | number>): unknown {
  let cur = v;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

/**
 * Before a run: templated vars_files names whose variables the inventory and -e define are rendered for
 * every host of their play and read, so a missing or malformed file is reported now (with the other
 * problems), and the names the files define take part in the undefined-variable checks. A name that needs a
 * value known only at run time (a fact) is left to the engine. Returns the problems found.
 */
export async function resolveTemplatedVarsFiles(playbook: Playbook, inventory: Inventory, extraVars: Vars): Promise<OmsplayError[]> {
  const problems: OmsplayError[] = [];
  const visit = async (play: Play) => {
    if (play.varsFiles.some((n) => n.includes('{{'))) await resolvePlay(play, inventory, extraVars, problems);
    for (const f of play.onFailure) await visit(f);
  };
  for (const play of playbook.plays) await visit(play);
  return problems;
}

async function resolvePlay(play: Play, inventory: Inventory, extraVars: Vars, problems: OmsplayError[]): Promise<void> {
  let hosts: string[];
  try {
    hosts = play.hosts.includes('{{') ? [] : inventory.select(play.hosts);
  } catch {
    return; // the host pattern check reports it
  }
  const cache = new Map<string, Promise<VarsFile>>();
  const values: Vars = {};
  const files = new Set<YamlFile>();
  const before = problems.length;
  for (const h of hosts) {
    const vars = compose({ host: hostOrLocalhost(inventory, h)?.vars, play: play.vars, extra: extraVars });
    if (play.varsFiles.some((n) => [...referencedVariables(n, 'template')].some((v) => !(v in vars)))) return; // known at run time only
    try {
      Object.assign(values, await readVarsFiles(play, vars, cache));
    } catch (e) {
      if (!isOmsplayError(e)) throw e;
      if (!problems.some((p) => p.format() === e.format())) problems.push(e);
    }
  }
  if (problems.length > before || hosts.length === 0) return;
  for (const p of cache.values()) files.add((await p).yaml);
  setVarsFromFiles(play, { values, complete: true, files: [...files] });
}
