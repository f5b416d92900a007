/**
 * The test lab: real hosts on this machine (network namespace + own hostname + copy-on-write root + own sshd and,
 * optionally, own dockerd), a MariaDB MetaDB on the bridge, per-lab keys and known_hosts. See test/lab/README.md.
 *
 *   const lab = await startLab({ id: 1, hosts: [{ name: 'h1', docker: true }], mariadb: true });
 *   await lab.exec('h1', ['hostname']);   // { code: 0, stdout: 'h1\n', stderr: '' }
 *   await lab.stop();
 *
 * A Lab is a LabDescriptor (plain JSON, what vitest passes to test workers) plus helpers; attachLab(descriptor)
 * rebuilds one in any process. Helpers read live state (pidfiles), so kill/restart from any process stay coherent.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cleanupLab } from './cleanup.js';
import { createCredentials, knownHostsText, newKeyPair } from './credentials.js';
import { accountFiles, type HostBuild, writeHostFiles } from './host-files.js';
import { hostPid, killHost, spawnHost, waitHostReady } from './host-process.js';
import { busyboxTar } from './images.js';
import { writeInventory } from './inventory.js';
import { initMariadb, mariadbDescriptor, startMariadb } from './mariadb.js';
import {
  bridgeName,
  checkHostName,
  checkLabId,
  defaultLabId,
  gateway,
  hostAddress,
  internalAddress,
  internalBridgeName,
  internalSubnet,
  labDir,
  MAX_HOSTS,
  netnsName,
  subnet,
} from './names.js';
import { createNetwork, setHostLinks } from './network.js';
import { ensurePackages } from './packages.js';
import { LAB_PATH, run } from './run.js';
import type {
  LabUserName,
  ExecOptions,
  ExecResult,
  HostSpec,
  InventoryOptions,
  LabDescriptor,
  LabHost,
  LabMariadb,
  LabOptions,
  LabUsers,
} from './types.js';

export type * from './types.js';

const BUSYBOX_IMAGE = 'omsplay-lab/busybox:latest';

export class Lab {
  private inventoryCount = 0;

  constructor(readonly descriptor: LabDescriptor) {}

  get id(): number {
    return this.descriptor.id;
  }
  get dir(): string {
    return this.descriptor.dir;
  }
  get hosts(): LabHost[] {
    return this.descriptor.hosts;
  }
  get users(): LabUsers {
    return this.descriptor.users;
  }
  get keys(): LabDescriptor['keys'] {
    return this.descriptor.keys;
  }
  get knownHostsFile(): string {
    return this.descriptor.knownHostsFile;
  }
  get mariadb(): LabMariadb | undefined {
    return this.descriptor.mariadb;
  }
  get sharedDir(): string {
    return this.descriptor.sharedDir;
  }

  /** The descriptor (for JSON.stringify and vitest's provide). */
  toJSON(): LabDescriptor {
    return this.descriptor;
  }

  host(name: string): LabHost {
    const h = this.descriptor.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`no lab host ${JSON.stringify(name)} (have ${this.descriptor.hosts.map((x) => x.name).join(', ')})`);
    return h;
  }

  /** Root-namespace PID of the host's PID 1 (its sshd), or undefined when the host is down. */
  pid(name: string): Promise<number | undefined> {
    return hostPid(this.host(name));
  }

  async isUp(name: string): Promise<boolean> {
    return (await this.pid(name)) !== undefined;
  }

  /** Tears the whole lab down (processes, namespaces, bridges, MariaDB, files). OMSPLAY_LAB_KEEP=1 keeps the files. */
  async stop(opts: { keepFiles?: boolean } = {}): Promise<void> {
    await cleanupLab(this.id, { keepDir: opts.keepFiles ?? process.env.OMSPLAY_LAB_KEEP === '1' });
  }

  /**
   * Host death: SIGKILL of the host's PID 1 ends every process of it (sshd, dockerd, containers) at once. Its
   * address stays on the bridge, so peers get "connection refused"/RST. Use cut() for a host that goes silent.
   * Returns false when the host was already down.
   */
  kill(name: string): Promise<boolean> {
    return killHost(this.host(name));
  }

  /** Boots the host again on the same disk (overlay upper, /root, /home, /var/lib/docker are kept); waits for sshd/dockerd. */
  async restart(name: string): Promise<void> {
    const h = this.host(name);
    await killHost(h);
    await setHostLinks(this.id, h, true);
    await waitHostReady(h, await spawnHost(h));
  }

  /** Unplugs the host: its bridge ports go down, packets to it vanish (connections hang until their timeouts). */
  cut(name: string): Promise<void> {
    return setHostLinks(this.id, this.host(name), false);
  }

  /** Plugs a cut host back in. */
  heal(name: string): Promise<void> {
    return setHostLinks(this.id, this.host(name), true);
  }

  /**
   * Runs argv inside the host (all its namespaces, its root filesystem) via nsenter: no SSH, no sshd log lines.
   * Environment is clean (PATH, HOME, LANG, plus opts.env). opts.user runs as that user (setpriv, no PAM).
   */
  async exec(name: string, argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const h = this.host(name);
    const pid = await hostPid(h);
    if (pid === undefined) throw new Error(`lab host ${name} is down`);
    const user = opts.user ?? 'root';
    const home = user === 'root' ? '/root' : `/home/${user}`;
    const env = { PATH: LAB_PATH, HOME: home, USER: user, LOGNAME: user, LANG: 'C.UTF-8', ...(opts.env ?? {}) };
    const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    const asUser = user === 'root' ? [] : ['setpriv', `--reuid=${user}`, `--regid=${user}`, '--init-groups', '--'];
    const r = await run(
      'nsenter',
      ['-t', String(pid), '-a', '--', '/usr/bin/env', '-i', ...envArgs, ...asUser, ...argv],
      { input: opts.stdin, timeoutMs: opts.timeoutMs ?? 60_000 },
    );
    if (opts.check && r.code !== 0) {
      throw new Error(`[${name}] ${argv.join(' ')} exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 2000)}`);
    }
    return r;
  }

  /** exec(name, ['bash', '-c', script]). */
  sh(name: string, script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    return this.exec(name, ['/bin/bash', '-c', script], opts);
  }

  /** Runs the docker client on the control node against the host's dockerd. */
  async docker(name: string, args: string[], opts: { stdin?: string | Buffer; check?: boolean; timeoutMs?: number } = {}): Promise<ExecResult> {
    const h = this.host(name);
    if (!h.dockerSocket) throw new Error(`lab host ${name} has no dockerd (start it with docker: true)`);
    const r = await run('docker', ['-H', `unix://${h.dockerSocket}`, ...args], {
      input: opts.stdin,
      timeoutMs: opts.timeoutMs ?? 120_000,
      env: { PATH: LAB_PATH, HOME: this.dir, DOCKER_CONFIG: `${this.dir}/docker-client`, LANG: 'C.UTF-8' },
    });
    if (opts.check && r.code !== 0) {
      throw new Error(`[${name}] docker ${args.join(' ')} exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 2000)}`);
    }
    return r;
  }

  /** Imports a busybox-static image (no registry) into the host's docker; returns its tag. */
  async importBusybox(name: string, tag = BUSYBOX_IMAGE): Promise<string> {
    const tar = await busyboxTar(`${this.sharedDir}/busybox-rootfs.tar`);
    await this.docker(name, ['import', '-c', 'CMD ["/bin/sh"]', tar, tag], { check: true });
    return tag;
  }

  /**
   * argv for the system OpenSSH client reaching the host as `user` with the lab's key and known_hosts only
   * (never ~/.ssh); bastionOnly hosts go through their bastion. Append the remote command.
   */
  sshArgs(name: string, opts: { user?: LabUserName; knownHostsFile?: string } = {}): string[] {
    const h = this.host(name);
    const user = this.users[opts.user ?? 'root'];
    const common = [
      '-F',
      '/dev/null',
      '-o',
      'BatchMode=yes',
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      `UserKnownHostsFile=${opts.knownHostsFile ?? this.knownHostsFile}`,
      '-o',
      'GlobalKnownHostsFile=/dev/null',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'ConnectTimeout=5',
      '-o',
      'LogLevel=ERROR',
      '-i',
      user.keyFile,
    ];
    const args = ['ssh', ...common, '-p', String(h.port)];
    if (h.bastionOnly && h.bastion) {
      const b = this.host(h.bastion);
      const proxy = ['ssh', ...common, '-p', String(b.port), '-W', '%h:%p', `${user.name}@${b.address}`].join(' ');
      args.push('-o', `ProxyCommand=${proxy}`);
    }
    args.push(`${user.name}@${h.address}`);
    return args;
  }

  /** Runs a command over real SSH with the system client (one fresh connection, logged by the host's sshd). */
  ssh(
    name: string,
    command: string,
    opts: { user?: LabUserName; knownHostsFile?: string; stdin?: string; timeoutMs?: number } = {},
  ): Promise<ExecResult> {
    const [cmd, ...args] = this.sshArgs(name, opts);
    return run(cmd!, [...args, command], { input: opts.stdin, timeoutMs: opts.timeoutMs ?? 30_000 });
  }

  /**
   * Number of TCP connections the host's sshd has accepted so far (its "Connection from" log lines). Compare before
   * and after a run to prove connection reuse.
   */
  async sshConnections(name: string): Promise<number> {
    const text = await readFile(this.host(name).sshdLog, 'utf8').catch(() => '');
    return text.split('\n').filter((l) => l.startsWith('Connection from ')).length;
  }

  /**
   * Writes a known_hosts file for some hosts (default all), optionally with other keys (e.g. another host's key,
   * to test a changed host key) — for "unknown host" tests leave the host out. Returns the path.
   */
  async writeKnownHosts(opts: { file: string; hosts?: string[]; keys?: Record<string, string> }): Promise<string> {
    const names = opts.hosts ?? this.hosts.map((h) => h.name);
    const text = knownHostsText(
      names.map((n) => {
        const h = this.host(n);
        return { names: knownHostNames(h), port: h.port, key: opts.keys?.[n] ?? h.hostKey };
      }),
    );
    await writeFile(opts.file, text, { mode: 0o644 });
    return opts.file;
  }

  /** Writes an omsplay inventory YAML for (some of) the lab's hosts and returns its path. */
  inventory(opts: InventoryOptions = {}): Promise<string> {
    this.inventoryCount += 1;
    const file = opts.file ?? `${this.dir}/inventory-${process.pid}-${this.inventoryCount}.yml`;
    return writeInventory(this.descriptor, file, opts);
  }
}

/** Rebuilds a Lab (with helpers) from a descriptor, e.g. the one vitest provides. */
export function attachLab(descriptor: LabDescriptor): Lab {
  return new Lab(descriptor);
}

/** The running lab with this ID, from its lab.json (written once it is up). */
export async function loadLab(id: number = defaultLabId()): Promise<Lab> {
  const file = `${labDir(checkLabId(id))}/lab.json`;
  if (!existsSync(file)) throw new Error(`lab ${id} is not running (no ${file})`);
  return new Lab(JSON.parse(await readFile(file, 'utf8')) as LabDescriptor);
}

/** Names a host is known by in known_hosts: its address, its name, and its internal address if any. */
function knownHostNames(h: LabHost): string[] {
  return [...new Set([h.address, h.name, ...(h.internalAddress ? [h.internalAddress] : [])])];
}

function normalizeSpecs(hosts: LabOptions['hosts']): HostSpec[] {
  const specs = typeof hosts === 'number' || hosts === undefined
    ? Array.from({ length: hosts ?? 3 }, (_, i) => ({ name: `h${i + 1}` }))
    : hosts;
  if (specs.length === 0) throw new Error('a lab needs at least one host');
  if (specs.length > MAX_HOSTS) throw new Error(`a lab has at most ${MAX_HOSTS} hosts (asked for ${specs.length})`);
  const names = new Set<string>();
  for (const s of specs) {
    checkHostName(s.name);
    if (names.has(s.name)) throw new Error(`duplicate lab host name ${s.name}`);
    names.add(s.name);
  }
  return specs;
}

/** True when this machine's capability bounding set lacks CAP_SYS_RESOURCE (then docker needs the runc wrapper). */
async function lacksSysResource(): Promise<boolean> {
  const status = await readFile('/proc/self/status', 'utf8');
  const m = /^CapBnd:\s*([0-9a-f]+)/m.exec(status);
  return m ? (BigInt(`0x${m[1]}`) & (1n << 24n)) === 0n : false;
}

function planHosts(id: number, specs: HostSpec[], opts: LabOptions, users: LabUsers): LabHost[] {
  const dir = labDir(id);
  const firstMain = specs.find((s) => !s.bastionOnly);
  const bastions = new Set<string>();
  for (const s of specs) {
    if (!s.bastionOnly) continue;
    const b = s.bastion ?? firstMain?.name;
    const target = specs.find((x) => x.name === b);
    if (!target || target.bastionOnly) throw new Error(`bastionOnly host ${s.name} needs a bastion that is a normal lab host (got ${b})`);
    bastions.add(target.name);
  }
  return specs.map((s, index) => {
    const hdir = `${dir}/hosts/${s.name}`;
    const docker = s.docker ?? opts.docker ?? false;
    const internal = s.bastionOnly || bastions.has(s.name);
    const h: LabHost = {
      name: s.name,
      index,
      address: s.bastionOnly ? internalAddress(id, index) : hostAddress(id, index),
      port: s.sshPort ?? 22,
      region: s.region ?? 'lab',
      users,
      sshdLog: `${hdir}/log/sshd.log`,
      hostKey: '',
      netns: netnsName(id, s.name),
      dir: hdir,
      pidFile: `${hdir}/pid`,
    };
    if (internal) h.internalAddress = internalAddress(id, index);
    if (s.bastionOnly) {
      h.bastionOnly = true;
      h.bastion = s.bastion ?? firstMain!.name;
    }
    if (docker) {
      h.dockerSocket = `${hdir}/ctl/docker.sock`;
      h.dockerdLog = `${hdir}/log/dockerd.log`;
    }
    return h;
  });
}

/** /etc/hosts as `self` sees the lab: peers on a shared bridge by that bridge's address. */
function etcHostsFor(id: number, self: LabHost, all: LabHost[], mariadb: boolean): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', `${self.address}\t${self.name}`];
  for (const o of all) {
    if (o === self) continue;
    if (!self.bastionOnly && !o.bastionOnly) lines.push(`${o.address}\t${o.name}`);
    else if (self.internalAddress && o.internalAddress) lines.push(`${o.internalAddress}\t${o.name}`);
  }
  if (!self.bastionOnly) lines.push(`${gateway(id)}\tlabgw${mariadb ? ' metadb' : ''}`);
  return `${lines.join('\n')}\n`;
}

function interfacesFor(h: LabHost): HostBuild['interfaces'] {
  if (h.bastionOnly) return [{ dev: 'eth0', cidr: `${h.internalAddress}/24` }];
  const out = [{ dev: 'eth0', cidr: `${h.address}/24` }];
  if (h.internalAddress) out.push({ dev: 'eth1', cidr: `${h.internalAddress}/24` });
  return out;
}

/**
 * Brings a lab up (after removing whatever a previous lab with the same ID left behind). Throws with the reason
 * when anything fails, after tearing down what it started.
 */
export async function startLab(opts: LabOptions = {}): Promise<Lab> {
  const t0 = Date.now();
  const log = opts.log ?? (() => {});
  const id = checkLabId(opts.id ?? defaultLabId());
  const dir = labDir(id);
  const specs = normalizeSpecs(opts.hosts);
  if (process.getuid?.() !== 0) throw new Error('the lab needs root (network namespaces, mounts)');
  await ensurePackages(log);

  await cleanupLab(id);
  try {
    await mkdir(`${dir}/shared`, { recursive: true, mode: 0o755 });
    await mkdir(`${dir}/docker-client`, { recursive: true });
    const dbInit = opts.mariadb ? initMariadb(dir) : undefined;
    // Don't let an early failure elsewhere leave this promise's rejection unhandled.
    dbInit?.catch(() => {});
    const [creds, wrapper] = await Promise.all([
      createCredentials(`${dir}/keys`, id, opts.adminSudo ?? 'password'),
      lacksSysResource(),
    ]);
    const accounts = await accountFiles(creds);
    const hosts = planHosts(id, specs, opts, creds.users);
    const hostKeys = hosts.map((h) => newKeyPair(`omsplay-lab-${id}-${h.name}`));
    hosts.forEach((h, i) => {
      h.hostKey = hostKeys[i]!.public.split(' ').slice(0, 2).join(' ');
    });
    const knownHosts = knownHostsText(hosts.map((h) => ({ names: knownHostNames(h), port: h.port, key: h.hostKey })));
    const knownHostsFile = `${dir}/known_hosts`;
    await writeFile(knownHostsFile, knownHosts, { mode: 0o644 });
    log(`lab ${id}: planned ${hosts.length} hosts (${Date.now() - t0} ms)`);

    await createNetwork(id, hosts);
    log(`lab ${id}: network up (${Date.now() - t0} ms)`);

    const mariadb = opts.mariadb ? mariadbDescriptor(dir, gateway(id)) : undefined;
    const dbStart = mariadb ? dbInit!.then(() => startMariadb(dir, mariadb)) : Promise.resolve();
    dbStart.catch(() => {});

    const launches = await Promise.all(
      hosts.map(async (h, i) => {
        const build: HostBuild = {
          host: h,
          docker: !!h.dockerSocket,
          interfaces: interfacesFor(h),
          etcHosts: etcHostsFor(id, h, hosts, !!mariadb),
          knownHosts,
          labDir: dir,
          sharedDir: `${dir}/shared`,
          runcWrapper: wrapper,
        };
        await writeHostFiles(build, creds, accounts, hostKeys[i]!);
        return spawnHost(h);
      }),
    );
    log(`lab ${id}: hosts spawned (${Date.now() - t0} ms)`);
    await Promise.all(hosts.map((h, i) => waitHostReady(h, launches[i], 60_000 + hosts.length * 200)));
    log(`lab ${id}: hosts ready (${Date.now() - t0} ms)`);
    await dbStart;

    const descriptor: LabDescriptor = {
      id,
      dir,
      bridge: bridgeName(id),
      subnet: subnet(id),
      gateway: gateway(id),
      hosts,
      users: creds.users,
      keys: {
        root: creds.users.root.keyFile,
        admin: creds.users.admin.keyFile,
        ops: creds.users.ops.keyFile,
        dockerop: creds.users.dockerop.keyFile,
        dockerpw: creds.users.dockerpw.keyFile,
      },
      knownHostsFile,
      sharedDir: `${dir}/shared`,
      startupMs: Date.now() - t0,
    };
    if (hosts.some((h) => h.internalAddress)) {
      descriptor.internalBridge = internalBridgeName(id);
      descriptor.internalSubnet = internalSubnet(id);
    }
    if (mariadb) descriptor.mariadb = mariadb;
    await writeFile(`${dir}/lab.json`, `${JSON.stringify(descriptor, null, 2)}\n`);
    log(`lab ${id}: up in ${descriptor.startupMs} ms`);
    return new Lab(descriptor);
  } catch (e) {
    // Keep the files: the logs under the lab directory say why.
    await cleanupLab(id, { keepDir: true }).catch(() => {});
    throw new Error(`lab ${id} could not start: ${(e as Error).message} (logs under ${dir})`);
  }
}
