/**
 * -vvv: how each host is reached (transport, user, address, bastions, key or agent, become) when its connection
 * opens, and every command run on it with its become, as `detail` events. Secrets are masked; passwords are
 * never shown (they travel on stdin or in the environment, not in a command line).
 */
import { quoteArgv } from '../connection/quote.js';
import { transportEntry } from '../connection/transports.js';
import type { BecomeOptions, Command, Connection, ConnectionSettings, ExecOptions } from '../connection/types.js';
import type { ConnectionProvider } from '../engine/options.js';
import type { Masker } from '../secrets.js';

export type Emit = (host: string, message: string) => void;

export function describeSettings(s: ConnectionSettings | undefined): string {
  if (!s) return 'no connection settings';
  if (s.connection !== 'ssh') return `${s.connection} (${transportEntry(s.connection).summary})${s.become ? `, ${becomeText(true, s)}` : ''}`;
  const auth = [s.keyFile ? `key ${s.keyFile}` : 'default keys (~/.ssh/id_*)', s.agent ? 'ssh-agent' : '', s.passwordEnv ? `password from $${s.passwordEnv}` : ''].filter(Boolean).join(', ');
  const via = s.jump?.length ? ` via ${s.jump.join(' > ')}` : '';
  const become = s.become ? `, ${becomeText(true, s)}` : '';
  return `ssh ${s.user}@${s.address}:${s.port}${via}, ${auth}, connect timeout ${(s.connectTimeoutMs ?? 10_000) / 1000} s${become}`;
}

function becomeText(become: boolean | BecomeOptions | undefined, s?: ConnectionSettings): string {
  if (!become) return '';
  const user = (typeof become === 'object' ? become.user : undefined) ?? s?.becomeUser ?? 'root';
  const password = typeof become === 'object' && become.password !== undefined ? ' (sudo password on stdin)' : '';
  return `become ${user} via sudo${password}`;
}

function commandText(c: Command): string {
  const text = 'argv' in c ? quoteArgv(c.argv) : `sh -c ${JSON.stringify(c.script)}`;
  return text.length > 400 ? `${text.slice(0, 400)}… (${text.length} characters)` : text;
}

function traced(conn: Connection, emit: Emit, mask: (s: string) => string): Connection {
  const say = (m: string) => emit(conn.host, mask(m));
  return {
    host: conn.host,
    connect: () => conn.connect(),
    exec: (command: Command, opts?: ExecOptions) => {
      const become = becomeText(opts?.become);
      say(`EXEC${become ? ` [${become}]` : ''}${opts?.cwd ? ` in ${opts.cwd}` : ''}: ${commandText(command)}`);
      return conn.exec(command, opts);
    },
    put: (source, remotePath, opts) => {
      say(`PUT ${'path' in source ? source.path : `${Buffer.byteLength(source.content)} bytes`} -> ${remotePath}${opts?.become ? ` [${becomeText(opts.become)}]` : ''}`);
      return conn.put(source, remotePath, opts);
    },
    get: (remotePath, localPath, opts) => {
      say(`FETCH ${remotePath} -> ${localPath}`);
      return conn.get(remotePath, localPath, opts);
    },
    forward: conn.forward
      ? (h: string, p: number) => {
          say(`FORWARD to ${h}:${p}`);
          return conn.forward!(h, p);
        }
      : undefined,
    close: () => conn.close(),
  };
}

/** The provider, telling what it does through `emit`. */
export function tracingConnections(inner: ConnectionProvider, settings: (host: string) => ConnectionSettings | undefined, emit: Emit, masker: Masker): ConnectionProvider {
  const mask = (s: string) => masker.mask(s);
  const seen = new Map<string, Promise<Connection>>();
  return {
    get(host: string) {
      let p = seen.get(host);
      if (!p) {
        const started = performance.now();
        emit(host, mask(`connecting: ${describeSettings(settings(host))}`));
        p = inner.get(host).then(
          (c) => {
            emit(host, `connected in ${Math.round(performance.now() - started)} ms`);
            return traced(c, emit, mask);
          },
          (e: Error) => {
            emit(host, mask(`connection failed: ${e.message}`));
            throw e;
          },
        );
        seen.set(host, p);
      }
      return p;
    },
    closeAll: () => inner.closeAll(),
  };
}
