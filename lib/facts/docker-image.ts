/**
 * Fact `docker.image`: an image's id, tags and env from `docker image inspect`, or null when the
 * host does not have it. Lifetime 'run': images change only when a task loads or removes one.
 */
import { type DockerTarget, inspectImage } from '../commands/docker.js';
import { dockerError, isNotFound } from '../commands/docker-errors.js';
import type { Fact } from '../plan/types.js';
import { envToMap } from './docker-container.js';

export interface ImageFacts {
  id: string;
  tags: string[];
  env: Record<string, string>;
}

export interface ImageParams {
  ref: string;
  target: DockerTarget;
}

export const imageFact: Fact<ImageParams, ImageFacts | null> = {
  name: 'docker.image',
  lifetime: 'run',
  command: (p) => ({ argv: inspectImage(p.ref, p.target), okExitCodes: 'any' }),
  parse(r, p, host) {
    if (isNotFound(r)) return null;
    if (r.exitCode !== 0) throw dockerError(host, inspectImage(p.ref, p.target), r, `docker image inspect ${p.ref}`);
    const list = JSON.parse(r.stdout);
    if (!Array.isArray(list) || list.length === 0) return null;
    return { id: list[0].Id, tags: list[0].RepoTags ?? [], env: envToMap(list[0].Config?.Env) };
  },
};
