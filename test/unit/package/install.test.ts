/**
 * omsplay installed as a dependency (issue 11, point 11): `npm pack` of the sources (no dist/ in them: prepack
 * builds it), then `npm install --omit=dev` of the tarball in an empty project, from the local npm cache when it
 * has the dependencies (after `npm ci` it does). The installed CLI answers --version, validates the shipped
 * upgrade playbook and runs a task. And a clone installed with --omit=dev (no build tools) installs cleanly and
 * says how to build instead of crashing.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../..', import.meta.url));
const SOURCES = ['package.json', 'package-lock.json', 'bin', 'lib', 'scripts', 'playbooks', 'inventories', 'schemas', 'tsconfig.json'];
const NPM = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
let work: string;
let tarball: string;

async function sources(to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const f of SOURCES) await cp(join(repo, f), join(to, f), { recursive: true });
}

async function omsplay(bin: string, args: string[], cwd: string) {
  try {
    const r = await run(process.execPath, [bin, ...args], { cwd, env: { ...process.env, OMSPLAY_HOME: join(work, 'home'), CI: '1' } });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'omsplay-pack-'));
  // The sources as a clone has them (no dist/), with the dev tools the build needs.
  const src = join(work, 'src');
  await sources(src);
  await symlink(join(repo, 'node_modules'), join(src, 'node_modules'));
  await run('npm', ['pack', '--pack-destination', work, '--loglevel=error'], { cwd: src, maxBuffer: 16 << 20 });
  tarball = join(work, (await readdir(work)).find((f) => f.endsWith('.tgz'))!);
}, 180_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('ships the built CLI and no sources', async () => {
    const { stdout } = await run('tar', ['tzf', tarball]);
    const files = stdout.trim().split('\n');
    expect(files).toContain('package/dist/cli/main.js');
    expect(files).toContain('package/dist/config/precompiled.cjs');
    expect(files).toContain('package/bin/omsplay.js');
    expect(files).toContain('package/playbooks/upgrade.yml');
    expect(files.filter((f) => f.startsWith('package/lib/') || f.endsWith('.ts'))).toEqual([]);
  });

  it('installs with --omit=dev into an empty project and works: --version, validate, run', async () => {
    const app = join(work, 'app');
    await mkdir(app);
    await writeFile(join(app, 'package.json'), '{"name": "app", "version": "1.0.0", "private": true}\n');
    await run('npm', ['install', '--omit=dev', ...NPM, tarball], { cwd: app, maxBuffer: 16 << 20 });
    const bin = join(app, 'node_modules', '.bin', 'omsplay');
    const version = await omsplay(bin, ['--version'], app);
    expect(version).toMatchObject({ code: 0, out: 'omsplay 0.1.0\n' });
    // No dev tool came along: the CLI runs without them.
    await expect(readdir(join(app, 'node_modules', 'esbuild'))).rejects.toThrow(/ENOENT/);
    await expect(readdir(join(app, 'node_modules', 'typescript'))).rejects.toThrow(/ENOENT/);

    await writeFile(join(app, 'key'), '');
    await writeFile(
      join(app, 'inv.yml'),
      `vars: {oms_old_container: oms-old, oms_new_container: oms-new, oms_target_version: 4.0.0-CE, oms_image_tar: /data/oms.tar.gz, oms_backup_dir: /var/backups/oms}
connection: {user: root, key_file: key}
regions:
  hangzhou: {hosts: {oms-hz-1: {address: 10.0.0.11}}}
  shanghai: {hosts: {oms-sh-1: {address: 10.0.1.11}}}
groups: {oms: {hosts: [oms-hz-1, oms-sh-1]}}
`,
    );
    const valid = await omsplay(bin, ['validate', 'upgrade.yml', '-i', 'inv.yml'], app);
    expect(valid.code, valid.err).toBe(0);
    expect(valid.out).toMatch(/node_modules\/omsplay\/playbooks\/upgrade\.yml: valid \(1 plays, \d+ tasks\)/);

    await writeFile(join(app, 'local.yml'), 'regions: {here: {hosts: {ctl: {connection: local}}}}\n');
    await writeFile(join(app, 'pb.yml'), '- name: p\n  hosts: all\n  tasks:\n    - name: t\n      command: [echo, installed-ok]\n');
    const ran = await omsplay(bin, ['run', 'pb.yml', '-i', 'local.yml', '--plain', '-v'], app);
    expect(ran.code, ran.err).toBe(0);
    expect(ran.out).toContain('"stdout":"installed-ok"');
    const help = await omsplay(bin, ['run', '--help'], app);
    expect(help.code).toBe(0);
    expect(help.out).toContain('--check');
  }, 180_000);

  it('a clone installed with --omit=dev installs cleanly, and its CLI says how to build', async () => {
    const clone = join(work, 'clone');
    await sources(clone);
    const r = await run('npm', ['install', '--omit=dev', ...NPM], { cwd: clone, maxBuffer: 16 << 20 });
    expect(r.stderr).toMatch(/dev dependencies not installed, dist\/ not built/);
    const cli = await omsplay(join(clone, 'bin', 'omsplay.js'), ['validate', 'upgrade.yml', '-i', 'x.yml'], clone);
    expect(cli.code).toBe(1);
    expect(cli.err).toMatch(/^omsplay is not built \(no dist\/\)\n {2}hint: run `npm install` with the dev dependencies/);
    expect(cli.err).not.toMatch(/\n\s+at /);
  }, 180_000);
});
