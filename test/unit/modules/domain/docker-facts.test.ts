import { describe, expect, it } from 'vitest';
import { dockerError, isNotFound } from '../../../../lib/commands/docker-errors.js';
import { parseBind, parseContainerInspect } from '../../../../lib/facts/docker-container.js';
import { compareSpec, parseUlimit } from '../../../../lib/modules/support/docker-spec.js';
import { parseSaveManifest } from '../../../../lib/facts/docker-image-tar.js';
import { parseLoadOutput } from '../../../../lib/modules/docker/image.js';

// Trimmed `docker container inspect` output of a container started as in the OMS procedure.
const inspect = {
  Id: 'abc123',
  Name: '/oms_331',
  Image: 'sha256:1111',
  State: { Status: 'exited', Running: false, StartedAt: '2026-11-22T00:05:05.1Z', FinishedAt: '0001-01-01T00:00:00Z' },
  Config: { Image: 'reg.example/oboms/oms-all-in-one:feature_3.3.1-ce', Env: ['OMS_HOST_IP=10.0.0.11', 'IS_UPGRADE=true', 'PATH=/bin'], Cmd: ['/entry.sh'] },
  HostConfig: {
    Binds: ['/data/config.yaml:/home/admin/conf/config.yaml', '/data/oms/oms_logs:/home/admin/logs:rw'],
    NetworkMode: 'host',
    Privileged: true,
    PidsLimit: null,
    Ulimits: [{ Name: 'nproc', Soft: 65535, Hard: 65535 }],
    RestartPolicy: { Name: 'always', MaximumRetryCount: 0 },
  },
  Mounts: [{ Type: 'bind', Source: '/data/oms/oms_logs', Destination: '/home/admin/logs', Mode: 'rw', RW: true }],
};

const facts = parseContainerInspect(inspect);
const exact = {
  imageId: 'sha256:1111',
  imageEnv: { PATH: '/bin' },
  volumes: [
    { source: '/data/oms/oms_logs/', destination: '/home/admin/logs', mode: 'rw' },
    { source: '/data/config.yaml', destination: '/home/admin/conf/config.yaml' },
  ],
  env: { OMS_HOST_IP: '10.0.0.11', IS_UPGRADE: 'true' },
  networkMode: 'host',
  privileged: true,
  pidsLimit: -1,
  ulimits: ['nproc=65535:65535'],
  restartPolicy: 'always',
};

describe('container facts', () => {
  it('turns docker inspect into plain facts', () => {
    expect(facts).toMatchObject({
      id: 'abc123',
      name: 'oms_331',
      status: 'exited',
      running: false,
      tag: 'feature_3.3.1-ce',
      imageId: 'sha256:1111',
      env: { OMS_HOST_IP: '10.0.0.11', IS_UPGRADE: 'true', PATH: '/bin' },
      pidsLimit: -1,
      ulimits: { nproc: '65535:65535' },
      restartPolicy: 'always',
      startedAt: '2026-11-22T00:05:05.1Z',
      finishedAt: null,
    });
    expect(parseContainerInspect({ ...inspect, HostConfig: { RestartPolicy: { Name: '' } } }).restartPolicy).toBe('no');
    expect(parseContainerInspect({ ...inspect, HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } } }).restartPolicy).toBe('on-failure:3');
  });

  it('finds no difference for the same spec (order, trailing slashes, image env ignored)', () => {
    expect(compareSpec(exact, facts)).toEqual([]);
  });

  it('reports each differing field', () => {
    const d = compareSpec(
      { ...exact, imageId: 'sha256:2222', env: { OMS_HOST_IP: '10.0.0.12' }, privileged: false, ulimits: ['nproc=1024'], volumes: exact.volumes.slice(0, 1), restartPolicy: 'no' },
      facts,
    );
    expect(d.map((x) => x.field)).toEqual(['image', 'volumes', 'env.IS_UPGRADE', 'env.OMS_HOST_IP', 'privileged', 'ulimits.nproc', 'restart_policy']);
    expect(d.find((x) => x.field === 'env.OMS_HOST_IP')).toEqual({ field: 'env.OMS_HOST_IP', expected: '10.0.0.12', actual: '10.0.0.11' });
  });

  it('treats rw as the default bind mode', () => {
    const vols = [
      { source: '/data/oms/oms_logs', destination: '/home/admin/logs' },
      { source: '/data/config.yaml', destination: '/home/admin/conf/config.yaml', mode: 'rw' },
    ];
    expect(compareSpec({ volumes: vols }, facts)).toEqual([]);
    expect(compareSpec({ volumes: [vols[0]!, { ...vols[1]!, mode: 'ro' }] }, facts).map((d) => d.field)).toEqual(['volumes']);
  });

  it('compares only the fields the task gives', () => {
    expect(compareSpec({ restartPolicy: 'always' }, facts)).toEqual([]);
    expect(compareSpec({ pidsLimit: 100 }, facts)).toEqual([{ field: 'pids_limit', expected: 100, actual: -1 }]);
  });

  it('parses binds and ulimits', () => {
    expect(parseBind('/a:/b:ro')).toEqual({ source: '/a', destination: '/b', mode: 'ro' });
    expect(parseBind('/a:/b')).toEqual({ source: '/a', destination: '/b' });
    expect(parseUlimit('nofile=1024')).toEqual(['nofile', '1024:1024']);
    expect(() => parseUlimit('nproc')).toThrow(/NAME=SOFT/);
  });

  it('explains docker failures', () => {
    const r = (exitCode: number, stderr: string) => ({ exitCode, stderr, stdout: '', signal: null, durationMs: 1, timedOut: false });
    expect(dockerError('h1', ['docker', 'ps'], r(127, 'sh: 1: docker: not found'), 'x').message).toMatch(/docker is not installed on h1/);
    expect(dockerError('h1', ['docker', 'ps'], r(1, 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'), 'x').message).toMatch(
      /daemon is not running on h1/,
    );
    expect(isNotFound(r(1, 'Error response from daemon: No such container: x'))).toBe(true);
    expect(isNotFound(r(1, 'Error response from daemon: no such image: x:1: No such image: x:1'))).toBe(true);
  });
});

describe('image tar facts', () => {
  it('reads tags and ids from a docker save manifest (OCI and older layouts)', () => {
    const hex = 'f'.repeat(64);
    expect(parseSaveManifest(JSON.stringify([{ Config: `blobs/sha256/${hex}`, RepoTags: ['oms:4.0.0'] }]))).toEqual({ tags: ['oms:4.0.0'], ids: [`sha256:${hex}`] });
    expect(parseSaveManifest(JSON.stringify([{ Config: `${hex}.json`, RepoTags: null }]))).toEqual({ tags: [], ids: [`sha256:${hex}`] });
  });

  it('reads the loaded tags from docker load output', () => {
    expect(parseLoadOutput('Loaded image: oms:4.0.0\nLoaded image ID: sha256:abc\n')).toEqual({ tags: ['oms:4.0.0'], ids: ['sha256:abc'] });
  });
});
