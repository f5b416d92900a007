/**
 * The target the domain-module integration tests run against: lab host h1 (real sshd, its own
 * dockerd) reached over SSH (the ssh2 ConnectionPool, one kept connection per host) as root, and
 * the lab's MariaDB as the MetaDB.
 */
import mysql from 'mysql2/promise';
import type { Connection, ExecResult } from '../../../lib/connection/types.js';
import type { ModuleContext, ModuleDefinition, ModuleResult, ProgressEvent } from '../../../lib/modules/types.js';
import { Masker } from '../../../lib/secrets.js';
import { getLab } from '../../lab/context.js';
import { ConnectionPool } from '../../../lib/connection/pool.js';
import type { ConnectionSettings } from '../../../lib/connection/types.js';
import type { Lab } from '../../lab/lab.js';

export interface Target {
  conn: Connection;
  host: string;
  /** docker -H value for this target's daemon (undefined = the host's default socket). */
  dockerHost?: string;
  /** MetaDB as seen from the target (mysql.dump/restore) and from the control node (mysql.query). */
  db: { host: string; port: number };
  /** Runs argv inside the target host for assertions (not through the module under test). */
  sh(argv: string[]): Promise<ExecResult>;
  /** docker CLI against the target's daemon, for setup and assertions. */
  docker(...args: string[]): Promise<ExecResult>;
  /** Image (busybox) present on the target's daemon. */
  baseImage: string;
  /** An all-privileges MetaDB session from the control node, for setup and assertions. */
  admin(): Promise<mysql.Connection>;
  /** The same host reached as the non-root sudoer `admin` (sudo asks its password). */
  asAdmin(): { conn: Connection; become: { password: string } };
  /** Another lab host over SSH as root (e.g. h4: no dockerd, reachable only through its bastion). */
  other(name: string): Promise<Connection>;
}

const HOST = 'h1';
let cached: Promise<Target> | undefined;

/** A pool that logs into every lab host as `user` with the lab's key and known_hosts only. */
function labPool(lab: Lab, user: 'root' | 'admin'): ConnectionPool {
  const settings = (name: string): ConnectionSettings | undefined => {
    const h = lab.hosts.find((x) => x.name === name);
    if (!h) return undefined;
    return {
      connection: 'ssh',
      address: h.address,
      port: h.port,
      user: lab.users[user].name,
      keyFile: lab.users[user].keyFile,
      knownHostsFile: lab.knownHostsFile,
      jump: h.bastionOnly && h.bastion ? [h.bastion] : undefined,
      connectTimeoutMs: 10_000,
    };
  };
  return new ConnectionPool(settings, { knownHostsFiles: [lab.knownHostsFile] });
}

export function getTarget(): Promise<Target> {
  cached ??= (async () => {
    const lab = getLab();
    const db = lab.mariadb;
    if (!db) throw new Error('the lab has no MariaDB');
    const rootPool = labPool(lab, 'root');
    const adminPool = labPool(lab, 'admin');
    const conn = await rootPool.get(HOST);
    const adminConn = await adminPool.get(HOST);
    const probe = await conn.exec({ argv: ['true'] });
    if (probe.exitCode !== 0) throw new Error(`cannot reach lab host ${HOST} over SSH: ${probe.stderr}`);
    const toResult = (r: { code: number; stdout: string; stderr: string }): ExecResult => ({
      exitCode: r.code,
      signal: null,
      stdout: r.stdout,
      stderr: r.stderr,
      durationMs: 0,
      timedOut: false,
    });
    const baseImage = await lab.importBusybox(HOST);
    return {
      conn,
      host: HOST,
      db: { host: db.host, port: db.port },
      sh: async (argv) => toResult(await lab.exec(HOST, argv)),
      docker: async (...args) => toResult(await lab.docker(HOST, args)),
      baseImage,
      other: (name) => rootPool.get(name),
      asAdmin: () => ({
        conn: adminConn,
        become: { password: lab.users.admin.password ?? '' },
      }),
      admin: () => mysql.createConnection({ host: db.host, port: db.port, user: db.user, password: db.password, multipleStatements: true }),
    };
  })();
  return cached;
}

export interface TestCtx extends ModuleContext {
  events: ProgressEvent[];
  commands: string[][];
  /** Ctrl-C for this task. */
  abort(): void;
}

export function ctxFor(
  t: Target,
  opts: { check?: boolean; diff?: boolean; vars?: Record<string, unknown>; conn?: Connection; become?: ModuleContext['become'] } = {},
): TestCtx {
  const conn = opts.conn ?? t.conn;
  const events: ProgressEvent[] = [];
  const commands: string[][] = [];
  const controller = new AbortController();
  return {
    host: t.host,
    conn,
    connectionFor: async () => conn,
    become: opts.become,
    vars: { ...(t.dockerHost ? { docker_host: t.dockerHost } : {}), ...(opts.vars ?? {}) },
    check: opts.check ?? false,
    diff: opts.diff ?? false,
    noLog: false,
    masker: new Masker(),
    signal: controller.signal,
    playbookDir: process.cwd(),
    runDir: '/tmp',
    events,
    commands,
    abort: () => controller.abort(),
    confirm: async () => true,
    progress: (e) => events.push(e),
    exec(command, o) {
      commands.push('argv' in command ? [...command.argv] : ['sh', '-c', command.script]);
      // as the engine does: the task's become applies to every command of the module
      return conn.exec(command, { become: opts.become, signal: controller.signal, ...o });
    },
  };
}

/** Runs a module and returns its result, or the error it threw (for failure assertions). */
export async function run<A>(m: ModuleDefinition<A>, args: A, ctx: ModuleContext): Promise<ModuleResult> {
  return m.run(args, ctx);
}
