/** Installs the peers (Ansible, Mitogen), GNU time and chromium (workload report) from Debian's packages when missing. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const PACKAGES = ['ansible-core', 'ansible-mitogen', 'time', 'chromium'];

async function installed(pkg: string): Promise<boolean> {
  try {
    const { stdout } = await run('dpkg-query', ['-W', `-f=\${Status}`, pkg]);
    return stdout.includes('install ok installed');
  } catch {
    return false;
  }
}

export async function ensurePackages(log: (s: string) => void): Promise<void> {
  const missing: string[] = [];
  for (const p of PACKAGES) if (!(await installed(p))) missing.push(p);
  if (missing.length === 0) return;
  log(`installing ${missing.join(' ')} from Debian's packages`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update', '-qq'], { env, maxBuffer: 64 << 20 });
  await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env, maxBuffer: 64 << 20 });
}

/** Versions, for the results' machine info. */
export async function versions(): Promise<Record<string, string>> {
  const out: Record<string, string> = { node: process.version };
  const pkgVersion = async (p: string) => (await run('dpkg-query', ['-W', `-f=\${Version}`, p]).catch(() => ({ stdout: '?' }))).stdout;
  out['ansible-core'] = await pkgVersion('ansible-core');
  out['ansible-mitogen'] = await pkgVersion('ansible-mitogen');
  out['openssh-server'] = await pkgVersion('openssh-server');
  out.mariadb = await pkgVersion('mariadb-server');
  return out;
}
