/**
 * The lab's public shapes. A LabDescriptor is plain JSON: vitest's globalSetup passes it to the test workers
 * (provide/inject), and `attachLab(descriptor)` turns it back into a Lab with working helpers in any process.
 */

/** How one lab host is asked for. */
export interface HostSpec {
  name: string;
  /** Inventory region (default "lab"). */
  region?: string;
  /** Run a dockerd inside this host (default: the lab's `docker` option). */
  docker?: boolean;
  /** sshd port inside the host (default 22). */
  sshPort?: number;
  /** Attached only to the internal bridge; reachable from the control node only through `bastion`. */
  bastionOnly?: boolean;
  /** The lab host that bridges to a bastionOnly host (default: the first host that is not bastionOnly). */
  bastion?: string;
}

export interface LabOptions {
  /** 0..50; isolates concurrent labs (bridge olab<ID>, 10.77.<ID>.0/24, /var/tmp/omsplay-lab-<ID>). Default env LAB_ID or 0. */
  id?: number;
  /** A count (hosts h1..hN) or explicit specs. Default 3. */
  hosts?: number | HostSpec[];
  /** Start MariaDB (the MetaDB) on the bridge address. Default false. */
  mariadb?: boolean;
  /** Default for every host's `docker`. Default false. */
  docker?: boolean;
  /** Sudo of user `admin`: "password" (default; password = users.admin.password) or "nopasswd". User `ops` is always NOPASSWD. */
  adminSudo?: 'password' | 'nopasswd';
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface LabUser {
  name: string;
  /** Private ed25519 key (OpenSSH format, no passphrase) accepted for this user on every host. */
  keyFile: string;
  /** Login password (absent for root: root logs in with its key only). */
  password?: string;
  /**
   * How this user gets root: "root" (already root), "password" (sudo asks users' own password), "nopasswd";
   * "docker-nopasswd" / "docker-password": sudo allows only /usr/bin/docker (without / with the user's password).
   */
  sudo: 'root' | 'password' | 'nopasswd' | 'docker-nopasswd' | 'docker-password';
}

export interface LabUsers {
  root: LabUser;
  /** Non-root user with sudo (password sudo unless adminSudo: "nopasswd"). */
  admin: LabUser;
  /** Non-root user with NOPASSWD sudo. */
  ops: LabUser;
  /** Non-root user whose sudo allows only docker, without a password: `dockerop ALL=(root) NOPASSWD: /usr/bin/docker`. */
  dockerop: LabUser;
  /** Non-root user whose sudo allows only docker, with its own password: `dockerpw ALL=(root) /usr/bin/docker`. */
  dockerpw: LabUser;
}

export type LabUserName = keyof LabUsers;

export interface LabHost {
  name: string;
  index: number;
  /** Address the control node (and the other main-bridge hosts) reach sshd at. For a bastionOnly host: its internal address. */
  address: string;
  /** sshd port. */
  port: number;
  region: string;
  /** Address on the internal bridge olab<ID>i (bastion hosts and bastionOnly hosts). */
  internalAddress?: string;
  bastionOnly?: boolean;
  /** For a bastionOnly host: the lab host to jump through. */
  bastion?: string;
  users: LabUsers;
  /** Control-node path of this host's docker socket (unix). Absent when the host has no dockerd. Inside the host: /run/docker.sock. */
  dockerSocket?: string;
  /** Control-node path of this host's sshd log (LogLevel VERBOSE: one "Connection from" line per TCP connection). */
  sshdLog: string;
  /** Control-node path of this host's dockerd log. */
  dockerdLog?: string;
  /** The host's public host key line ("ssh-ed25519 AAAA..."). */
  hostKey: string;
  /** Network namespace name (ip netns). */
  netns: string;
  /** Per-host state directory on the control node. */
  dir: string;
  /** File holding the root-namespace PID of the host's PID 1 (sshd) while it runs. */
  pidFile: string;
}

export interface LabMariadb {
  /** Bridge address, reachable from the control node and from every main-bridge host. */
  host: string;
  port: number;
  rootPassword: string;
  /** A user with all privileges, allowed from any host. */
  user: string;
  password: string;
  /** Control-node unix socket. */
  socket: string;
  pidFile: string;
  logFile: string;
}

export interface LabDescriptor {
  id: number;
  /** /var/tmp/omsplay-lab-<ID> */
  dir: string;
  bridge: string;
  /** 10.77.<ID>.0/24 */
  subnet: string;
  /** 10.77.<ID>.1: the control node's address on the bridge (MariaDB listens here). */
  gateway: string;
  internalBridge?: string;
  internalSubnet?: string;
  hosts: LabHost[];
  users: LabUsers;
  /** Shorthand for users.*.keyFile. */
  keys: { root: string; admin: string; ops: string; dockerop: string; dockerpw: string };
  /** known_hosts for every host (by address, [address]:port and name). Never the machine's ~/.ssh. */
  knownHostsFile: string;
  mariadb?: LabMariadb;
  /** Control-node directory bound read-only at /mnt/lab-shared in every host (images, tarballs, fixtures). */
  sharedDir: string;
  /** Milliseconds startLab took. */
  startupMs: number;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  stdin?: string | Buffer;
  /** Run as this user (root by default), via runuser. */
  user?: string;
  /** Throw when the command exits non-zero (default false). */
  check?: boolean;
  /** Kill the command after this many ms (default 60000). */
  timeoutMs?: number;
  env?: Record<string, string>;
}

export interface InventoryOptions {
  /** Output path (default <lab dir>/inventory-<n>.yml). */
  file?: string;
  /** Host names to include (default: all lab hosts). */
  hosts?: string[];
  /** Override the region of hosts: {hostName: region}. */
  regions?: Record<string, string>;
  /** Login user (default root). */
  user?: LabUserName;
  /** connection.become at the "all" level (default false). */
  become?: boolean;
  /** connection.become_password_env (set when the user's sudo asks a password and become is true; default OMSPLAY_LAB_SUDO_PASS). */
  becomePasswordEnv?: string;
  /** "all"-level vars. */
  vars?: Record<string, unknown>;
  /** Extra "all"-level connection keys, merged over the generated ones. */
  connection?: Record<string, unknown>;
  /** Per-host vars. */
  hostVars?: Record<string, Record<string, unknown>>;
  /** Groups: name -> host names. */
  groups?: Record<string, string[] | { hosts?: string[]; children?: string[]; vars?: Record<string, unknown> }>;
}
