/**
 * Name rules: host, region and group names share one namespace (a pattern term must mean one
 * thing), avoid pattern characters, and `all` is taken. Variable names are identifiers so
 * templates can read them. Defensive about shapes: it runs alongside schema validation.
 */
import { ValidationError } from '../errors.js';
import type { Locate, Problems } from './problems.js';

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// `all` means every host; `regions` and `_meta` are keys of `omsplay inventory --list`.
const RESERVED = new Set(['all', 'regions', '_meta']);

const RESERVED_MEANING: Record<string, string> = {
  all: '`all` means every host in host patterns: choose another name',
  localhost: '`localhost` means the control node in host patterns: choose another name',
  regions: '`regions` is a key of `omsplay inventory --list`: choose another name',
  _meta: '`_meta` is a key of `omsplay inventory --list`: choose another name',
};

type Kind = 'region' | 'group' | 'host';

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

export function checkNames(raw: unknown, locate: Locate, problems: Problems): void {
  if (!isMap(raw)) return;
  const seen = new Map<string, { kind: Kind; path: (string | number)[] }>();
  const declare = (name: string, kind: Kind, path: (string | number)[]) => {
    const at = locate(path, 'key');
    if (!NAME.test(name)) {
      problems.add(
        new ValidationError(`${kind} name \`${name}\` is not a valid name`, {
          location: at,
          hint: 'use letters, digits, _, - and . only: : , & ! * ? [ ~ and spaces have meanings in host patterns',
        }),
      );
      return;
    }
    if (RESERVED.has(name) || (name === 'localhost' && kind !== 'host')) {
      problems.add(new ValidationError(`\`${name}\` cannot be a ${kind} name`, { location: at, hint: RESERVED_MEANING[name] }));
      return;
    }
    const before = seen.get(name);
    // Two hosts with the same name are reported by the region check (with both regions named).
    if (before && !(before.kind === 'host' && kind === 'host')) {
      const where = locate(before.path, 'key');
      problems.add(
        new ValidationError(`${kind} name \`${name}\` is already used by a ${before.kind} (line ${where.line})`, {
          location: at,
          hint: 'hosts, regions and groups share one namespace in host patterns: rename one of them',
        }),
      );
      return;
    }
    if (!before) seen.set(name, { kind, path });
  };

  checkVarNames(raw.vars, ['vars'], locate, problems);
  if (isMap(raw.regions)) {
    for (const [r, region] of Object.entries(raw.regions)) {
      declare(r, 'region', ['regions', r]);
      if (!isMap(region)) continue;
      checkVarNames(region.vars, ['regions', r, 'vars'], locate, problems);
      if (Array.isArray(region.hosts)) {
        const first = typeof region.hosts[0] === 'string' ? region.hosts[0] : 'oms-hz-1';
        problems.add(
          new ValidationError(`the hosts of region \`${r}\` must be a mapping, not a list`, {
            location: locate(['regions', r, 'hosts']),
            hint: `write each host as a key: \`${first}:\` alone, or \`${first}: {address: 10.0.0.11}\``,
          }),
        );
      }
      if (!isMap(region.hosts)) continue;
      for (const [h, host] of Object.entries(region.hosts)) {
        declare(h, 'host', ['regions', r, 'hosts', h]);
        if (isMap(host)) checkVarNames(host.vars, ['regions', r, 'hosts', h, 'vars'], locate, problems);
      }
    }
  }
  if (isMap(raw.groups)) {
    for (const [g, group] of Object.entries(raw.groups)) {
      declare(g, 'group', ['groups', g]);
      if (isMap(group)) checkVarNames(group.vars, ['groups', g, 'vars'], locate, problems);
    }
  }
}

function checkVarNames(vars: unknown, path: (string | number)[], locate: Locate, problems: Problems): void {
  if (!isMap(vars)) return;
  for (const k of Object.keys(vars)) {
    if (VAR_NAME.test(k)) continue;
    problems.add(
      new ValidationError(`variable name \`${k}\` is not an identifier`, {
        location: locate([...path, k], 'key'),
        hint: `templates read variables by name: use letters, digits and _ (e.g. ${k.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(\d)/, '_$1')})`,
      }),
    );
  }
}
