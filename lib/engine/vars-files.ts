/** vars_files of a play, read relative to the playbook that names them (later files win). */
import { dirname, resolve } from 'node:path';
import { loadYamlFile } from '../config/yaml.js';
import { ConfigError } from '../errors.js';
import type { Vars } from '../inventory/types.js';
import type { Play } from '../playbook/types.js';

export async function loadVarsFiles(play: Play): Promise<Vars> {
  const out: Vars = {};
  for (const f of play.varsFiles) {
    const file = await loadYamlFile(resolve(dirname(play.location.file), f), play.location);
    if (file.value === null || file.value === undefined) continue;
    if (typeof file.value !== 'object' || Array.isArray(file.value)) {
      throw new ConfigError(`vars file ${f} must hold a mapping of variables`, { location: play.location, hint: 'write `name: value` lines at the top level' });
    }
    Object.assign(out, file.value);
  }
  return out;
}
