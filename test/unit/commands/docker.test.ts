import { describe, expect, it } from 'vitest';
import {
  containerLogs,
  createContainer,
  envFileContent,
  execInContainer,
  inspectContainer,
  loadImage,
  removeContainer,
  runContainer,
  stopContainer,
  updateRestartPolicy,
} from '../../../lib/commands/docker.js';

const oms = {
  name: 'oms_400',
  image: 'oms-all-in-one:feature_4.0.0-ce',
  networkMode: 'host',
  volumes: [
    { source: '/data/config.yaml', destination: '/home/admin/conf/config.yaml' },
    { source: '/data/oms/oms_logs', destination: '/home/admin/logs', mode: 'rw' },
  ],
  env: { OMS_HOST_IP: '10.0.0.11', IS_UPGRADE: 'true' },
  privileged: true,
  pidsLimit: -1,
  ulimits: ['nproc=65535:65535'],
  restartPolicy: 'always',
};

describe('docker builders', () => {
  it('builds the OMS docker run of the procedure as argv', () => {
    expect(runContainer(oms)).toEqual([
      'docker', 'run', '-d', '--name', 'oms_400', '--network', 'host',
      '-v', '/data/config.yaml:/home/admin/conf/config.yaml', '-v', '/data/oms/oms_logs:/home/admin/logs:rw',
      '-e', 'OMS_HOST_IP=10.0.0.11', '-e', 'IS_UPGRADE=true',
      '--privileged', '--pids-limit=-1', '--ulimit', 'nproc=65535:65535', '--restart', 'always',
      '--', 'oms-all-in-one:feature_4.0.0-ce',
    ]);
  });

  it('puts the env file instead of -e when given, extra args before the image, command after it', () => {
    const a = createContainer({ name: 'c1', image: 'img:1', env: { P: 'secret' }, envFile: '/tmp/d/env', extraArgs: ['--init'], command: ['sleep', '10'] });
    expect(a).toEqual(['docker', 'create', '--name', 'c1', '--env-file', '/tmp/d/env', '--init', '--', 'img:1', 'sleep', '10']);
    expect(a.join(' ')).not.toContain('secret');
  });

  it('targets another daemon with -H', () => {
    expect(inspectContainer('oms', { dockerHost: 'unix:///run/d.sock' })).toEqual(['docker', '-H', 'unix:///run/d.sock', 'container', 'inspect', '--', 'oms']);
  });

  it('builds stop/rm/update/load/logs/exec', () => {
    expect(stopContainer('oms', 60)).toEqual(['docker', 'stop', '-t', '60', '--', 'oms']);
    expect(removeContainer('oms')).toEqual(['docker', 'rm', '-f', '--', 'oms']);
    expect(updateRestartPolicy('oms', 'no')).toEqual(['docker', 'update', '--restart', 'no', '--', 'oms']);
    expect(loadImage('/data/oms.tar')).toEqual(['docker', 'load', '-i', '/data/oms.tar']);
    expect(containerLogs('oms', 5)).toEqual(['docker', 'logs', '--tail', '5', '--', 'oms']);
    expect(execInContainer({ container: 'oms', command: ['bash', '/root/docker_init.sh'], user: 'admin', workdir: '/root', env: { A: '1' } })).toEqual([
      'docker', 'exec', '--user', 'admin', '--workdir', '/root', '-e', 'A=1', '--', 'oms', 'bash', '/root/docker_init.sh',
    ]);
  });

  it('writes env files literally and refuses newlines', () => {
    expect(envFileContent({ A: `x'"$ y`, B: '' })).toBe(`A=x'"$ y\nB=\n`);
    expect(() => envFileContent({ A: 'a\nb' })).toThrow(/newline/);
  });
});
