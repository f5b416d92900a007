/**
 * Per-lab SSH keys, host keys, passwords and known_hosts. Generated with ssh2's key generator (no process per key:
 * 200 host keys take ~40 ms). Nothing is ever written to the machine's ~/.ssh.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import ssh2 from 'ssh2';

const { utils } = ssh2;
import { runOk } from './run.js';
import type { LabUser, LabUsers } from './types.js';

export interface KeyPair {
  private: string;
  public: string;
}

/** Length of the key inside an "ssh-ed25519 BASE64" line's blob (string type, string key). */
function ed25519KeyLength(publicLine: string): number {
  const blob = Buffer.from(publicLine.split(' ')[1] ?? '', 'base64');
  const typeLen = blob.readUInt32BE(0);
  return blob.readUInt32BE(4 + typeLen);
}

export function newKeyPair(comment: string): KeyPair {
  for (;;) {
    const k = utils.generateKeyPairSync('ed25519', { comment });
    // ssh2 1.17 drops a leading zero byte of the public key (about 1 key in 256): OpenSSH then rejects the
    // private key ("error in libcrypto"). Draw again.
    if (ed25519KeyLength(k.public) === 32) return { private: k.private, public: k.public.trim() };
  }
}

/** Fixed, documented lab passwords (a lab is a throw-away test fixture; the tests need to know them). */
export const LAB_PASSWORDS = {
  admin: 'omsplay-admin-pw',
  ops: 'omsplay-ops-pw',
  dockerop: 'omsplay-dockerop-pw',
  dockerpw: 'omsplay-dockerpw-pw',
  mariadbRoot: 'omsplay-root-pw',
  mariadbUser: 'omsplay-db-pw',
} as const;

export interface LabCredentials {
  users: LabUsers;
  /** Public key lines per user, for authorized_keys. */
  publicKeys: { root: string; admin: string; ops: string; dockerop: string; dockerpw: string };
  /** sha512-crypt hashes for /etc/shadow. */
  shadowHashes: { admin: string; ops: string; dockerop: string; dockerpw: string };
}

async function writeKey(dir: string, name: string, pair: KeyPair): Promise<string> {
  const file = `${dir}/${name}`;
  await writeFile(file, pair.private, { mode: 0o600 });
  await chmod(file, 0o600);
  await writeFile(`${file}.pub`, `${pair.public}\n`, { mode: 0o644 });
  return file;
}

async function cryptHash(password: string): Promise<string> {
  return (await runOk('openssl', ['passwd', '-6', '-stdin'], { input: `${password}\n` })).trim();
}

export async function createCredentials(
  dir: string,
  id: number,
  adminSudo: 'password' | 'nopasswd',
): Promise<LabCredentials> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const root = newKeyPair(`omsplay-lab-${id}-root`);
  const admin = newKeyPair(`omsplay-lab-${id}-admin`);
  const ops = newKeyPair(`omsplay-lab-${id}-ops`);
  const dockerop = newKeyPair(`omsplay-lab-${id}-dockerop`);
  const dockerpw = newKeyPair(`omsplay-lab-${id}-dockerpw`);
  const [rootFile, adminFile, opsFile, dockeropFile, dockerpwFile, adminHash, opsHash, dockeropHash, dockerpwHash] = await Promise.all([
    writeKey(dir, 'root_ed25519', root),
    writeKey(dir, 'admin_ed25519', admin),
    writeKey(dir, 'ops_ed25519', ops),
    writeKey(dir, 'dockerop_ed25519', dockerop),
    writeKey(dir, 'dockerpw_ed25519', dockerpw),
    cryptHash(LAB_PASSWORDS.admin),
    cryptHash(LAB_PASSWORDS.ops),
    cryptHash(LAB_PASSWORDS.dockerop),
    cryptHash(LAB_PASSWORDS.dockerpw),
  ]);
  const users: LabUsers = {
    root: { name: 'root', keyFile: rootFile, sudo: 'root' } satisfies LabUser,
    admin: { name: 'admin', keyFile: adminFile, password: LAB_PASSWORDS.admin, sudo: adminSudo },
    ops: { name: 'ops', keyFile: opsFile, password: LAB_PASSWORDS.ops, sudo: 'nopasswd' },
    dockerop: { name: 'dockerop', keyFile: dockeropFile, password: LAB_PASSWORDS.dockerop, sudo: 'docker-nopasswd' },
    dockerpw: { name: 'dockerpw', keyFile: dockerpwFile, password: LAB_PASSWORDS.dockerpw, sudo: 'docker-password' },
  };
  return {
    users,
    publicKeys: { root: root.public, admin: admin.public, ops: ops.public, dockerop: dockerop.public, dockerpw: dockerpw.public },
    shadowHashes: { admin: adminHash, ops: opsHash, dockerop: dockeropHash, dockerpw: dockerpwHash },
  };
}

export interface KnownHostEntry {
  names: string[];
  port: number;
  key: string;
}

/** OpenSSH known_hosts text: "addr,name key" for port 22, "[addr]:port,[name]:port key" otherwise. */
export function knownHostsText(entries: KnownHostEntry[]): string {
  return entries
    .map((e) => {
      const names = e.names.map((n) => (e.port === 22 ? n : `[${n}]:${e.port}`));
      return `${names.join(',')} ${e.key}\n`;
    })
    .join('');
}
