/**
 * Run locks (play keyword `lock: NAME`): two runs against the same environment must not overlap
 * (two upgrades at once would each stop, back up and restore the other's work). A lock is a directory
 * /var/lock/omsplay/NAME on every host of the play, created atomically with an `owner` file inside
 * (who, which run, pid, since when, which playbook): a staging directory is filled first, then renamed
 * onto NAME, and rename(2) refuses when NAME exists. Held until the run ends (also on failure and
 * Ctrl-C); a person breaks a stale one with `omsplay unlock` or `rm -rf /var/lock/omsplay/NAME`.
 */
import { hostname, userInfo } from 'node:os';
import type { Connection } from '../connection/types.js';
import { ExitCode, OmsplayError } from '../errors.js';

export const LOCK_DIR = '/var/lock/omsplay';
export const LOCK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The run cannot take its lock: another run holds it, or a host could not be locked (exit 1, or 3 when unreachable). */
export class LockError extends OmsplayError {
  readonly kind = 'locked';
  readonly exitCode: typeof ExitCode.error | typeof ExitCode.hostUnreachable;
  constructor(message: string, opts: { hint?: string; unreachable?: boolean } = {}) {
    super(message, opts);
    this.exitCode = opts.unreachable ? ExitCode.hostUnreachable : ExitCode.error;
  }
}

export interface LockOwner {
  owner: string;
  run: string;
  pid: string;
  since: string;
  playbook: string;
}

export function lockPath(name: string): string {
  return `${LOCK_DIR}/${name}`;
}

export function ownerFile(o: LockOwner): string {
  return `${Object.entries(o).map(([k, v]) => `${k}=${v.replace(/\n/g, ' ')}`).join('\n')}\n`;
}

export function parseOwner(text: string): Partial<LockOwner> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

export function describeOwner(o: Partial<LockOwner>): string {
  if (!o.owner && !o.run) return 'an unknown holder (no owner file)';
  return `${o.owner ?? '?'} (run ${o.run ?? '?'}, pid ${o.pid ?? '?'}, since ${o.since ?? '?'}, playbook ${o.playbook ?? '?'})`;
}

/**
 * Takes the lock. Exit 0: taken (or already held by this run); 3: held by another (stdout: its owner
 * file); anything else: could not create it (stderr says why).
 */
export function acquireCommand(name: string, owner: LockOwner): string[] {
  const script = [
    'umask 022; d=$1; o=$2; run=$3; parent=$4',
    // The parent is shared by every user (sticky, like /tmp): anyone may take a lock, only its taker remove it.
    // (/var/lock is a symlink to /run/lock, which may not exist yet on a fresh tmpfs: create the real path.)
    'p=$(readlink -m "$parent"); [ -d "$p" ] || { mkdir -p "$p" && chmod 1777 "$p"; } || exit 1',
    'if [ -d "$d" ]; then grep -qxF "run=$run" "$d/owner" 2>/dev/null && exit 0; cat "$d/owner" 2>/dev/null; exit 3; fi',
    't=$(mktemp -d "$d.XXXXXX") || exit 1',
    'printf %s "$o" > "$t/owner" && chmod 755 "$t" || { rm -rf "$t"; exit 1; }',
    'if mv -T "$t" "$d" 2>/dev/null; then exit 0; fi',
    'rm -rf "$t"',
    'grep -qxF "run=$run" "$d/owner" 2>/dev/null && exit 0',
    'cat "$d/owner" 2>/dev/null; exit 3',
  ].join('\n');
  return ['sh', '-c', script, 'sh', lockPath(name), ownerFile(owner), owner.run, LOCK_DIR];
}

/** Removes the lock when this run holds it (never another run's). */
export function releaseCommand(name: string, runId: string): string[] {
  return ['sh', '-c', 'grep -qxF "run=$2" "$1/owner" 2>/dev/null || exit 0; rm -rf "$1"', 'sh', lockPath(name), runId];
}

/** Removes the lock whoever holds it (`omsplay unlock`); prints the owner file it removed. */
export function breakCommand(name: string): string[] {
  return ['sh', '-c', '[ -d "$1" ] || exit 3; cat "$1/owner" 2>/dev/null; rm -rf "$1"', 'sh', lockPath(name)];
}

export function currentOwner(runId: string, playbook: string): LockOwner {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    /* no passwd entry: keep $USER */
  }
  return { owner: `${user}@${hostname()}`, run: runId, pid: String(process.pid), since: new Date().toISOString(), playbook };
}

/** The locks a run holds, to release at its end. */
export class RunLocks {
  private readonly held = new Map<string, Set<string>>();

  constructor(
    private readonly runId: string,
    private readonly playbook: string,
    private readonly connect: (host: string) => Promise<Connection>,
  ) {}

  /**
   * Takes `name` on every host: the first host alone first (so of two runs racing, the one that gets it
   * goes on and the other refuses without having taken anything), then the rest in parallel. On any refusal,
   * what this call took is given back and a LockError names the holder and how to break the lock.
   */
  async acquire(name: string, hosts: string[], unlockHint: string): Promise<string[]> {
    const held = this.held.get(name) ?? new Set<string>();
    this.held.set(name, held);
    const todo = hosts.filter((h) => !held.has(h));
    if (todo.length === 0) return [];
    const owner = currentOwner(this.runId, this.playbook);
    const taken: string[] = [];
    const takeOne = async (host: string): Promise<void> => {
      let conn: Connection;
      try {
        conn = await this.connect(host);
      } catch (e) {
        throw new LockError(`cannot take the lock "${name}" on ${host}: ${(e as Error).message}`, { unreachable: true, hint: 'every host of a locked play must be reachable' });
      }
      const r = await conn.exec({ argv: acquireCommand(name, owner) }, { timeoutMs: 30_000 });
      if (r.exitCode === 0) {
        taken.push(host);
        held.add(host);
        return;
      }
      if (r.exitCode === 3) {
        throw new LockError(`"${name}" is locked on ${host} by ${describeOwner(parseOwner(r.stdout))}`, {
          hint: `another omsplay run is working on this environment; wait until it ends. If that run is dead (its pid is gone on that machine), break the lock: ${unlockHint}`,
        });
      }
      throw new LockError(`cannot create the lock ${lockPath(name)} on ${host}: ${r.stderr.trim() || `exit ${r.exitCode}`}`, {
        hint: `${LOCK_DIR} must be creatable (or writable) by the login user`,
      });
    };
    try {
      await takeOne(todo[0]!);
      const rest = await Promise.allSettled(todo.slice(1).map(takeOne));
      const failed = rest.find((x): x is PromiseRejectedResult => x.status === 'rejected');
      if (failed) throw failed.reason;
    } catch (e) {
      await this.releaseHosts(name, taken);
      throw e;
    }
    return taken;
  }

  private async releaseHosts(name: string, hosts: string[]): Promise<void> {
    const held = this.held.get(name);
    await Promise.all(
      hosts.map(async (h) => {
        held?.delete(h);
        const conn = await this.connect(h).catch(() => undefined);
        await conn?.exec({ argv: releaseCommand(name, this.runId) }, { timeoutMs: 15_000 }).catch(() => undefined);
      }),
    );
  }

  /** Every lock this run holds, given back (hosts that cannot be reached keep theirs: see the warning). Returns name -> hosts released. */
  async releaseAll(): Promise<Array<{ name: string; hosts: string[]; failed: string[] }>> {
    const out: Array<{ name: string; hosts: string[]; failed: string[] }> = [];
    for (const [name, hosts] of this.held) {
      if (hosts.size === 0) continue;
      const released: string[] = [];
      const failed: string[] = [];
      await Promise.all(
        [...hosts].map(async (h) => {
          try {
            const conn = await this.connect(h);
            const r = await conn.exec({ argv: releaseCommand(name, this.runId) }, { timeoutMs: 15_000 });
            (r.exitCode === 0 ? released : failed).push(h);
          } catch {
            failed.push(h);
          }
        }),
      );
      hosts.clear();
      out.push({ name, hosts: released, failed });
    }
    return out;
  }
}
