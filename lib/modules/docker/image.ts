/**
 * docker.image: load an image from a tar on the host (`docker load -i`), skipped when the image is
 * already there. Presence is known from `image` (a tag or id given by the task) or, failing that,
 * from the tar's own manifest.json (its tags and config digest = the image id).
 */
import { type DockerTarget, loadImage } from '../../commands/docker.js';
import { dockerError, isDaemonUnreachable, isDockerMissing } from '../../commands/docker-errors.js';
import type { FileSummary } from '../../commands/fs.js';
import { type ImageFacts, imageFact } from '../../facts/docker-image.js';
import { type TarImages, imageTarFact } from '../../facts/docker-image-tar.js';
import { fileSummaryFact, pathExistsFact } from '../../facts/file.js';
import { definePlanModule } from '../../plan/define.js';
import type { Plan } from '../../plan/types.js';
import { dockerHostProperty, dockerTarget } from '../support/docker-target.js';
import { failed } from '../support/failed.js';

export interface ImageArgs {
  src: string;
  image?: string;
  force?: boolean;
  sha256?: string;
  docker_host?: string;
}

/** `Loaded image: repo:tag` and `Loaded image ID: sha256:...` lines of `docker load`. */
export function parseLoadOutput(out: string): { tags: string[]; ids: string[] } {
  const tags: string[] = [];
  const ids: string[] = [];
  for (const line of out.split('\n')) {
    const id = /^Loaded image ID:\s*(\S+)/.exec(line);
    if (id) ids.push(id[1]!);
    else {
      const tag = /^Loaded image:\s*(\S+)/.exec(line);
      if (tag) tags.push(tag[1]!);
    }
  }
  return { tags, ids };
}

export const dockerImage = definePlanModule<ImageArgs, ImageState>({
  name: 'docker.image',
  summary: 'Load a docker image from a tar file on the host (docker load -i), skipping it when already present.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['src'],
    properties: {
      src: { type: 'string', description: 'Path of the image tar on the host (made by `docker save`).' },
      image: { type: 'string', description: 'Tag or id the tar holds; when present on the host, loading is skipped without reading the tar. Default: read from the tar manifest.' },
      force: { type: 'boolean', default: false, description: 'Load even when the image is present.' },
      sha256: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'Expected sha256 of the tar; checked before loading.' },
      docker_host: dockerHostProperty,
    },
  },
  checkMode: 'full',
  changedMeans: 'the tar was loaded (the image was absent, or force). Present images are skipped (changed false).',
  result: [
    { name: 'loaded', description: 'Tags reported by `docker load` (empty when skipped).' },
    { name: 'image_ids', description: 'Image ids loaded or found.' },
    { name: 'tags', description: 'Tags the tar holds (from its manifest or the load output).' },
    { name: 'present_before', description: 'Whether the image was already on the host.' },
  ],
  example: `- name: Load the new OMS image
  docker.image:
    src: /data/oms/oms_4.0.0.tar.gz
    image: "oms-all-in-one:feature_4.0.0-ce"`,

  async gather(args, ctx) {
    const target = dockerTarget(args, ctx);
    // What the tar holds: the task's `image`, else the tar's own manifest.
    const tar = args.image ? { tags: [args.image], ids: [] } : await ctx.facts.get(imageTarFact, { src: args.src });
    const images: Record<string, ImageFacts | null> = {};
    for (const ref of refsOf(tar)) images[ref] = await ctx.facts.get(imageFact, { ref, target });
    const state: ImageState = { target, tar, images };
    if (presentBefore(state) && !args.force) return state;
    if (tar === 'missing') return state;
    state.tarExists = await ctx.facts.get(pathExistsFact, { path: args.src });
    // The checksum reads the whole tar: only when it is about to be loaded.
    if (args.sha256 && state.tarExists) state.tarSummary = await ctx.facts.get(fileSummaryFact, { path: args.src, tailBytes: 1 });
    return state;
  },

  plan(args, facts, env): Plan {
    const tar = facts.tar === 'missing' || facts.tar === null ? { tags: [], ids: [] } : facts.tar;
    const found = refsOf(facts.tar)
      .map((ref) => facts.images[ref]?.id)
      .filter((id): id is string => Boolean(id));
    const before = presentBefore(facts);
    const base = { src: args.src, tags: tar.tags, present_before: before };
    if (before && !args.force) {
      return { commands: [], result: { ...base, loaded: [], image_ids: found, msg: `image already present (${tar.tags[0] ?? found[0]})` } };
    }
    const argv = loadImage(args.src, facts.target ?? {});
    const what = `docker load -i ${args.src}`;
    const plan: Plan = {
      commands: [{ argv, what, failure: (r, host) => loadFailure(args.src, argv, r, host, base) }],
      result: { ...base, loaded: [], image_ids: tar.ids, msg: `load ${args.src}` },
      // A load adds images; the tar itself is unchanged.
      invalidates: [{ fact: imageFact }],
    };
    if (facts.tar === 'missing' || facts.tarExists === false) {
      // In a --check run the tar may be staged by an earlier task that did not run.
      return { ...plan, unmet: { msg: `image tar ${args.src} not found on ${env.host}`, check: `not on ${env.host} yet` } };
    }
    const sum = facts.tarSummary;
    if (args.sha256 && sum && sum.sha256 !== args.sha256) {
      throw failed(`image tar ${args.src} has sha256 ${sum.sha256}, expected ${args.sha256}`, { ...base, sha256: sum.sha256 }, 'copy the tar again');
    }
    return plan;
  },

  finish({ plan, outputs }) {
    const r = outputs[0]!;
    const wanted = plan.result.tags as string[];
    const out = parseLoadOutput(r.stdout);
    return {
      ...plan.result,
      tags: out.tags.length ? out.tags : wanted,
      loaded: out.tags,
      image_ids: out.ids.length ? out.ids : plan.result.image_ids,
      stdout: r.stdout,
      msg: `loaded ${out.tags.join(', ') || out.ids.join(', ') || plan.result.src}`,
    };
  },
});

/** What docker.image reads: what the tar holds, whether those images are there, and the tar itself. */
interface ImageState {
  target?: DockerTarget;
  tar: TarImages | 'missing' | null;
  /** ref (tag, else id) -> the image on the host, or null. */
  images: Record<string, ImageFacts | null>;
  tarExists?: boolean;
  tarSummary?: FileSummary | null;
}

/** Present = every tag the tar names is there (tags are what containers are created from); a tar without tags is present when its image id is. */
function refsOf(tar: ImageState['tar']): string[] {
  if (tar === 'missing' || tar === null) return [];
  return tar.tags.length ? tar.tags : tar.ids;
}

function presentBefore(f: ImageState): boolean {
  const refs = refsOf(f.tar);
  return refs.length > 0 && refs.every((ref) => Boolean(f.images[ref]));
}

/** docker's own trouble (no CLI, no daemon, no permission) as such; anything else is a bad tar. */
function loadFailure(src: string, argv: string[], r: import('../../connection/types.js').ExecResult, host: string, base: Record<string, unknown>): Error {
  if (isDockerMissing(r) || isDaemonUnreachable(r)) return dockerError(host, argv, r, `docker load -i ${src}`);
  return failed(
    `docker load -i ${src} failed on ${host}: ${r.stderr.trim().split('\n').slice(-2).join(' ')}`,
    { ...base, rc: r.exitCode, stderr: r.stderr },
    'the tar is probably corrupt or truncated: compare its sha256 with the original and copy it again',
  );
}
