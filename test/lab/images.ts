/**
 * Tiny docker images without a registry: a root filesystem directory piped into `docker import`.
 * buildRootfs() gives a busybox-static root other code (the simulated OMS) can extend before tarring it.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
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

const building = new Map<string, Promise<string>>();

/** Builds the busybox rootfs tar once at FILE (idempotent; concurrent callers, even in other processes, are safe). */
export function busyboxTar(file: string): Promise<string> {
  if (existsSync(file)) return Promise.resolve(file);
  let p = building.get(file);
  if (!p) {
    p = (async () => {
      const tmp = await mkdtemp(`${file}.tmp-`);
      try {
        await buildBusyboxRootfs(`${tmp}/root`);
        await tarDir(`${tmp}/root`, `${tmp}/image.tar`);
        await rename(`${tmp}/image.tar`, file);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
      return file;
    })();
    building.set(file, p);
    p.finally(() => building.delete(file)).catch(() => {});
  }
  return p;
}
