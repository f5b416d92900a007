import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerContainer } from '../../../lib/modules/docker/container.js';
import { dockerExec } from '../../../lib/modules/docker/exec.js';
import { dockerImage } from '../../../lib/modules/docker/image.js';
import { dockerInfo } from '../../../lib/modules/docker/info.js';
import { type Target, ctxFor, getTarget } from './target.js';

let t: Target;
const NAME = 'omsplay_mod_c1';
const docker = (...a: string[]) => t.sh(['docker', ...a]);
const inspect = async (name: string) => JSON.parse((await docker('container', 'inspect', name)).stdout)[0];

beforeAll(async () => {
  t = await getTarget();
  await docker('rm', '-f', NAME, 'omsplay_mod_c2');
  await t.sh(['mkdir', '-p', '/tmp/omsplay-mod-4-vol/a', '/tmp/omsplay-mod-4-vol/b']);
});
afterAll(async () => {
  await docker('rm', '-f', NAME, 'omsplay_mod_c2');
});

const spec = () => ({
  name: NAME,
  image: t.baseImage,
  command: ['sleep', '3600'],
  network_mode: 'host',
  volumes: ['/tmp/omsplay-mod-4-vol/a:/data/a', { source: '/tmp/omsplay-mod-4-vol/b', destination: '/data/b' }],
  env: { OMS_HOST_IP: '10.77.4.11', IS_UPGRADE: 'true' },
  privileged: true,
  pids_limit: -1,
  ulimits: ['nproc=65535:65535'],
  restart_policy: 'always',
  stop_timeout: 1,
});

describe('docker.container', () => {
  it('starts a container, then finds it unchanged on the second run', async () => {
    const r1 = await dockerContainer.run({ ...spec(), state: 'started' }, ctxFor(t));
    expect(r1).toMatchObject({ changed: true, state: 'running', restart_policy: 'always', actions: ['create+start'] });
    const c = await inspect(NAME);
    expect([...c.HostConfig.Binds].sort()).toEqual(['/tmp/omsplay-mod-4-vol/a:/data/a', '/tmp/omsplay-mod-4-vol/b:/data/b']);
    expect(c.HostConfig.Privileged).toBe(true);
    expect(c.Config.Env).toContain('OMS_HOST_IP=10.77.4.11');
    const r2 = await dockerContainer.run({ ...spec(), state: 'started' }, ctxFor(t));
    expect(r2).toMatchObject({ changed: false, id: r1.id, diffs: [], actions: [] });
  });

  it('reports a spec mismatch field by field and recreates only when asked', async () => {
    const other = { ...spec(), env: { OMS_HOST_IP: '10.77.4.12', IS_UPGRADE: 'true' }, privileged: false };
    await expect(dockerContainer.run(other, ctxFor(t))).rejects.toThrow(/env\.OMS_HOST_IP: expected "10\.77\.4\.12", found "10\.77\.4\.11".*privileged: expected false, found true/);
    const before = await inspect(NAME);
    const check = await dockerContainer.run({ ...other, recreate: true }, ctxFor(t, { check: true }));
    expect(check).toMatchObject({ changed: true, actions: ['recreate', 'create+start'] });
    expect((await inspect(NAME)).Id).toBe(before.Id); // check mode changed nothing
    const r = await dockerContainer.run({ ...other, recreate: true }, ctxFor(t));
    expect(r.changed).toBe(true);
    expect(r.id).not.toBe(before.Id);
    expect((await inspect(NAME)).Config.Env).toContain('OMS_HOST_IP=10.77.4.12');
    // back to the original spec for the next tests
    await dockerContainer.run({ ...spec(), recreate: true }, ctxFor(t));
  });

  it('stops with the restart policy set to no in place, and puts it back', async () => {
    const id = (await inspect(NAME)).Id;
    const ctx = ctxFor(t, { diff: true });
    const r = await dockerContainer.run({ name: NAME, state: 'stopped', restart_policy: 'no', stop_timeout: 1 }, ctx);
    expect(r).toMatchObject({ changed: true, state: 'exited', restart_policy: 'no', previous_restart_policy: 'always', id });
    expect(r.actions).toEqual(['update_restart_policy', 'stop']);
    expect(r.diff?.before).toContain('restart_policy: always');
    expect(r.diff?.after).toContain('restart_policy: no');
    const again = await dockerContainer.run({ name: NAME, state: 'stopped', restart_policy: 'no' }, ctxFor(t));
    expect(again.changed).toBe(false);
    const back = await dockerContainer.run({ name: NAME, state: 'started', restart_policy: 'always' }, ctxFor(t));
    expect(back).toMatchObject({ changed: true, state: 'running', restart_policy: 'always', id });
  });

  it('restarts (always changed, new start time)', async () => {
    const before = (await inspect(NAME)).State.StartedAt;
    await new Promise((r) => setTimeout(r, 20));
    const r = await dockerContainer.run({ name: NAME, state: 'restarted', stop_timeout: 1 }, ctxFor(t));
    expect(r).toMatchObject({ changed: true, state: 'running', actions: ['restart'] });
    expect(r.started_at).not.toBe(before);
  });

  it('removes, and is unchanged when already absent', async () => {
    const check = await dockerContainer.run({ name: NAME, state: 'absent' }, ctxFor(t, { check: true }));
    expect(check).toMatchObject({ changed: true, actions: ['remove'] });
    expect((await docker('container', 'inspect', NAME)).exitCode).toBe(0);
    const r = await dockerContainer.run({ name: NAME, state: 'absent', stop_timeout: 1 }, ctxFor(t));
    expect(r).toMatchObject({ changed: true, state: 'absent', id: null });
    expect((await docker('container', 'inspect', NAME)).exitCode).not.toBe(0);
    expect((await dockerContainer.run({ name: NAME, state: 'absent' }, ctxFor(t))).changed).toBe(false);
  });

  it('creates a present container without starting it', async () => {
    const r = await dockerContainer.run({ name: 'omsplay_mod_c2', image: t.baseImage, command: 'sleep 60', state: 'present' }, ctxFor(t));
    expect(r).toMatchObject({ changed: true, state: 'created' });
    await docker('rm', '-f', 'omsplay_mod_c2');
  });

  it('in check mode, plans a container whose image an earlier (unrun) task would load', async () => {
    const r = await dockerContainer.run({ name: 'omsplay_mod_c2', image: 'nope:404' }, ctxFor(t, { check: true }));
    expect(r).toMatchObject({ changed: true, actions: ['create'] });
    expect(r.msg).toMatch(/image not on .* yet/);
    const i = await dockerImage.run({ src: '/tmp/omsplay-no-such.tar' }, ctxFor(t, { check: true }));
    expect(i).toMatchObject({ changed: true });
    expect(i.msg).toMatch(/not on .* yet/);
  });

  it('fails clearly when the image is missing, the container is missing, or the daemon is down', async () => {
    await expect(dockerContainer.run({ name: 'omsplay_mod_c2', image: 'nope:404' }, ctxFor(t))).rejects.toThrow(/image nope:404 is not present/);
    await expect(dockerContainer.run({ name: 'omsplay_mod_c2', state: 'started' }, ctxFor(t))).rejects.toThrow(/does not exist .* no image/);
    await expect(dockerContainer.run({ name: 'omsplay_mod_c2', docker_host: 'unix:///tmp/omsplay-no-such.sock' }, ctxFor(t))).rejects.toThrow(
      /docker daemon is not running on/,
    );
    // a host without dockerd (h4, behind its bastion)
    await expect(dockerInfo.run({ name: NAME }, { ...ctxFor(t, { conn: await t.other('h4') }), host: 'h4' })).rejects.toThrow(/docker daemon is not running on h4/);
    // a host where there is no docker CLI on PATH
    const ctx = ctxFor(t);
    const noDocker = { ...ctx, exec: (c: Parameters<typeof ctx.exec>[0], o?: Parameters<typeof ctx.exec>[1]) => ctx.exec(c, { ...o, env: { PATH: '/nonexistent' } }) };
    await expect(dockerInfo.run({ name: NAME }, noDocker)).rejects.toThrow(/docker is not installed on h1 \(command not found\)/);
  });
});

describe('docker.exec and docker.info', () => {
  beforeAll(async () => {
    await dockerContainer.run({ ...spec(), state: 'started' }, ctxFor(t));
  });

  it('returns output and exit code, and fails on non-zero unless told not to', async () => {
    const r = await dockerExec.run({ container: NAME, command: ['sh', '-c', 'echo "$X in $(pwd)"; echo err >&2'], env: { X: 'hello world' }, workdir: '/data' }, ctxFor(t));
    expect(r).toMatchObject({ changed: true, rc: 0, stdout: 'hello world in /data\n', stderr: 'err\n' });
    const s = await dockerExec.run({ container: NAME, command: 'echo $((6*7))' }, ctxFor(t));
    expect(s.stdout).toBe('42\n');
    await expect(dockerExec.run({ container: NAME, command: 'exit 3' }, ctxFor(t))).rejects.toThrow(/exited 3/);
    expect((await dockerExec.run({ container: NAME, command: 'exit 3', fail_on_error: false }, ctxFor(t))).rc).toBe(3);
    await expect(dockerExec.run({ container: 'omsplay_nope', command: 'true' }, ctxFor(t))).rejects.toThrow(/does not exist/);
    expect((await dockerExec.run({ container: NAME, command: 'true' }, ctxFor(t, { check: true }))).skipped).toBe(true);
  });

  it('passes a secret env value through an env file, not argv', async () => {
    const ctx = ctxFor(t);
    ctx.masker.add('s3cr3t value');
    const r = await dockerExec.run({ container: NAME, command: ['sh', '-c', 'echo "$P"'], env: { P: 's3cr3t value' } }, ctx);
    expect(r.stdout).toBe('s3cr3t value\n');
    expect(ctx.commands.flat().join(' ')).not.toContain('s3cr3t');
  });

  it('reports the facts the upgrade reads', async () => {
    const r = await dockerInfo.run({ name: NAME, logs: 5 }, ctxFor(t));
    expect(r).toMatchObject({
      changed: false,
      exists: true,
      running: true,
      image: t.baseImage,
      tag: t.baseImage.split(':')[1],
      restart_policy: 'always',
      privileged: true,
      pids_limit: -1,
      network_mode: 'host',
      ulimits: ['nproc=65535:65535'],
      https: false,
    });
    expect((r.env as Record<string, string>).OMS_HOST_IP).toBe('10.77.4.11');
    expect(r.mounts).toEqual(
      expect.arrayContaining([expect.objectContaining({ source: '/tmp/omsplay-mod-4-vol/a', destination: '/data/a' })]),
    );
    expect(r.image_id).toMatch(/^sha256:/);
    expect(await dockerInfo.run({ name: 'omsplay_nope' }, ctxFor(t))).toMatchObject({ exists: false, running: false, env: {}, binds: [], mounts: [], restart_policy: null });
  });
});

describe('docker.image', () => {
  const TAG = 'omsplay-mod-load:1';
  const tar = '/tmp/omsplay-mod-4-image.tar';
  beforeAll(async () => {
    await docker('tag', t.baseImage, TAG);
    expect((await docker('save', '-o', tar, TAG)).exitCode).toBe(0);
    await docker('rmi', TAG);
  });
  afterAll(async () => {
    await t.sh(['rm', '-f', tar, `${tar}.bad`]);
    await docker('rmi', TAG);
  });

  it('loads the tar once and skips it the second time', async () => {
    const check = await dockerImage.run({ src: tar }, ctxFor(t, { check: true }));
    expect(check).toMatchObject({ changed: true, present_before: false, image_ref: TAG });
    expect((await docker('image', 'inspect', TAG)).exitCode).not.toBe(0);
    const r1 = await dockerImage.run({ src: tar }, ctxFor(t));
    // image_ref: the reference `docker load` reported, the one to run.
    expect(r1).toMatchObject({ changed: true, loaded: [TAG], image_ref: TAG });
    expect(r1.stdout).toContain(`Loaded image: ${TAG}`);
    const r2 = await dockerImage.run({ src: tar }, ctxFor(t));
    expect(r2).toMatchObject({ changed: false, present_before: true, loaded: [], image_ref: TAG });
    const r3 = await dockerImage.run({ src: tar, image: TAG }, ctxFor(t));
    expect(r3.changed).toBe(false);
    const r4 = await dockerImage.run({ src: tar, image: TAG, force: true }, ctxFor(t));
    expect(r4.changed).toBe(true);
  });

  it('fails clearly on a corrupt tar and on a checksum mismatch', async () => {
    await docker('rmi', TAG);
    await t.sh(['sh', '-c', `head -c 20000 ${tar} > ${tar}.bad`]);
    await expect(dockerImage.run({ src: `${tar}.bad`, image: TAG }, ctxFor(t))).rejects.toThrow(/docker load -i .* failed/);
    await expect(dockerImage.run({ src: tar, image: TAG, sha256: '0'.repeat(64) }, ctxFor(t))).rejects.toThrow(/expected 0000/);
    await expect(dockerImage.run({ src: '/tmp/omsplay-no-such.tar' }, ctxFor(t))).rejects.toThrow(/not found/);
  });
});
