/**
 * Tiny docker images without a registry: a root filesystem directory piped into `docker import`.
 * buildRootfs() gives a busybox-static root other code (the simulated OMS) can extend before tarring it.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { runOk } from './run.js';

/** Creates DIR with /bin/busybox (static) and a symlink per applet, plus /tmp, /etc/passwd and /etc/group. */
export async function buildBusyboxRootfs(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await Promise.all(['bin', 'tmp', 'etc', 'root', 'proc', 'sys', 'dev', 'var/log'].map((d) => mkdir(`${dir}/${d}`, { recursive: true })));
  await copyFile('/bin/busybox', `${dir}/bin/busybox`);
  const applets = (await runOk('/bin/busybox', ['--list'])).split('\n').filter((a) => a && a !== 'busybox');
  await Promise.all(applets.map((a) => symlink('busybox', `${dir}/bin/${a}`)));
  await writeFile(`${dir}/etc/passwd`, 'root:x:0:0:root:/root:/bin/sh\n');
  await writeFile(`${dir}/etc/group`, 'root:x:0:\n');
}

/** Tars DIR into FILE (what `docker import` and `docker load`-free setups read). */
export async function tarDir(dir: string, file: string): Promise<string> {
  await runOk('tar', ['-C', dir, '-cf', file, '.']);
  return file;
}

/** Builds the busybox rootfs tar once at FILE (idempotent). */
export async function busyboxTar(file: string): Promise<string> {
  if (existsSync(file)) return file;
  const dir = `${file}.d`;
  await buildBusyboxRootfs(dir);
  await tarDir(dir, `${file}.tmp`);
  await runOk('mv', [`${file}.tmp`, file]);
  await rm(dir, { recursive: true, force: true });
  return file;
}
