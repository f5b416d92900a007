/**
 * Run locks (play keyword `lock: NAME`): two runs against the same environment must not overlap
 * (two upgrades at once would each stop, back up and restore the other's work). A lock is a directory NAME,
 * created atomically with an `owner` file inside (who, which run, pid, since when, which playbook): a staging
 * directory is filled first, then renamed onto NAME, and rename(2) refuses when NAME exists. Held until the
 * run ends (also on failure and Ctrl-C); a person breaks a stale one with `omsplay unlock`.
 *
 * Where: /var/lock/omsplay (= /run/lock/omsplay, a tmpfs: a reboot clears it) when it exists or the login user
 * can create it (sticky 1777, like /tmp, so every operator can take locks there); where /run/lock is root-only
 * or missing and nobody made /run/lock/omsplay, the sticky /tmp/omsplay-locks instead. Taken as the login
 * user, never through sudo. A lock in either place counts: a run refuses when the other place holds the lock,
 * and after taking its own it looks at the other place again (of two runs racing across the two places,
 * neither keeps it), so every operator of the site shares one lock per host whatever its rights.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { localUserName } from '../connection/login-user.js';
import type { Connection } from '../connection/types.js';
import { ExitCode, OmsplayError, type OmsplayErrorOptions } from '../errors.js';

export const LOCK_DIR = '/var/lock/omsplay';
/** Used where the login user can neither use nor create LOCK_DIR (sticky, world-writable). */
export const FALLBACK_LOCK_DIR = '/tmp/omsplay-locks';
export const LOCK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The run cannot take its lock: another run holds it, or a host could not be locked (exit 1, or 3 when unreachable). */
export class LockError extends OmsplayError {
  readonly kind = 'locked';
  readonly exitCode: typeof ExitCode.error | typeof ExitCode.hostUnreachable;
  constructor(message: string, opts: OmsplayErrorOptions & { unreachable?: boolean } = {}) {
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
  /** The control node's boot id (/proc/sys/kernel/random/boot_id): another boot means the pid is gone. */
  boot?: string;
  /** Start time of the pid (clock ticks since boot, /proc/PID/stat field 22): a reused pid has another. */
  pidstart?: string;
}

/** The lock's usual path (messages); it may be in FALLBACK_LOCK_DIR instead (see above). */
export function lockPath(name: string): string {
  return `${LOCK_DIR}/${name}`;
}

/** Both places a lock may be. */
export function lockPaths(name: string): string[] {
  return [`${LOCK_DIR}/${name}`, `${FALLBACK_LOCK_DIR}/${name}`];
}

export function ownerFile(o: LockOwner): string {
  return `${Object.entries(o)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${String(v).replace(/\n/g, ' ')}`)
    .join('\n')}\n`;
}

export function parseOwner(text: string): Partial<LockOwner> & { at?: string } {
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

/** Shell functions the lock scripts share: $run is this run, $p1/$p2 the two parents, $n the name. */
const LOCK_SH = [
  'n=$1; run=$2; p1=$3; p2=$4',
  'mine() { grep -qxF "run=$run" "$1/owner" 2>/dev/null; }',
  'holder() { echo "at=$1"; cat "$1/owner" 2>/dev/null; echo; }',
];

/**
 * Takes the lock. Exit 0: taken (or already held by this run); 3: held by another (stdout: `at=DIR` and its
 * owner file); anything else: could not create it (stderr says why).
 */
export function acquireCommand(name: string, owner: LockOwner): string[] {
  const script = [
    'umask 022',
    ...LOCK_SH,
    'o=$5',
    'for d in "$p1/$n" "$p2/$n"; do [ -d "$d" ] || continue; mine "$d" && exit 0; holder "$d"; exit 3; done',
    // The shared place when it is there and writable, or can be made (/var/lock is a symlink to /run/lock,
    // which may not exist yet on a fresh tmpfs: the real path is created); else the sticky fallback.
    'if [ -d "$p1" ] && [ -w "$p1" ]; then P=$p1',
    'elif r1=$(readlink -m "$p1") && [ ! -e "$r1" ] && mkdir -p "$r1" 2>/dev/null && chmod 1777 "$r1"; then P=$p1',
    'else',
    '  [ -d "$p2" ] || mkdir -m 1777 "$p2" 2>/dev/null || [ -d "$p2" ] || { echo "cannot create $p1 nor $p2" >&2; exit 1; }',
    // Made by someone else without the sticky bit, anyone could remove the locks in it.
    '  [ -k "$p2" ] || [ -O "$p2" ] || { echo "$p2 is not sticky: chmod 1777 $p2 (or remove it)" >&2; exit 1; }',
    '  [ -w "$p2" ] || { echo "cannot write $p2 (nor create $p1)" >&2; exit 1; }',
    '  P=$p2',
    'fi',
    'd=$P/$n',
    't=$(mktemp -d "$d.XXXXXX") || exit 1',
    'printf %s "$o" > "$t/owner" && chmod 755 "$t" || { rm -rf "$t"; exit 1; }',
    'if ! mv -T "$t" "$d" 2>/dev/null; then rm -rf "$t"; mine "$d" && exit 0; holder "$d"; exit 3; fi',
    // Another run may have taken the other place meanwhile: then neither keeps it.
    'for x in "$p1/$n" "$p2/$n"; do [ "$x" = "$d" ] && continue; if [ -d "$x" ] && ! mine "$x"; then rm -rf "$d"; holder "$x"; exit 3; fi; done',
    'exit 0',
  ].join('\n');
  return ['sh', '-c', script, 'sh', name, owner.run, LOCK_DIR, FALLBACK_LOCK_DIR, ownerFile(owner)];
}

/** Removes the lock when this run holds it (never another run's). */
export function releaseCommand(name: string, runId: string): string[] {
  const script = [...LOCK_SH, 'for d in "$p1/$n" "$p2/$n"; do mine "$d" && { rm -rf "$d" || exit 1; }; done', 'exit 0'].join('\n');
  return ['sh', '-c', script, 'sh', name, runId, LOCK_DIR, FALLBACK_LOCK_DIR];
}

/**
 * Takes over the lock of a dead run (`--from-run` of that run): renamed aside first (of two runs doing
 * this, one rename succeeds), then removed. Exit 0 whether or not there was one.
 */
export function takeoverCommand(name: string, deadRunId: string): string[] {
  const script = [
    ...LOCK_SH,
    'for d in "$p1/$n" "$p2/$n"; do mine "$d" || continue; s="$d.dead-$$"; mv -T "$d" "$s" 2>/dev/null && rm -rf "$s"; done',
    'exit 0',
  ].join('\n');
  return ['sh', '-c', script, 'sh', name, deadRunId, LOCK_DIR, FALLBACK_LOCK_DIR];
}

/** Removes the lock whoever holds it (`omsplay unlock`); prints `at=DIR` and the owner file of each it removed. Exit 3: none. */
export function breakCommand(name: string): string[] {
  const script = [
    ...LOCK_SH,
    'found=0; failed=0',
    'for d in "$p1/$n" "$p2/$n"; do [ -d "$d" ] || continue; found=1; holder "$d"; rm -rf "$d" || failed=1; done',
    '[ $failed = 1 ] && exit 1; [ $found = 1 ] || exit 3; exit 0',
  ].join('\n');
  return ['sh', '-c', script, 'sh', name, '', LOCK_DIR, FALLBACK_LOCK_DIR];
}

/** The shell command a person runs on a host to break the lock by hand. */
export function manualBreak(name: string): string {
  return `rm -rf ${lockPaths(name).join(' ')}`;
}

export function currentOwner(runId: string, playbook: string): LockOwner {
  const user = localUserName('unknown');
  return {
    owner: `${user}@${hostname()}`,
    run: runId,
    pid: String(process.pid),
    since: new Date().toISOString(),
    playbook,
    ...selfIdentity(),
  };
}

let identity: { boot?: string; pidstart?: string } | undefined;
/** This process's boot id and start time, read once (synchronously, so currentOwner stays synchronous). */
function selfIdentity(): { boot?: string; pidstart?: string } {
  if (!identity) {
    identity = {};
    try {
      identity.boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      identity.pidstart = startField(readFileSync('/proc/self/stat', 'utf8')) ?? undefined;
    } catch {
      /* not Linux: pid liveness alone */
    }
  }
  return identity;
}

/** Field 22 of /proc/PID/stat; the command name (field 2) may hold spaces and parentheses: count from the last ')'. */
function startField(stat: string): string | null {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
}

/** Start time (clock ticks after boot) of a local pid, or null when it does not run. */
export async function pidStart(pid: number): Promise<string | null> {
  try {
    return startField(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Whether the run that wrote `o` is provably dead: it ran on this control node (same host name) and either
 * the machine has rebooted since (another boot id), or its pid no longer runs, or the pid now belongs to a
 * process started at another time. A run on another machine is never provably dead from here.
 */
export async function provablyDead(o: Partial<LockOwner>): Promise<{ dead: boolean; why: string }> {
  const host = (o.owner ?? '').split('@').pop() ?? '';
  if (!host || host !== hostname()) return { dead: false, why: `it ran on ${host || 'an unknown machine'}, not on this one (${hostname()}), so omsplay cannot see whether it still runs` };
  const boot = selfIdentity().boot;
  if (o.boot && boot && o.boot !== boot) return { dead: true, why: 'this machine has rebooted since it started' };
  const pid = Number(o.pid);
  if (!Number.isInteger(pid) || pid <= 0) return { dead: false, why: 'its lock names no pid' };
  const start = await pidStart(pid);
  if (start === null) return { dead: true, why: `its pid ${pid} no longer runs` };
  if (o.pidstart && o.pidstart !== start) return { dead: true, why: `pid ${pid} is now another process` };
  return { dead: false, why: `its pid ${pid} still runs on this machine` };
}

/** The locks a run holds, to release at its end. */
export class RunLocks {
  private readonly held = new Map<string, Set<string>>();

  constructor(
    private readonly runId: string,
    private readonly playbook: string,
    private readonly connect: (host: string) => Promise<Connection>,
    /** `--from-run X`: the lock left by run X may be taken over when X is provably dead; `notify` says so. */
    private readonly takeover: { fromRun?: string; notify?: (message: string) => void } = {},
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
      let r = await conn.exec({ argv: acquireCommand(name, owner) }, { timeoutMs: 30_000 });
      let holder = r.exitCode === 3 ? parseOwner(r.stdout) : undefined;
      let note = '';
      if (holder && this.takeover.fromRun && holder.run === this.takeover.fromRun) {
        const verdict = await provablyDead(holder);
        if (verdict.dead) {
          await conn.exec({ argv: takeoverCommand(name, holder.run) }, { timeoutMs: 30_000 });
          this.takeover.notify?.(`took over the lock "${name}" on ${host} from run ${holder.run}, which is dead (${verdict.why})`);
          r = await conn.exec({ argv: acquireCommand(name, owner) }, { timeoutMs: 30_000 });
          holder = r.exitCode === 3 ? parseOwner(r.stdout) : undefined;
        } else note = ` It is the run this one rolls back from, but it cannot be taken over: ${verdict.why}.`;
      }
      if (r.exitCode === 0) {
        taken.push(host);
        held.add(host);
        return;
      }
      if (holder) {
        throw new LockError(`"${name}" is locked on ${host} by ${describeOwner(holder)}${holder.at ? ` (${holder.at})` : ''}.${note}`, {
          hint: `another omsplay run is working on this environment; wait until it ends. If that run is dead (its pid is gone on that machine), break the lock: ${unlockHint}`,
        });
      }
      throw new LockError(`cannot create the lock ${lockPath(name)} on ${host}: ${r.stderr.trim() || `exit ${r.exitCode}`}`, {
        hint: `the login user must be able to create ${LOCK_DIR} (or /run/lock must exist), or write ${FALLBACK_LOCK_DIR} (sticky, 1777)`,
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
