/**
 * oms.config: reads a region's OMS config.yaml from the host (the path the old container mounts at
 * /home/admin/conf/config.yaml) and returns what the upgrade needs: MetaDB address and user, the
 * rm/cm/heartbeat database names, the region and its cm_nodes. The MetaDB password is returned as
 * a value registered with the masker, so it never reaches output or the journal.
 */
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { TaskFailedError } from '../../errors.js';
import { readFile } from '../../commands/fs.js';
import { definePlanModule } from '../../plan/define.js';
import { type ReadViaContainer, readViaContainer } from '../support/read-via-container.js';

export interface SiteConfigArgs {
  path: string;
  container?: string;
}

const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));

/** Every password value in the file (gather() registers them for masking before anything is shown). */
export function configSecrets(text: string): string[] {
  let doc: Record<string, unknown>;
  try {
    doc = (parseYaml(text) ?? {}) as Record<string, unknown>;
  } catch {
    return [];
  }
  if (typeof doc !== 'object') return [];
  return Object.entries(doc)
    .filter(([k]) => /password/i.test(k))
    .map(([, v]) => str(v) ?? '')
    .filter(Boolean);
}

/**
 * How the file was read: its text, or why the read failed (`denied`: for lack of rights), and — when the read was
 * denied and the task has become — the read through the container that mounts it.
 */
export interface ConfigFacts {
  read: { text: string } | { rc: number | null; stderr: string; denied: boolean };
  become: boolean;
  container?: ReadViaContainer | { error: string };
}

/** The text to parse and where it came from, or why it could not be read. */
export function configText(args: SiteConfigArgs, facts: ConfigFacts, host: string): { text: string; via?: string } {
  const r = facts.read;
  if ('text' in r) return { text: r.text };
  const why = r.stderr.trim() || `exit ${r.rc}`;
  if (r.denied && facts.become) {
    const v = facts.container;
    if (v && !('error' in v)) return { text: v.text, via: `${v.container}:${v.inside}` };
    throw new TaskFailedError(`cannot read ${args.path} on ${host}: ${why}; nor through a container: ${v?.error ?? 'not tried'}`, { rc: r.rc }, {
      hint: 'let the login user read the file, or name the container that mounts it (container:), or allow the become user to read it',
    });
  }
  if (r.denied) {
    throw new TaskFailedError(`cannot read ${args.path} on ${host}: ${why}`, { rc: r.rc }, { hint: 'the login user may not read it: set become (with become_method sudo_direct it is read through the container that mounts it)' });
  }
  throw new TaskFailedError(`cannot read ${args.path} on ${host}: ${why}`, { rc: r.rc }, { hint: 'check the path of the config.yaml mount of the old container (docker inspect)' });
}

/**
 * The decision: the fields the upgrade needs from the file's text, or the error for invalid YAML or a missing key.
 */
export function siteConfig(args: SiteConfigArgs, text: string, via: string | undefined, host: string): Record<string, unknown> {
  let doc: Record<string, unknown>;
  try {
    doc = (parseYaml(text) ?? {}) as Record<string, unknown>;
  } catch (e) {
    throw new TaskFailedError(`${args.path} on ${host} is not valid YAML: ${(e as Error).message}`);
  }
  const password = str(doc.oms_meta_password) ?? '';
  const nodes = doc.cm_nodes;
  const cmNodes = Array.isArray(nodes) ? nodes.map(String) : typeof nodes === 'string' ? nodes.split(/[,\s]+/).filter(Boolean) : [];
  const keys = Object.fromEntries(Object.entries(doc).filter(([k]) => !/password/i.test(k)));
  const missing = ['oms_meta_host', 'oms_meta_port', 'oms_meta_user', 'drc_rm_db', 'drc_cm_db', 'drc_cm_heartbeat_db'].filter((k) => doc[k] === undefined);
  if (missing.length) throw new TaskFailedError(`${args.path} on ${host} lacks ${missing.join(', ')}`, { keys }, { hint: 'is this the OMS config.yaml the container mounts?' });
  return {
    path: args.path,
    meta_host: str(doc.oms_meta_host),
    meta_port: Number(doc.oms_meta_port),
    meta_user: str(doc.oms_meta_user),
    meta_password: password,
    rm_db: str(doc.drc_rm_db),
    cm_db: str(doc.drc_cm_db),
    heartbeat_db: str(doc.drc_cm_heartbeat_db),
    region: str(doc.cm_region),
    cm_location: str(doc.cm_location),
    cm_url: str(doc.cm_url),
    cm_is_default: str(doc.cm_is_default),
    cm_nodes: cmNodes,
    // The checksum of the bytes read: what sha256sum prints for the file, without a second read (or sudo).
    sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
    ...(via ? { read_via: via } : {}),
    keys,
  };
}

export const omsConfig = definePlanModule<SiteConfigArgs, ConfigFacts>({
  name: 'oms.config',
  summary: "Read a region's OMS config.yaml on the host (MetaDB, database names, region, cm_nodes)",
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['path'],
    properties: {
      path: { type: 'string', minLength: 1, description: 'Path of config.yaml on the host (the source of the /home/admin/conf/config.yaml mount)' },
      container: {
        type: 'string',
        minLength: 1,
        description: 'When the login user cannot read `path` (become_method sudo_direct, sudo for docker only): the container to read it through with `docker cp`. Default: any container that mounts `path`.',
      },
    },
  },
  checkMode: 'read_only',
  changedMeans: 'never: it only reads',
  result: [
    { name: 'meta_host / meta_port / meta_user', description: 'MetaDB address and user (oms_meta_host, oms_meta_port, oms_meta_user)' },
    { name: 'meta_password', description: 'MetaDB password (masked in every output)' },
    { name: 'rm_db / cm_db / heartbeat_db', description: 'drc_rm_db, drc_cm_db, drc_cm_heartbeat_db' },
    { name: 'region / cm_location / cm_url / cm_is_default', description: 'cm_region, cm_location, cm_url, cm_is_default' },
    { name: 'cm_nodes', description: 'list of node IPs of the region' },
    { name: 'sha256', description: 'checksum of the file (nodes of a region sharing one config have the same)' },
    { name: 'read_via', description: 'CONTAINER:PATH when the file was read through a container (the login user cannot read it), else absent' },
    { name: 'keys', description: 'every key of the file except passwords' },
  ],
  example: `- name: Read the region's config.yaml
  oms.config:
    path: /data/oms/config.yaml
  register: oms_cfg`,
  async gather(args, ctx) {
    const r = await ctx.exec({ argv: readFile(args.path) });
    const become = Boolean(ctx.become);
    if (r.exitCode === 0) {
      for (const v of configSecrets(r.stdout)) ctx.masker.add(v);
      return { read: { text: r.stdout }, become };
    }
    const read = { rc: r.exitCode, stderr: r.stderr, denied: /Permission denied/i.test(r.stderr) };
    if (!read.denied || !become) return { read, become };
    const container = await readViaContainer(ctx, args.path, args.container ? [args.container] : undefined);
    if (!('error' in container)) for (const v of configSecrets(container.text)) ctx.masker.add(v);
    return { read, become, container };
  },
  plan(args, facts, env) {
    const { text, via } = configText(args, facts, env.host);
    return { commands: [], result: siteConfig(args, text, via, env.host) };
  },
});
