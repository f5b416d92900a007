/** Fact `docker.logs`: the last log lines of a container (stdout and stderr). Lifetime 'task'. */
import { type DockerTarget, containerLogs } from '../commands/docker.js';
import { dockerError } from '../commands/docker-errors.js';
import type { Fact } from '../plan/types.js';

export interface ContainerLogs {
  stdout: string[];
  stderr: string[];
}

export interface LogsParams {
  name: string;
  tail: number;
  target: DockerTarget;
}

// Containers run with a TTY (`docker run -dit`, as the vendor does) log CRLF line ends.
const lines = (s: string) =>
  s
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter(Boolean);

export const logsFact: Fact<LogsParams, ContainerLogs> = {
  name: 'docker.logs',
  lifetime: 'task',
  command: (p) => ({ argv: containerLogs(p.name, p.tail, p.target), okExitCodes: 'any' }),
  parse(r, p, host) {
    if (r.exitCode !== 0) throw dockerError(host, containerLogs(p.name, p.tail, p.target), r, `docker logs ${p.name}`);
    return { stdout: lines(r.stdout), stderr: lines(r.stderr) };
  },
};
