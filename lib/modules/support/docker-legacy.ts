/**
 * Docker reads and commands for modules that still run() rather than plan (oms.health, and the
 * docker modules until converted): the same facts as the planning modules, through the run's cache.
 */
import type { DockerTarget } from '../../commands/docker.js';
import { dockerError } from '../../commands/docker-errors.js';
import type { ExecResult } from '../../connection/types.js';
import { type ContainerFacts, containerFact } from '../../facts/docker-container.js';
import { type ImageFacts, imageFact } from '../../facts/docker-image.js';
import { readFact } from '../../plan/facts.js';
import type { ModuleContext } from '../types.js';

/** Runs a docker command; throws the meaningful error on failure. */
export async function docker(ctx: ModuleContext, argv: string[], what: string): Promise<ExecResult> {
  const r = await ctx.exec({ argv });
  if (r.exitCode !== 0) throw dockerError(ctx.host, argv, r, what);
  return r;
}

/** Container facts, or null when there is no such container. */
export function readContainer(ctx: ModuleContext, name: string, target: DockerTarget): Promise<ContainerFacts | null> {
  return readFact(ctx, containerFact, { name, target });
}

export function readImage(ctx: ModuleContext, ref: string, target: DockerTarget): Promise<ImageFacts | null> {
  return readFact(ctx, imageFact, { ref, target });
}
