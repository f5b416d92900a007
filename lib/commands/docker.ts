/**
 * Pure builders of docker CLI commands (argv arrays). Running them is the modules' job; these
 * functions only decide the words, so they are unit-tested without a daemon.
 */

/** Where the docker CLI talks to: `-H unix:///...` when the daemon is not on the default socket. */
export interface DockerTarget {
  dockerHost?: string;
}

export function dockerBase(t: DockerTarget = {}): string[] {
  return t.dockerHost ? ['docker', '-H', t.dockerHost] : ['docker'];
}

export function inspectContainer(name: string, t?: DockerTarget): string[] {
  return [...dockerBase(t), 'container', 'inspect', '--', name];
}

export function inspectImage(ref: string, t?: DockerTarget): string[] {
  return [...dockerBase(t), 'image', 'inspect', '--', ref];
}

/** A volume/bind as docker's `-v` takes it: `SRC:DST[:MODE]`. */
export interface VolumeSpec {
  source: string;
  destination: string;
  mode?: string;
}

export interface ContainerSpec {
  name: string;
  image: string;
  networkMode?: string;
  volumes?: VolumeSpec[];
  env?: Record<string, string>;
  /** Env passed through `--env-file` instead of `-e` (values that must not reach argv). */
  envFile?: string;
  privileged?: boolean;
  pidsLimit?: number;
  /** `NAME=SOFT[:HARD]` */
  ulimits?: string[];
  restartPolicy?: string;
  extraArgs?: string[];
  command?: string[];
}

export function volumeArg(v: VolumeSpec): string {
  return v.mode ? `${v.source}:${v.destination}:${v.mode}` : `${v.source}:${v.destination}`;
}

/** Options shared by `docker run` and `docker create`. */
function createOptions(spec: ContainerSpec): string[] {
  const a: string[] = ['--name', spec.name];
  if (spec.networkMode) a.push('--network', spec.networkMode);
  for (const v of spec.volumes ?? []) a.push('-v', volumeArg(v));
  if (spec.envFile) a.push('--env-file', spec.envFile);
  else for (const [k, v] of Object.entries(spec.env ?? {})) a.push('-e', `${k}=${v}`);
  if (spec.privileged) a.push('--privileged');
  if (spec.pidsLimit !== undefined) a.push(`--pids-limit=${spec.pidsLimit}`);
  for (const u of spec.ulimits ?? []) a.push('--ulimit', u);
  if (spec.restartPolicy) a.push('--restart', spec.restartPolicy);
  a.push(...(spec.extraArgs ?? []));
  a.push('--', spec.image, ...(spec.command ?? []));
  return a;
}

/** `docker run -d ...`: creates and starts; prints the container id. */
export function runContainer(spec: ContainerSpec, t?: DockerTarget): string[] {
  return [...dockerBase(t), 'run', '-d', ...createOptions(spec)];
}

/** `docker create ...`: creates without starting (state `present`/`stopped` of a new container). */
export function createContainer(spec: ContainerSpec, t?: DockerTarget): string[] {
  return [...dockerBase(t), 'create', ...createOptions(spec)];
}

export function startContainer(name: string, t?: DockerTarget): string[] {
  return [...dockerBase(t), 'start', '--', name];
}

/** Stop with a grace period in seconds before SIGKILL. */
export function stopContainer(name: string, timeoutSec: number, t?: DockerTarget): string[] {
  return [...dockerBase(t), 'stop', '-t', String(timeoutSec), '--', name];
}

export function restartContainer(name: string, timeoutSec: number, t?: DockerTarget): string[] {
  return [...dockerBase(t), 'restart', '-t', String(timeoutSec), '--', name];
}

export function removeContainer(name: string, t?: DockerTarget): string[] {
  return [...dockerBase(t), 'rm', '-f', '--', name];
}

/** Changes the restart policy in place (works on stopped containers too). */
export function updateRestartPolicy(name: string, policy: string, t?: DockerTarget): string[] {
  return [...dockerBase(t), 'update', '--restart', policy, '--', name];
}

export function loadImage(tarPath: string, t?: DockerTarget): string[] {
  return [...dockerBase(t), 'load', '-i', tarPath];
}

/** Reads manifest.json out of a `docker save` tar without loading it (tags and config digest). */
export function readImageTarManifest(tarPath: string): string[] {
  return ['tar', '-xOf', tarPath, 'manifest.json'];
}

export interface ExecSpec {
  container: string;
  command: string[];
  env?: Record<string, string>;
  envFile?: string;
  user?: string;
  workdir?: string;
}

export function execInContainer(spec: ExecSpec, t?: DockerTarget): string[] {
  const a = [...dockerBase(t), 'exec'];
  if (spec.user) a.push('--user', spec.user);
  if (spec.workdir) a.push('--workdir', spec.workdir);
  if (spec.envFile) a.push('--env-file', spec.envFile);
  else for (const [k, v] of Object.entries(spec.env ?? {})) a.push('-e', `${k}=${v}`);
  a.push('--', spec.container, ...spec.command);
  return a;
}

export function containerLogs(name: string, tail: number, t?: DockerTarget): string[] {
  return [...dockerBase(t), 'logs', '--tail', String(tail), '--', name];
}

/** `KEY=VALUE` lines for `--env-file` (docker reads values literally, so no quoting; no newlines allowed). */
export function envFileContent(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([k, v]) => {
      if (/[\r\n]/.test(v)) throw new Error(`env ${k}: a value with a newline cannot be passed to docker`);
      return `${k}=${v}\n`;
    })
    .join('');
}

/** Names of every container, running or not, one per line. */
export function listContainerNames(t?: DockerTarget): string[] {
  return [...dockerBase(t), 'ps', '-a', '--no-trunc', '--format', '{{.Names}}'];
}

/** Each container's name and mounts as one JSON line (`{"name":…,"mounts":[…]}`). */
export function containerMounts(names: string[], t?: DockerTarget): string[] {
  return [...dockerBase(t), 'container', 'inspect', '--format', '{"name":{{json .Name}},"mounts":{{json .Mounts}}}', '--', ...names];
}

/** A file of a container (running or stopped) as a tar stream on stdout. */
export function copyFromContainer(container: string, path: string, t?: DockerTarget): string[] {
  return [...dockerBase(t), 'cp', '--', `${container}:${path}`, '-'];
}
