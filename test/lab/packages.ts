/** Makes sure the Debian packages the lab runs are installed (install-packages.sh installs the missing ones). */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runOk } from './run.js';

/** One file per package: cheaper than asking dpkg on every lab start. */
const NEEDED = [
  '/usr/sbin/sshd',
  '/usr/bin/ssh',
  '/usr/sbin/dockerd',
  '/usr/sbin/runc',
  '/usr/sbin/mariadbd',
  '/usr/bin/mariadb-install-db',
  '/usr/bin/mysql',
  '/bin/busybox',
  '/usr/bin/jq',
  '/usr/bin/sudo',
  '/usr/bin/openssl',
  '/usr/bin/nsenter',
  '/usr/bin/setpriv',
  // The run report's tests open it in a real headless Chromium (playwright-core, never a downloaded browser).
  '/usr/bin/chromium',
];

export async function ensurePackages(log: (line: string) => void = () => {}): Promise<void> {
  const missing = NEEDED.filter((f) => !existsSync(f));
  if (missing.length === 0) return;
  log(`lab: installing packages (missing ${missing.join(', ')})`);
  const script = join(dirname(fileURLToPath(import.meta.url)), 'install-packages.sh');
  await runOk('bash', [script], { timeoutMs: 15 * 60_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  const still = NEEDED.filter((f) => !existsSync(f));
  if (still.length) throw new Error(`packages installed but still missing: ${still.join(', ')}`);
}
