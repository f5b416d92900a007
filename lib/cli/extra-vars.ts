/** -e key=value, -e '{"json": 1}', -e @file.yml — later ones win, as in Ansible. */
import { resolve } from 'node:path';
import { loadYamlFile, parseYaml } from '../config/yaml.js';
import { OptionsError } from '../errors.js';
import type { Vars } from '../inventory/types.js';

export async function parseExtraVars(values: string[]): Promise<Vars> {
  const out: Vars = {};
  for (const v of values) {
    if (v.startsWith('@')) {
      const file = await loadYamlFile(resolve(v.slice(1)));
      if (!isMapping(file.value)) throw new OptionsError(`-e ${v}: the file must hold a mapping of variables`);
      Object.assign(out, file.value);
    } else if (/^\s*\{/.test(v)) {
      const doc = parseYaml(v, '-e');
      if (!isMapping(doc.value)) throw new OptionsError(`-e ${v}: expected a mapping`);
      Object.assign(out, doc.value);
    } else {
      for (const pair of splitPairs(v)) {
        const eq = pair.indexOf('=');
        if (eq <= 0) throw new OptionsError(`-e "${pair}": expected key=value, a JSON/YAML mapping, or @file`, { hint: '-e oms_target_version=4.0.0' });
        out[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
    }
  }
  return out;
}

function splitPairs(v: string): string[] {
  // "a=1 b=2" is two pairs; a value with spaces needs the JSON form.
  return v.includes('=') && /\s\w+=/.test(v) ? v.split(/\s+(?=\w+=)/) : [v];
}

function isMapping(v: unknown): v is Vars {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
