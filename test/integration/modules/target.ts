/**
 * The target the domain-module integration tests run against, and a ModuleContext over it.
 * TODO(lab): switch to getLab() + the SSH pool once they land; until then LocalConnection against
 * the engineer's private dockerd/MariaDB (see README of test/integration/modules).
 */
import mysql from 'mysql2/promise';
import { LocalConnection } from '../../../lib/connection/local.js';
import type { Connection, ExecResult } from '../../../lib/connection/types.js';
import type { ModuleContext, ModuleDefinition, ModuleResult, ProgressEvent } from '../../../lib/modules/types.js';
import { Masker } from '../../../lib/secrets.js';

export interface Target {
  conn: Connection;
  host: string;
  /** docker -H value for this target's daemon ('' = CLI default). */
  dockerHost: string;
  /** MetaDB as seen from the target (for mysql.dump/restore) and from the control node (mysql.query). */
  db: { host: string; port: number; rootUser: string; rootPassword: string };
  /** Runs argv on the target host for assertions (not through the module under test). */
  sh(argv: string[]): Promise<ExecResult>;
  /** Image (busybox) present on the target's daemon. */
  baseImage: string;
  /** An all-privileges MetaDB session from the control node, for setup and assertions. */
  admin(): Promise<mysql.Connection>;
}

export async function getTarget(): Promise<Target> {
  const root = '/var/tmp/omsplay-mod-4';
  const conn = new LocalConnection('dev');
  return {
    conn,
    host: 'dev',
    dockerHost: `unix://${root}/docker.sock`,
    db: { host: '127.0.0.1', port: 33064, rootUser: 'root', rootPassword: '' },
    sh: (argv) => conn.exec({ argv }),
    baseImage: 'omsplay-test:1',
    admin: () => mysql.createConnection({ socketPath: `${root}/mdb/sock`, user: 'root', multipleStatements: true }),
  };
}

export interface TestCtx extends ModuleContext {
  events: ProgressEvent[];
  commands: string[][];
}

export function ctxFor(t: Target, opts: { check?: boolean; diff?: boolean; vars?: Record<string, unknown> } = {}): TestCtx {
  const events: ProgressEvent[] = [];
  const commands: string[][] = [];
  const controller = new AbortController();
  return {
    host: t.host,
    conn: t.conn,
    connectionFor: async () => t.conn,
    vars: { docker_host: t.dockerHost, ...(opts.vars ?? {}) },
    check: opts.check ?? false,
    diff: opts.diff ?? false,
    noLog: false,
    masker: new Masker(),
    signal: controller.signal,
    playbookDir: process.cwd(),
    runDir: '/tmp',
    events,
    commands,
    confirm: async () => true,
    progress: (e) => events.push(e),
    exec(command, o) {
      commands.push('argv' in command ? [...command.argv] : ['sh', '-c', command.script]);
      return t.conn.exec(command, { signal: controller.signal, ...o });
    },
  };
}

/** Runs a module and returns its result, or the error it threw (for failure assertions). */
export async function run<A>(m: ModuleDefinition<A>, args: A, ctx: ModuleContext): Promise<ModuleResult> {
  return m.run(args, ctx);
}
