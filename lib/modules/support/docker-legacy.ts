/**
 * Docker reads for modules that run() rather than plan (oms.health polls a container): the same
 * fact as the planning modules, through the run's cache when there is one.
 */
import type { DockerTarget } from '../../commands/docker.js';
import { type ContainerFacts, containerFact } from '../../facts/docker-container.js';
import { readFact } from '../../plan/facts.js';
import type { ModuleContext } from '../types.js';

/** Container facts, or null when there is no such container: read now (callers poll it), and kept for the run's later readers. */
export function readContainer(ctx: ModuleContext, name: string, target: DockerTarget): Promise<ContainerFacts | null> {
  return readFact(ctx, containerFact, { name, target }, { fresh: true });
}
