/**
 * The local transport: runs commands on the control node (inventory `connection: local`, `delegate_to: localhost`).
 * Same contract as ssh: argv arrays, the same command line and sudo session (ssh-command.ts, session.ts),
 * temp-file-then-rename transfers, and put() with become staged and moved into place by the become user.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, chown, rename, rm, stat, writeFile } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { localUserName } from './login-user.js';
import { abortedBeforeStart, CommandSession, execChecked, type SessionResult, throwIfBecomeRefused } from './session.js';
import { remoteCommand } from './ssh-command.js';
import { installStagedArgv, putBecome, putMode, stagePath } from './staged-put.js';
import type { Transport } from './transport.js';
import type { Command, Connection, ExecOptions, ExecResult, GetOptions, PutOptions } from './types.js';

export class LocalConnection implements Connection {
  constructor(readonly host = 'localhost') {}

  async connect(): Promise<void> {}

  async exec(command: Command, opts: ExecOptions = {}): Promise<ExecResult> {
    const rc = remoteCommand(command, { become: opts.become, env: opts.env, cwd: opts.cwd });
    if (opts.signal?.aborted) return abortedBeforeStart();
    const r = await new Promise<SessionResult>((resolve) => {
      const child = spawn('/bin/sh', ['-c', rc.line], {
        env: process.env,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true, // own process group, so a timeout or Ctrl-C ends the whole tree
      });
      const session = new CommandSession(rc, opts, {
        write: (data) => child.stdin.write(data),
        end: (data) => (data === undefined ? child.stdin.end() : child.stdin.end(data)),
        pipe: (stream) => stream.pipe(child.stdin),
        kill: () => {
          try {
            if (child.pid) process.kill(-child.pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
        },
      });
      const done = (code: number | null, sig: string | null) => {
        const result = session.finish(code, sig);
        if (result) resolve(result);
      };
      child.stdout.on('data', (c: Buffer) => session.stdout(c));
      child.stderr.on('data', (c: Buffer) => session.stderr(c));
      child.on('error', (e) => {
        session.stderr(Buffer.from(`sh: ${e.message}`));
        done(127, null);
      });
      child.on('close', done);
      child.stdin.on('error', () => {}); // EPIPE when the command does not read stdin
      session.begin();
    });
    throwIfBecomeRefused(rc, r, { host: this.host, user: localUserName() });
    return r;
  }

  async put(source: { path: string } | { content: string | Buffer }, remotePath: string, opts: PutOptions = {}): Promise<void> {
    const become = putBecome(opts.become);
    const rand = randomBytes(6).toString('hex');
    // With become the login user may not write the destination directory: stage in /tmp, then sudo moves it.
    const tmp = become ? stagePath(rand) : `${remotePath}.omsplay-tmp-${rand}`;
    try {
      await write(source, tmp, opts);
      if (become) {
        await execChecked(this, installStagedArgv(tmp, remotePath, rand, opts, become), become);
        return;
      }
      await chmod(tmp, putMode(opts.mode));
      if (opts.owner || opts.group) {
        const { uid, gid } = await ownerIds(opts.owner, opts.group);
        await chown(tmp, uid, gid);
      }
      await rename(tmp, remotePath);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  async get(remotePath: string, localPath: string, opts: GetOptions = {}): Promise<void> {
    const tmp = `${localPath}.omsplay-tmp-${process.pid}`;
    try {
      await pipeline(createReadStream(remotePath), createWriteStream(tmp, { mode: 0o600 }), { signal: opts.signal });
      await rename(tmp, localPath);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  async close(): Promise<void> {}
}

/** The local transport for the registry (transports.ts): no per-run state, nothing to close. */
export const transport: Transport = {
  start: () => ({
    connect: async (host) => new LocalConnection(host),
    closeAll: async () => {},
  }),
};

/** Writes the content or streams the file to `tmp` (0600 until it is in place). */
async function write(source: { path: string } | { content: string | Buffer }, tmp: string, opts: PutOptions): Promise<void> {
  if ('content' in source) {
    await writeFile(tmp, source.content, { mode: 0o600 });
    const total = Buffer.byteLength(source.content);
    opts.onProgress?.({ transferred: total, total });
    return;
  }
  const total = (await stat(source.path)).size;
  let transferred = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      transferred += chunk.length;
      opts.onProgress?.({ transferred, total });
      cb(null, chunk);
    },
  });
  await pipeline(createReadStream(source.path), counter, createWriteStream(tmp, { mode: 0o600 }), { signal: opts.signal });
}

async function ownerIds(owner?: string, group?: string): Promise<{ uid: number; gid: number }> {
  const id = async (args: string[]) => {
    const r = await new LocalConnection().exec({ argv: ['id', ...args] });
    return Number.parseInt(r.stdout.trim(), 10);
  };
  const uid = owner ? (/^\d+$/.test(owner) ? Number(owner) : await id(['-u', owner])) : -1;
  const gid = group ? (/^\d+$/.test(group) ? Number(group) : await getGid(group)) : owner ? await id(['-g', owner]) : -1;
  return { uid, gid };
}

async function getGid(group: string): Promise<number> {
  const r = await new LocalConnection().exec({ argv: ['getent', 'group', group] });
  return Number.parseInt(r.stdout.split(':')[2] ?? '-1', 10);
}
