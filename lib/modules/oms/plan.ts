/**
 * oms.plan: plans the upgrade before anything changes. From the site's version (read from the old container) to the
 * target, the shortest documented path on the upgrade graph (playbooks/vars/upgrade-graph.yml), each hop with its
 * procedure family and the image tar it loads. Refuses, with the reason, an undocumented path, an unknown target, a
 * hop without a tar (or whose tar is not on the host), and what the playbook does not perform yet (families, hops).
 */
import { TaskFailedError } from '../../errors.js';
import { GraphError, parseGraph } from '../../upgrade/graph.js';
import { formatPath, type Hop, planPath } from '../../upgrade/plan.js';
import { fileSummaryFact, isFileFact, isReadableFact } from '../../facts/file.js';
import { definePlanModule } from '../../plan/define.js';

export interface PlanArgs {
  graph: unknown;
  from: string;
  to: string;
  image_tars?: Record<string, string>;
  image_tar?: string;
  image_sha256s?: Record<string, string>;
  families?: string[];
  max_hops?: number;
  check_tars?: boolean;
}

export interface PlannedHop extends Hop {
  image_tar: string;
}

/**
 * The tar of each hop: the map's entry for the hop's target; a single-hop path may use the single tar instead
 * (a multi-hop path names every tar in the map: one archive cannot be the right one for several hops).
 */
export function tarsFor(hops: Hop[], tars: Record<string, string>, single: string | undefined): { hops: PlannedHop[]; missing: Hop[] } {
  const missing: Hop[] = [];
  const planned = hops.map((h) => {
    const tar = tars[h.to] ?? (hops.length === 1 && single ? single : '');
    if (!tar) missing.push(h);
    return { ...h, image_tar: tar };
  });
  return { hops: planned, missing };
}

/** The plan as printed before the first change: one line per hop. */
export function planLines(hops: PlannedHop[]): string[] {
  return hops.map((h, i) => `hop ${i + 1}/${hops.length}: ${h.from} → ${h.to}  family ${h.family}  image ${h.image_tar || '(none)'}${h.guide ? `  (${h.guide})` : ''}`);
}

/** The upgrade graph parsed, or a task failure naming what is wrong with it. */
function graphOf(args: PlanArgs): ReturnType<typeof parseGraph> {
  try {
    return parseGraph(args.graph);
  } catch (e) {
    if (e instanceof GraphError) throw new TaskFailedError(`the upgrade graph is invalid: ${e.message}`, {}, { hint: 'check playbooks/vars/upgrade-graph.yml' });
    throw e;
  }
}

/** The tars whose presence on the host the plan needs (none when check_tars is off or the path cannot be planned). */
export function tarsToCheck(args: PlanArgs): string[] {
  if (args.check_tars === false) return [];
  let graph: ReturnType<typeof parseGraph>;
  try {
    graph = parseGraph(args.graph);
  } catch {
    return [];
  }
  const plan = planPath(graph, args.from, args.to);
  if (!plan.ok) return [];
  const { hops, missing } = tarsFor(plan.hops, args.image_tars ?? {}, args.image_tar);
  return missing.length ? [] : [...new Set(hops.map((h) => h.image_tar))];
}

/**
 * The decision, from the arguments and which tars are files on the host (`facts.tars`, path -> present): the path
 * and its hops, or a task failure with the reason and the plan as far as it got.
 */
/** Which image tars are files on the host (path -> present), which of them the login user reads, and the sha256 of
 *  those whose checksum the inventory gives (`oms_image_sha256s`). */
export interface UpgradeFacts {
  tars: Record<string, boolean>;
  readable?: Record<string, boolean>;
  sha256s?: Record<string, string | null>;
}

/** tar path -> the sha256 the inventory expects for it (lower case), for the hops that have one. */
export function wantedSha256s(args: PlanArgs): Record<string, string> {
  const out: Record<string, string> = {};
  if (!args.image_sha256s) return out;
  let graph: ReturnType<typeof parseGraph>;
  try {
    graph = parseGraph(args.graph);
  } catch {
    return out;
  }
  const plan = planPath(graph, args.from, args.to);
  if (!plan.ok) return out;
  for (const h of tarsFor(plan.hops, args.image_tars ?? {}, args.image_tar).hops) {
    const want = args.image_sha256s[h.to]?.trim().toLowerCase();
    if (want && h.image_tar) out[h.image_tar] = want;
  }
  return out;
}

export function planUpgrade(args: PlanArgs, facts: UpgradeFacts, host: string): Record<string, unknown> {
  const plan = planPath(graphOf(args), args.from, args.to);
  if (!plan.ok) throw new TaskFailedError(`cannot upgrade ${plan.from} to ${plan.to}: ${plan.reason}`, { from: plan.from, to: plan.to, hops: [] }, plan.hint ? { hint: plan.hint } : {});

  const { hops, missing } = tarsFor(plan.hops, args.image_tars ?? {}, args.image_tar);
  const path = formatPath(hops);
  const planned = { from: plan.from, to: plan.to, hops, first_hop: hops[0], path, families: hops.map((h) => h.family), lines: planLines(hops), ...(plan.note ? { note: plan.note } : {}) };
  const fail = (msg: string, hint: string): never => {
    throw new TaskFailedError(`${msg}\nplan: ${path}\n${planned.lines.join('\n')}`, planned, { hint });
  };
  if (missing.length) {
    fail(
      `no image tar for ${missing.map((h) => `hop ${h.from} → ${h.to}`).join(', ')} of the path ${path}`,
      `set oms_image_tars: {${missing.map((h) => `"${h.to}": /path/on/the/host/oms-${h.to}.tar`).join(', ')}}`,
    );
  }
  if (args.check_tars !== false) {
    const absent = hops.filter((h) => facts.tars[h.image_tar] !== true).map((h) => `${h.image_tar} (hop ${h.from} → ${h.to})`);
    if (absent.length) fail(`image tar not found on ${host}: ${absent.join(', ')}`, 'copy the archives to every host first, or set oms_image_tar_local to stage one from this machine');
    const unreadable = hops.filter((h) => facts.readable?.[h.image_tar] === false).map((h) => `${h.image_tar} (hop ${h.from} → ${h.to})`);
    if (unreadable.length) fail(`image tar not readable on ${host}: ${unreadable.join(', ')}`, 'the SSH user reads the archive (sha256sum before docker load): fix its mode or owner');
    // A checksum given for a hop's tar is checked now: a damaged archive found here changes nothing.
    const wanted = wantedSha256s(args);
    const wrong = hops
      .filter((h) => wanted[h.image_tar] !== undefined && facts.sha256s?.[h.image_tar] !== wanted[h.image_tar])
      .map((h) => `${h.image_tar} (hop ${h.from} → ${h.to}): sha256 ${facts.sha256s?.[h.image_tar] ?? '?'}, expected ${wanted[h.image_tar]}`);
    if (wrong.length) fail(`image tar checksum mismatch on ${host}: ${wrong.join(', ')}`, 'copy the archive again (or fix oms_image_sha256s)');
  }
  const families = args.families;
  const unsupported = families ? hops.filter((h) => !families.includes(h.family)) : [];
  if (unsupported.length) {
    fail(
      `${unsupported.map((h) => `hop ${h.from} → ${h.to} follows procedure family ${h.family}`).join('; ')}, which this playbook does not perform yet (it performs ${families!.join(', ')})`,
      'the supported upgrades and their families are in the README, "Supported upgrades"',
    );
  }
  if (args.max_hops !== undefined && hops.length > args.max_hops) {
    fail(
      `${plan.note ?? `the path ${path} has ${hops.length} hops`}; this playbook performs at most ${args.max_hops} hop${args.max_hops === 1 ? '' : 's'} per run`,
      `upgrade one hop at a time: first oms_target_version=${hops[0]!.to}`,
    );
  }
  return { msg: [`plan: ${path}`, ...planned.lines, ...(plan.note ? [plan.note] : [])].join('\n'), ...planned };
}

export const omsPlan = definePlanModule<PlanArgs, UpgradeFacts>({
  name: 'oms.plan',
  summary:
    "Plan an OMS upgrade on the upgrade graph: the shortest documented path from the site's version to the target, each hop's procedure family and image tar; refuses an undocumented path, an unknown target or a missing tar, with the reason.",
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['graph', 'from', 'to'],
    properties: {
      graph: { type: 'object', description: 'The upgrade graph (`oms_upgrade_graph` of playbooks/vars/upgrade-graph.yml): targets with family and from, and versions that are never targets.' },
      from: { type: 'string', description: "The site's version, read from the site (e.g. the old container's image tag), not from the inventory." },
      to: { type: 'string', description: 'The target version (`oms_target_version`).' },
      image_tars: { type: 'object', additionalProperties: { type: 'string' }, description: 'Image tar on the host for each version a hop goes to (version -> path).' },
      image_tar: { type: 'string', description: 'Image tar of a single-hop path when `image_tars` has no entry for the target (the setting `oms_image_tar`).' },
      image_sha256s: { type: 'object', additionalProperties: { type: 'string' }, description: "sha256 of a hop's image tar, by the version it goes to (`oms_image_sha256s`): checked on the host before the first change." },
      families: { type: 'array', items: { type: 'string' }, description: 'Procedure families the playbook performs; a hop of another family is refused. Default: every family.' },
      max_hops: { type: 'integer', minimum: 1, description: 'Most hops one run performs; a longer path is refused, naming it. Default: no limit.' },
      check_tars: { type: 'boolean', default: true, description: "Check that each hop's tar is a file on the host (off when the tars are staged later from the control node)." },
    },
  },
  checkMode: 'read_only',
  changedMeans: 'never: it only reads',
  result: [
    { name: 'from / to', description: "the site's version and the target, normalised (4.2.1)" },
    { name: 'hops', description: 'list of {from, to, family, guide, image_tar}, in order' },
    { name: 'first_hop', description: 'the first hop (what one run performs while runs are single-hop)' },
    { name: 'path', description: 'the path as text: 4.2.0 → 4.2.1 → 4.2.2' },
    { name: 'families', description: 'the families of the hops, in order' },
    { name: 'lines', description: 'the plan, one line per hop, as printed' },
    { name: 'note', description: 'when the direct upgrade is undocumented: why the path goes through other versions' },
  ],
  example: `- name: "Preflight: plan the upgrade path"
  oms.plan:
    graph: "{{ oms_upgrade_graph }}"
    from: "{{ old_version }}"
    to: "{{ oms_target_version }}"
    image_tars: "{{ default oms_image_tars (dict) }}"
    families: [B]
  register: plan`,
  async gather(args, ctx) {
    const tars: Record<string, boolean> = {};
    const readable: Record<string, boolean> = {};
    const sha256s: Record<string, string | null> = {};
    const wanted = wantedSha256s(args);
    for (const tar of tarsToCheck(args)) {
      tars[tar] = await ctx.facts.get(isFileFact, { path: tar });
      if (!tars[tar]) continue;
      readable[tar] = await ctx.facts.get(isReadableFact, { path: tar });
      // Reads the whole archive: only for a tar whose checksum the inventory gives.
      if (readable[tar] && wanted[tar]) sha256s[tar] = (await ctx.facts.get(fileSummaryFact, { path: tar, tailBytes: 1 }))?.sha256 ?? null;
    }
    return { tars, readable, sha256s };
  },
  plan: (args, facts, env) => ({ commands: [], result: planUpgrade(args, facts, env.host) }),
});
