/**
 * A play's vars_files per host: the engine's reading at play start (readVarsFiles) and the checks before a run
 * (templated names rendered per host with the inventory and -e, so a missing `v-{{ x }}.yml` is found before
 * anything connects or is journaled). Each file is found and read by renderThenLoad (files.ts), as the loader
 * reads the fixed names. Names are relative to the file of the play that names them.
 */
import type { YamlFile } from '../config/yaml.js';
import { isOmsplayError, type OmsplayError } from '../errors.js';
import { hostOrLocalhost } from '../inventory/localhost.js';
import type { Inventory, Vars } from '../inventory/types.js';
import type { Masker } from '../secrets.js';
import { referencedVariables } from '../template/index.js';
import { LoadSession, renderThenLoad, type VarsFile, varsFileRef } from './files.js';
import type { LoadedPlaybook } from './loaded.js';
import type { Play } from './types.js';
import { compose } from '../vars/precedence.js';

export type { VarsFile } from './files.js';

const NO_MODULES = new Map();

/** Every vars file of a play for one host, later files winning; files already read (same path) come from `cache`. */
export async function readVarsFiles(play: Play, vars: Vars, cache = new Map<string, Promise<VarsFile>>(), masker?: Masker): Promise<Vars> {
  const out: Vars = {};
  const session = new LoadSession(NO_MODULES);
  for (let i = 0; i < play.varsFiles.length; i++) Object.assign(out, (await renderThenLoad(varsFileRef(play, i), vars, session, { masker, cache })).values);
  return out;
}

/**
 * Before a run: templated vars_files names whose variables the inventory and -e define are rendered for
 * every host of their play and read, so a missing or malformed file is reported now (with the other
 * problems), and the names the files define take part in the undefined-variable checks. A name that needs a
 * value known only at run time (a fact) is left to the engine. Returns the problems found.
 */
export async function resolveTemplatedVarsFiles(loaded: LoadedPlaybook, inventory: Inventory, extraVars: Vars): Promise<OmsplayError[]> {
  const problems: OmsplayError[] = [];
  const visit = async (play: Play) => {
    if (play.varsFiles.some((n) => n.includes('{{'))) await resolvePlay(loaded, play, inventory, extraVars, problems);
    for (const f of play.onFailure) await visit(f);
  };
  for (const play of loaded.playbook.plays) await visit(play);
  return problems;
}

async function resolvePlay(loaded: LoadedPlaybook, play: Play, inventory: Inventory, extraVars: Vars, problems: OmsplayError[]): Promise<void> {
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
  loaded.varsFromFiles.set(play, { values, complete: true, files: [...files] });
}
