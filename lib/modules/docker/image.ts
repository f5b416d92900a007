/**
 * docker.image: load an image from a tar on the host (`docker load -i`), skipped when the image is
 * already there. Presence is known from `image` (a tag or id given by the task) or, failing that,
 * from the tar's own manifest.json (its tags and config digest = the image id).
 */
import { loadImage, readImageTarManifest } from '../../commands/docker.js';
import { fileSummary, parseFileSummary, pathExists } from '../../commands/fs.js';
import type { ModuleDefinition, ModuleResult } from '../types.js';
import { dockerError } from '../../commands/docker-errors.js';
import { readImage } from '../support/docker-legacy.js';
import { dockerHostProperty, dockerTarget } from '../support/docker-target.js';
import { failed } from '../support/failed.js';

export interface ImageArgs {
  src: string;
  image?: string;
  force?: boolean;
  sha256?: string;
  docker_host?: string;
}

/** Tags and image ids named by a `docker save` manifest.json. */
export function parseSaveManifest(text: string): { tags: string[]; ids: string[] } {
  const tags: string[] = [];
  const ids: string[] = [];
  const list = JSON.parse(text) as Array<{ Config?: string; RepoTags?: string[] | null }>;
  for (const m of list) {
    tags.push(...(m.RepoTags ?? []));
    // "blobs/sha256/<hex>" (OCI layout) or "<hex>.json" (older docker)
    const hex = /([0-9a-f]{64})(\.json)?$/.exec(m.Config ?? '');
    if (hex) ids.push(`sha256:${hex[1]}`);
  }
  return { tags, ids };
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

export const dockerImage: ModuleDefinition<ImageArgs> = {
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

  async run(args, ctx) {
    const t = dockerTarget(args, ctx);
    const wanted: { tags: string[]; ids: string[] } = { tags: [], ids: [] };
    if (args.image) wanted.tags.push(args.image);
    else {
      // manifest.json of the tar; a tar that cannot be read here is left to `docker load` to report.
      const r = await ctx.exec({ argv: readImageTarManifest(args.src) });
      if (r.exitCode === 0) {
        try {
          Object.assign(wanted, parseSaveManifest(r.stdout));
        } catch {
          /* not a docker save manifest */
        }
      } else if (/No such file|Cannot open/i.test(r.stderr)) {
        // In a --check run the tar may be staged by an earlier task that did not run.
        if (ctx.check) return { changed: true, src: args.src, tags: [], present_before: false, loaded: [], image_ids: [], msg: `would load ${args.src} (not on ${ctx.host} yet)` };
        throw failed(`image tar ${args.src} not found on ${ctx.host}`, { src: args.src });
      }
    }
    // Present = every tag the tar names is there (tags are what containers are created from);
    // a tar without tags is present when its image id is.
    const refs = wanted.tags.length ? wanted.tags : wanted.ids;
    const foundIds: string[] = [];
    for (const ref of refs) {
      const img = await readImage(ctx, ref, t);
      if (img) foundIds.push(img.id);
    }
    const presentBefore = refs.length > 0 && foundIds.length === refs.length;
    const base = { src: args.src, tags: wanted.tags, present_before: presentBefore };
    if (presentBefore && !args.force) {
      return { changed: false, ...base, loaded: [], image_ids: foundIds, msg: `image already present (${wanted.tags[0] ?? foundIds[0]})` };
    }
    const tarThere = (await ctx.exec({ argv: pathExists(args.src) })).exitCode === 0;
    if (!tarThere) {
      // In a --check run the tar may be staged by an earlier task that did not run.
      if (ctx.check) return { changed: true, ...base, loaded: [], image_ids: [], msg: `would load ${args.src} (not on ${ctx.host} yet)` };
      throw failed(`image tar ${args.src} not found on ${ctx.host}`, base);
    }
    if (args.sha256) {
      const r = await ctx.exec({ argv: fileSummary(args.src, { tailBytes: 1 }) });
      if (r.exitCode !== 0) throw failed(`cannot read ${args.src} on ${ctx.host}: ${r.stderr.trim()}`, base);
      const sum = parseFileSummary(r.stdout);
      if (sum.sha256 !== args.sha256) {
        throw failed(`image tar ${args.src} has sha256 ${sum.sha256}, expected ${args.sha256}`, { ...base, sha256: sum.sha256 }, 'copy the tar again');
      }
    }
    if (ctx.check) return { changed: true, ...base, loaded: [], image_ids: [], msg: `would load ${args.src}` };
    const argv = loadImage(args.src, t);
    const r = await ctx.exec({ argv });
    if (r.exitCode !== 0) {
      const e = dockerError(ctx.host, argv, r, `docker load -i ${args.src}`);
      if (/daemon is not running|not installed|permission denied/.test(e.message)) throw e;
      throw failed(
        `docker load -i ${args.src} failed on ${ctx.host}: ${r.stderr.trim().split('\n').slice(-2).join(' ')}`,
        { ...base, rc: r.exitCode, stderr: r.stderr },
        'the tar is probably corrupt or truncated: compare its sha256 with the original and copy it again',
      );
    }
    const out = parseLoadOutput(r.stdout);
    const res: ModuleResult = {
      changed: true,
      ...base,
      tags: out.tags.length ? out.tags : wanted.tags,
      loaded: out.tags,
      image_ids: out.ids.length ? out.ids : wanted.ids,
      stdout: r.stdout,
      msg: `loaded ${out.tags.join(', ') || out.ids.join(', ') || args.src}`,
    };
    return res;
  },
};
