/**
 * What a lab host's filesystem holds beyond the machine's own root: files written straight into the host's overlay
 * upper layer (users, sudo, sshd, /etc/hosts, runc wrapper) plus its own /root and /home directories, and the init
 * script that turns a fresh set of namespaces into the host.
 */
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import type { LabCredentials } from './credentials.js';
import { runOk } from './run.js';
import type { LabHost } from './types.js';

/** What a host needs to know about the lab to build itself. */
export interface HostBuild {
  host: LabHost;
  docker: boolean;
  /** Interfaces inside the host's namespace: eth0 (main or, for bastionOnly, internal) and eth1 (internal, bastions). */
  interfaces: { dev: string; cidr: string }[];
  /** /etc/hosts lines as this host sees the others. */
  etcHosts: string;
  knownHosts: string;
  labDir: string;
  sharedDir: string;
  /** Whether docker needs the runc wrapper (the machine's bounding set lacks CAP_SYS_RESOURCE). */
  runcWrapper: boolean;
}

export const ADMIN_UID = 1500;
export const OPS_UID = 1501;
/** Login users whose sudo allows only /usr/bin/docker (the hostile site profile logs in as them). */
export const DOCKEROP_UID = 1502;
export const DOCKERPW_UID = 1503;
const EXTRA_USERS = [
  { name: 'dockerop', uid: DOCKEROP_UID, comment: 'omsplay lab dockerop (sudo docker only, NOPASSWD)' },
  { name: 'dockerpw', uid: DOCKERPW_UID, comment: 'omsplay lab dockerpw (sudo docker only, password)' },
] as const;
const LAB_USER_NAMES = ['admin', 'ops', ...EXTRA_USERS.map((u) => u.name)];

/**
 * The lab's sudoers file. dockerop/dockerpw may run only /usr/bin/docker (any arguments) as root: sudo refuses
 * `sh -c`, cat, mkdir... for them, as on sites that grant ops users docker alone.
 */
export function sudoersFile(adminSudo: 'password' | 'nopasswd' | string): string {
  return (
    '# omsplay lab users\n' +
    `admin ALL=(ALL:ALL) ${adminSudo === 'nopasswd' ? 'NOPASSWD: ' : ''}ALL\n` +
    'ops ALL=(ALL:ALL) NOPASSWD: ALL\n' +
    'dockerop ALL=(root) NOPASSWD: /usr/bin/docker\n' +
    'dockerpw ALL=(root) /usr/bin/docker\n'
  );
}

const PLAIN_BASHRC = `# omsplay lab host: a plain shell on purpose (the machine's pyenv init costs ~90 ms per command).
[ -z "$PS1" ] && return
PS1='\\u@\\h:\\w\\$ '
`;
const PLAIN_PROFILE = `if [ -n "$BASH" ] && [ -f "$HOME/.bashrc" ]; then . "$HOME/.bashrc"; fi
`;

export function sshdConfig(port: number): string {
  return `# omsplay lab sshd. Absolute paths only: the re-executed child runs from /.
Port ${port}
ListenAddress 0.0.0.0
HostKey /etc/ssh/lab/ssh_host_ed25519_key
PidFile /run/sshd.pid
AuthorizedKeysFile /etc/ssh/lab/authorized_keys/%u .ssh/authorized_keys
StrictModes no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
PrintMotd no
PrintLastLog no
MaxSessions 100
MaxStartups 100:30:200
LogLevel VERBOSE
AcceptEnv LANG LC_*
AllowTcpForwarding yes
AllowAgentForwarding yes
Subsystem sftp internal-sftp
`;
}

/** Drops CAP_SYS_RESOURCE (missing from this VM's bounding set) from runc's specs so `docker run --privileged` works. */
export const RUNC_WRAPPER = `#!/bin/sh
# omsplay lab: this machine's capability bounding set lacks CAP_SYS_RESOURCE, so runc cannot grant it and
# "docker run --privileged" fails with "unable to apply caps". Remove it from the bundle config and from
# "runc exec --process" specs, then run the real runc.
f='if .capabilities then .capabilities |= with_entries(.value |= ((. // []) | map(select(. != "CAP_SYS_RESOURCE")))) else . end'
strip() { grep -q CAP_SYS_RESOURCE "$2" 2>/dev/null || return 0; jq "$1" "$2" > "$2.lab" && mv "$2.lab" "$2"; }
prev=
for a in "$@"; do
  case "$prev" in
    --bundle|-b) strip "if .process then .process |= ($f) else . end" "$a/config.json" ;;
    --process|-p) strip "$f" "$a" ;;
  esac
  case "$a" in
    --bundle=*) strip "if .process then .process |= ($f) else . end" "\${a#--bundle=}/config.json" ;;
    --process=*) strip "$f" "\${a#--process=}" ;;
  esac
  prev=$a
done
exec /usr/sbin/runc "$@"
`;

/** The machine's account files with the lab users appended (any existing admin/ops entries replaced). */
export interface AccountFiles {
  passwd: string;
  group: string;
  shadow: string;
  gshadow: string;
  shadowGid: number;
}

export async function accountFiles(creds: LabCredentials): Promise<AccountFiles> {
  const read = (f: string) => readFile(f, 'utf8');
  const drop = (text: string) =>
    text
      .split('\n')
      .filter((l) => l && !LAB_USER_NAMES.some((n) => l.startsWith(`${n}:`)))
      .join('\n') + '\n';
  const [passwd, group, shadow, gshadow] = await Promise.all([
    read('/etc/passwd'),
    read('/etc/group'),
    read('/etc/shadow'),
    read('/etc/gshadow').catch(() => ''),
  ]);
  for (const uid of [ADMIN_UID, OPS_UID, ...EXTRA_USERS.map((u) => u.uid)]) {
    if (new RegExp(`^[^:]*:[^:]*:${uid}:`, 'm').test(drop(passwd))) {
      throw new Error(`uid ${uid} is taken on this machine; the lab users need it`);
    }
  }
  const shadowGroup = /^shadow:[^:]*:([0-9]+):/m.exec(group);
  return {
    passwd:
      drop(passwd) +
      `admin:x:${ADMIN_UID}:${ADMIN_UID}:omsplay lab admin:/home/admin:/bin/bash\n` +
      `ops:x:${OPS_UID}:${OPS_UID}:omsplay lab ops:/home/ops:/bin/bash\n` +
      EXTRA_USERS.map((u) => `${u.name}:x:${u.uid}:${u.uid}:${u.comment}:/home/${u.name}:/bin/bash\n`).join(''),
    group: drop(group) + `admin:x:${ADMIN_UID}:\nops:x:${OPS_UID}:\n` + EXTRA_USERS.map((u) => `${u.name}:x:${u.uid}:\n`).join(''),
    shadow:
      drop(shadow) +
      `admin:${creds.shadowHashes.admin}:19000:0:99999:7:::\nops:${creds.shadowHashes.ops}:19000:0:99999:7:::\n` +
      EXTRA_USERS.map((u) => `${u.name}:${creds.shadowHashes[u.name]}:19000:0:99999:7:::\n`).join(''),
    gshadow: drop(gshadow) + 'admin:!::\nops:!::\n' + EXTRA_USERS.map((u) => `${u.name}:!::\n`).join(''),
    shadowGid: shadowGroup ? Number(shadowGroup[1]) : 0,
  };
}

async function put(file: string, text: string, mode: number, uid = 0, gid = 0): Promise<void> {
  await writeFile(file, text, { mode });
  await chmod(file, mode);
  if (uid || gid) await chown(file, uid, gid);
}

/** Writes the host's files. `hostKey` is its private host key (OpenSSH format). */
export async function writeHostFiles(
  b: HostBuild,
  creds: LabCredentials,
  accounts: AccountFiles,
  hostKey: { private: string; public: string },
): Promise<void> {
  const d = b.host.dir;
  const up = `${d}/upper`;
  await Promise.all(
    [
      'work',
      'root',
      'log',
      'ctl',
      'docker',
      `${up}/etc/ssh/lab/authorized_keys`,
      `${up}/etc/sudoers.d`,
      `${up}/usr/local/sbin`,
      `${up}/var/lib/docker`,
      `${up}/var/log/omsplay-lab`,
      `${up}/mnt/lab-shared`,
      `${up}/run/omsplay-lab`,
    ].map((p) => mkdir(p.startsWith('/') ? p : `${d}/${p}`, { recursive: true })),
  );
  await mkdir(`${d}/roothome`, { mode: 0o700 });
  await mkdir(`${d}/home/admin`, { recursive: true, mode: 0o755 });
  await mkdir(`${d}/home/ops`, { mode: 0o755 });
  await chmod(`${d}/roothome`, 0o700);
  await chown(`${d}/home/admin`, ADMIN_UID, ADMIN_UID);
  await chown(`${d}/home/ops`, OPS_UID, OPS_UID);
  for (const u of EXTRA_USERS) {
    await mkdir(`${d}/home/${u.name}`, { mode: 0o755 });
    await chown(`${d}/home/${u.name}`, u.uid, u.uid);
  }

  const h = b.host;
  await Promise.all([
    put(`${up}/etc/hostname`, `${h.name}\n`, 0o644),
    put(`${up}/etc/machine-id`, `${randomBytes(16).toString('hex')}\n`, 0o444),
    put(`${up}/etc/hosts`, b.etcHosts, 0o644),
    put(`${up}/etc/passwd`, accounts.passwd, 0o644),
    put(`${up}/etc/group`, accounts.group, 0o644),
    put(`${up}/etc/shadow`, accounts.shadow, 0o640, 0, accounts.shadowGid),
    put(`${up}/etc/gshadow`, accounts.gshadow, 0o640, 0, accounts.shadowGid),
    put(`${up}/etc/sudoers.d/omsplay-lab`, sudoersFile(h.users.admin.sudo), 0o440),
    put(`${up}/etc/ssh/lab/sshd_config`, sshdConfig(h.port), 0o644),
    put(`${up}/etc/ssh/lab/ssh_host_ed25519_key`, hostKey.private, 0o600),
    put(`${up}/etc/ssh/lab/ssh_host_ed25519_key.pub`, `${hostKey.public}\n`, 0o644),
    put(`${up}/etc/ssh/lab/authorized_keys/root`, `${creds.publicKeys.root}\n`, 0o644),
    put(`${up}/etc/ssh/lab/authorized_keys/admin`, `${creds.publicKeys.admin}\n`, 0o644),
    put(`${up}/etc/ssh/lab/authorized_keys/ops`, `${creds.publicKeys.ops}\n`, 0o644),
    ...EXTRA_USERS.map((u) => put(`${up}/etc/ssh/lab/authorized_keys/${u.name}`, `${creds.publicKeys[u.name]}\n`, 0o644)),
    put(`${up}/etc/ssh/ssh_known_hosts`, b.knownHosts, 0o644),
    put(`${up}/usr/local/sbin/lab-runc`, RUNC_WRAPPER, 0o755),
    put(`${d}/roothome/.bashrc`, PLAIN_BASHRC, 0o644),
    put(`${d}/roothome/.profile`, PLAIN_PROFILE, 0o644),
    put(`${d}/home/admin/.bashrc`, PLAIN_BASHRC, 0o644, ADMIN_UID, ADMIN_UID),
    put(`${d}/home/admin/.profile`, PLAIN_PROFILE, 0o644, ADMIN_UID, ADMIN_UID),
    put(`${d}/home/ops/.bashrc`, PLAIN_BASHRC, 0o644, OPS_UID, OPS_UID),
    put(`${d}/home/ops/.profile`, PLAIN_PROFILE, 0o644, OPS_UID, OPS_UID),
    ...EXTRA_USERS.flatMap((u) => [
      put(`${d}/home/${u.name}/.bashrc`, PLAIN_BASHRC, 0o644, u.uid, u.uid),
      put(`${d}/home/${u.name}/.profile`, PLAIN_PROFILE, 0o644, u.uid, u.uid),
    ]),
    put(`${d}/init.sh`, initScript(b), 0o755),
    hideShadowingDocker(up),
  ]);
}

/**
 * This machine has a second, newer docker client in /usr/local/bin, ahead of /usr/bin in sudo's secure_path: in
 * the hosts it would make `sudo docker` run /usr/local/bin/docker, which the rule `NOPASSWD: /usr/bin/docker`
 * does not allow. An overlay whiteout (char device 0/0 in the upper layer) hides it, and init.sh binds it onto
 * /usr/bin/docker: the hosts keep the client they always had, at the path sudoers rules name.
 */
async function hideShadowingDocker(up: string): Promise<void> {
  if (!existsSync('/usr/local/bin/docker')) return;
  await mkdir(`${up}/usr/local/bin`, { recursive: true });
  if (!existsSync(`${up}/usr/local/bin/docker`)) await runOk('mknod', [`${up}/usr/local/bin/docker`, 'c', '0', '0']);
}

const DOCKER_KEY_RESET = `# dockerd derives its engine ID from this key: the machine's copy would give every host the same ID.
rm -f $R/etc/docker/key.json
`;

/**
 * The host's first process. Started as
 *   nsenter --net=/run/netns/NS unshare --uts --mount --pid --fork --propagation private /bin/bash init.sh
 * (not `ip netns exec`: it remounts /sys and hides the cgroup mounts dockerd needs). It configures its interfaces,
 * builds the root (overlay with lowerdir=/, fresh proc/sys, own /run /tmp /root /home /var/lib/docker), pivots into
 * it (not chroot: with chroot `docker exec` lands in the real root), starts dockerd, and becomes sshd (PID 1: killing
 * it ends the whole host).
 */
export function initScript(b: HostBuild): string {
  const d = b.host.dir;
  const ip = b.interfaces.flatMap((i) => [`address replace ${i.cidr} dev ${i.dev}`, `link set ${i.dev} up`]);
  const docker = b.docker
    ? [
        '/usr/sbin/dockerd --data-root /var/lib/docker --exec-root /run/docker --pidfile /run/docker.pid \\',
        '  -H unix:///run/docker.sock -H unix:///run/omsplay-lab/docker.sock \\',
        b.runcWrapper ? '  --add-runtime lab-runc=/usr/local/sbin/lab-runc --default-runtime lab-runc \\' : '',
        '  </dev/null >>/var/log/omsplay-lab/dockerd.log 2>&1 &',
      ].filter(Boolean)
    : [];
  return `#!/bin/bash
# omsplay lab host ${b.host.name} (generated; see test/lab/host-files.ts)
set -eu
# /proc is still the machine's here: this is our PID as the control node sees it.
read -r outer _ < /proc/self/stat
D=${d}
R=$D/root
ip -batch - <<'EOF'
link set lo up
${ip.join('\n')}
EOF
hostname ${b.host.name}
mount -t overlay overlay -o lowerdir=/,upperdir=$D/upper,workdir=$D/work $R
mount -t proc proc $R/proc
mount -t sysfs sysfs $R/sys
${b.docker ? 'mount --rbind /sys/fs/cgroup $R/sys/fs/cgroup\n' : ''}mount --rbind /dev $R/dev
mount -t tmpfs -o mode=755 tmpfs $R/run
mount -t tmpfs -o mode=1777 tmpfs $R/tmp
mount --bind $D/roothome $R/root
mount --bind $D/home $R/home
${b.docker ? 'mount --bind $D/docker $R/var/lib/docker\n' : ''}${existsSync('/usr/local/bin/docker') ? 'mount --bind /usr/local/bin/docker $R/usr/bin/docker\n' : ''}mount --bind $D/log $R/var/log/omsplay-lab
mount --bind -o ro ${b.sharedDir} $R/mnt/lab-shared
# Hide the lab's state (keys of every host) from inside the host.
mount -t tmpfs -o mode=700,size=1m tmpfs $R${b.labDir}
mkdir -p $R/run/sshd $R/run/omsplay-lab
mount --bind $D/ctl $R/run/omsplay-lab
${b.docker ? DOCKER_KEY_RESET : ''}echo "$outer" > $D/pid.tmp && mv $D/pid.tmp $D/pid
cd $R
mkdir -p .oldroot
pivot_root . .oldroot
cd /
umount -l /.oldroot
rmdir /.oldroot
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
${docker.join('\n')}
exec /usr/sbin/sshd -D -f /etc/ssh/lab/sshd_config -E /var/log/omsplay-lab/sshd.log
`;
}
