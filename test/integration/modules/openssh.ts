/**
 * A Connection over the system OpenSSH client (one `ssh` process per command), for the domain
 * modules' integration tests while lib/connection/pool.ts (ssh2) is not there yet. Real sshd on
 * real lab hosts; slower than the pool, same contract: argv quoted by quoteArgv, become through
 * sudo with the password on stdin, put = stdin into a temp name then rename.
 */
import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import { becomeArgv } from '../../../lib/connection/become.js';
import { quote, quoteArgv } from '../../../lib/connection/quote.js';
import type { Command, Connection, ExecOptions, ExecResult, GetOptions, PutOptions } from '../../../lib/connection/types.js';

export class OpenSshConnection implements Connection {
  constructor(
    readonly host: string,
    private readonly sshArgs: string[],
  ) {}

  async connect(): Promise<void> {}

  exec(command: Command, opts: ExecOptions = {}): Promise<ExecResult> {
    const started = performance.now();
    let line = 'argv' in command ? quoteArgv(command.argv) : `sh -c ${quote(command.script)}`;
    const become = becomeArgv(opts.become);
    if (opts.env && Object.keys(opts.env).length) line = `env ${Object.entries(opts.env).map(([k, v]) => quote(`${k}=${v}`)).join(' ')} ${line}`;
    if (become) line = `${quoteArgv(become.argv)} sh -c ${quote(line)}`;
    if (opts.cwd) line = `cd ${quote(opts.cwd)} && ${line}`;
    const [cmd, ...args] = this.sshArgs;
    return new Promise((resolve) => {
      const child = spawn(cmd!, [...args, line], { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      const timer = opts.timeoutMs
        ? setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, opts.timeoutMs)
        : undefined;
      const onAbort = () => child.kill('SIGKILL');
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (c: Buffer) => {
        out.push(c);
        opts.onStdout?.(c);
      });
      child.stderr.on('data', (c: Buffer) => err.push(c));
      child.on('close', (code, sig) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        resolve({
          exitCode: code === 255 ? null : code,
          signal: sig,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          durationMs: performance.now() - started,
          timedOut,
        });
      });
      child.stdin.on('error', () => {});
      if (become?.stdinPrefix) child.stdin.write(become.stdinPrefix);
      const stdin = opts.stdin;
      if (stdin === undefined) child.stdin.end();
      else if (typeof stdin === 'string' || Buffer.isBuffer(stdin)) child.stdin.end(stdin);
      else stdin.pipe(child.stdin);
    });
  }

  async put(source: { path: string } | { content: string | Buffer }, remotePath: string, opts: PutOptions = {}): Promise<void> {
    if (!('content' in source)) throw new Error('OpenSshConnection.put: only content is supported in these tests');
    const mode = opts.mode === undefined ? '0600' : typeof opts.mode === 'number' ? opts.mode.toString(8) : opts.mode;
    const script = 'umask 077; t="$1.omsplay-tmp"; cat > "$t" && chmod "$2" "$t" && mv -f "$t" "$1"';
    // With become, sudo reads its password first, then the content follows on the same stdin.
    const r = await this.exec({ argv: ['sh', '-c', script, 'sh', remotePath, mode] }, { stdin: source.content, become: opts.become });
    if (r.exitCode !== 0) throw new Error(`put ${remotePath} on ${this.host} failed: ${r.stderr.trim()}`);
  }

  async get(_remotePath: string, _localPath: string, _opts?: GetOptions): Promise<void> {
    throw new Error('OpenSshConnection.get is not needed by these tests');
  }

  /** `ssh -W host:port`: the ssh process's stdin/stdout are the TCP stream as seen from the host. */
  async forward(host: string, port: number): Promise<Duplex> {
    const args = [...this.sshArgs];
    const dest = args.pop()!;
    const child = spawn(args[0]!, [...args.slice(1), '-W', `${host}:${port}`, dest], { stdio: ['pipe', 'pipe', 'inherit'] });
    const stream = Duplex.from({ readable: child.stdout, writable: child.stdin });
    stream.on('close', () => child.kill());
    return stream;
  }

  async close(): Promise<void> {}
}
