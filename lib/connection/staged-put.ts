/**
 * put() with become, the same on every transport: the login user may not write the destination directory
 * (a root-only /etc/oms, say), so the file is first written where it can (a private name in /tmp), then
 * one command run as the become user moves it next to the destination, sets its mode and owner, and renames
 * it into place. So a partial file never takes the place of a good one, and the staged copy is gone
 * whatever happens (the trap).
 *
 * sudo_direct: sudo runs only the become commands (docker), so files are written with the login user's rights.
 */
import { isDirect } from './become.js';
import type { BecomeOptions, PutOptions } from './types.js';

/** The become a put applies (undefined: written as the login user). */
export function putBecome(become: PutOptions['become']): boolean | BecomeOptions | undefined {
  return !become || isDirect(become) ? undefined : become;
}

/** The mode a put gives the file: the one asked for, else 0644. */
export function putMode(mode: PutOptions['mode']): number {
  return mode === undefined ? 0o644 : typeof mode === 'number' ? mode : Number.parseInt(mode, 8);
}

/** Where the login user stages the file (`rand`: a random tag, also used for the name next to the destination). */
export function stagePath(rand: string): string {
  return `/tmp/.omsplay-put-${rand}`;
}

/**
 * The argv the become user runs to install the staged file: mv (not cp) keeps it one copy; the final rename
 * happens inside the destination directory. The owner defaults to the become user.
 */
export function installStagedArgv(stage: string, dest: string, rand: string, opts: Pick<PutOptions, 'mode' | 'owner' | 'group'>, become: boolean | BecomeOptions): string[] {
  const owner = opts.owner ?? (typeof become === 'object' ? (become.user ?? 'root') : 'root');
  const chownTo = opts.group ? `${owner}:${opts.group}` : owner;
  return [
    'sh',
    '-c',
    'set -e; tmp="$(dirname "$2")/.$(basename "$2").omsplay-$3"; trap \'rm -f "$1" "$tmp"\' EXIT; mv -f "$1" "$tmp"; chmod "$4" "$tmp"; chown "$5" "$tmp"; mv -f "$tmp" "$2"',
    'sh',
    stage,
    dest,
    rand,
    putMode(opts.mode).toString(8),
    chownTo,
  ];
}
