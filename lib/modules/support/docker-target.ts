/** Which docker daemon a docker.* task talks to: the `docker_host` argument, else the host variable. */
import type { DockerTarget } from '../../commands/docker.js';
import type { Vars } from '../../inventory/types.js';

/** `docker_host` argument, else the host variable `docker_host`. */
export function dockerTarget(args: { docker_host?: string }, ctx: { vars: Vars }): DockerTarget {
  const h = args.docker_host ?? (typeof ctx.vars.docker_host === 'string' ? ctx.vars.docker_host : undefined);
  return h ? { dockerHost: h } : {};
}

/** Schema fragment shared by every docker module. */
export const dockerHostProperty = {
  type: 'string',
  description: 'Docker daemon address for `docker -H` (e.g. unix:///run/docker.sock). Default: the host variable `docker_host`, else the CLI default.',
} as const;
