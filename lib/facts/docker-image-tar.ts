/**
 * Fact `docker.image_tar`: the tags and image ids a `docker save` tar holds, read from its
 * manifest.json without loading it. 'missing' when there is no such tar; null when the tar cannot
 * be read as one (left to `docker load` to report).
 */
import { readImageTarManifest } from '../commands/docker.js';
import type { Fact } from '../plan/types.js';

export interface TarImages {
  tags: string[];
  ids: string[];
}

/** Tags and image ids named by a `docker save` manifest.json. */
export function parseSaveManifest(text: string): TarImages {
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

export const imageTarFact: Fact<{ src: string }, TarImages | 'missing' | null> = {
  name: 'docker.image_tar',
  lifetime: 'run',
  command: (p) => ({ argv: readImageTarManifest(p.src), okExitCodes: 'any' }),
  parse(r) {
    if (r.exitCode !== 0) return /No such file|Cannot open/i.test(r.stderr) ? 'missing' : null;
    try {
      return parseSaveManifest(r.stdout);
    } catch {
      return null; // not a docker save manifest
    }
  },
};
