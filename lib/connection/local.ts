/**
 * The local connection: runs commands on the control node (inventory `connection: local`,
 * `delegate_to: localhost`). Same contract as ssh: argv arrays, become through sudo -S with the
 * password on stdin, temp-file-then-rename transfers.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, chown, rename, rm, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { Command, Connection, ExecOptions, ExecResult, GetOptions, PutOptions } from './types.js';
import { armKillSwitch } from './kill-switch.js';
import { becomeRefusal } from './become.js';
import { DIRECT_NO_PROMPT_MS, type RemoteCommand, StderrFilter, remoteCommand } from './ssh-command.js';

export class LocalConnection implements Connection {
  constructor(readonly host = 'localhost') {}

  async connect(): Promise<void> {}

  exec(command: Command, opts: ExecOptions = {}): Promise<ExecResult> {
    const started = performance.now();
    // The same command line and sudo protocol as over ssh (ssh-command.ts): a sudo password is sent only
    // when sudo's marked prompt appears, and the caller's stdin only once the command has started, so
    // a sudo that needs no password never passes the password on to the command.
    let rc: RemoteCommand;
    try {
      rc = remoteCommand(command, { become: opts.become, env: opts.env, cwd: opts.cwd });
    } catch (e) {
      return Promise.reject(e);
    }
    const { line, sudoPassword } = rc;
    return new Promise<ExecResult & { becomeStarted?: boolean }>((resolve) => {
      const child = spawn('/bin/sh', ['-c', line], {
        env: process.env,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true, // own process group, so a timeout or Ctrl-C ends the whole tree
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const filter = new StderrFilter(rc.sudoAuth);
      const kill = () => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      };
      const killSwitch = armKillSwitch(opts, kill);
      let stdinStarted = false;
      const startStdin = () => {
        if (stdinStarted) return;
        stdinStarted = true;
        const stdin = opts.stdin;
        if (stdin === undefined) child.stdin.end();
        else if (typeof stdin === 'string' || Buffer.isBuffer(stdin)) child.stdin.end(stdin);
        else stdin.pipe(child.stdin);
      };
      let prompts = 0;
      // sudo_direct with a password: no start marker (see ssh.ts).
      const noPrompt = rc.sudoAuth === 'direct' ? setTimeout(startStdin, DIRECT_NO_PROMPT_MS) : undefined;
      child.stdout.on('data', (c: Buffer) => {
        out.push(c);
        opts.onStdout?.(c);
      });
      child.stderr.on('data', (c: Buffer) => {
        const { out: text, events } = filter.push(c);
        if (text.length) err.push(text);
        for (const ev of events) {
          if (ev === 'authenticated') startStdin();
          else if (prompts++ === 0 && !stdinStarted) {
            clearTimeout(noPrompt);
            child.stdin.write(`${sudoPassword}\n`);
            if (rc.sudoAuth === 'direct') startStdin();
          }
          // A second prompt means the password was wrong: end instead of feeding it stdin.
          else kill();
        }
      });
      const done = (result: Omit<ExecResult, 'durationMs' | 'timedOut'>) => {
        killSwitch.disarm();
        clearTimeout(noPrompt);
        resolve({ ...result, becomeStarted: rc.sudoAuth === 'marked' ? stdinStarted : undefined, durationMs: performance.now() - started, timedOut: killSwitch.timedOut });
      };
      child.on('error', (e) => done({ exitCode: 127, signal: null, stdout: '', stderr: `sh: ${e.message}` }));
      child.on('close', (code, sig) => {
        err.push(filter.flush());
        done({ exitCode: code, signal: sig, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
      });
      child.stdin.on('error', () => {}); // EPIPE when the command does not read stdin
      if (sudoPassword === undefined) startStdin();
    }).then((r) => {
      if (rc.become) {
        const refused = becomeRefusal(r, { host: this.host, user: loginUser(), become: rc.become, ran: rc.sudoRuns, started: r.becomeStarted });
        if (refused) throw refused;
      }
      return r;
    });
  }

  async put(source: { path: string } | { content: string | Buffer }, remotePath: string, opts: PutOptions = {}): Promise<void> {
    const tmp = `${remotePath}.omsplay-tmp-${process.pid}`;
    try {
      if ('content' in source) {
        await writeFile(tmp, source.content, { mode: 0o600 });
      } else {
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
      if (opts.mode !== undefined) await chmod(tmp, typeof opts.mode === 'number' ? opts.mode : Number.parseInt(opts.mode, 8));
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


function loginUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
