/**
 * What `copy` and `template` share: make a file on the host hold given content, mode and owner,
 * changing it only when it differs. The comparison is by sha256 (one remote round trip reads
 * type, mode, owner and checksum), so large files are never read back.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { isDirect } from '../../connection/become.js';
import { isOmsplayError } from '../../errors.js';
import { Secret } from '../../secrets.js';
import type { ModuleContext, ModuleResult, ResultField } from '../types.js';

/** Files up to this size are shown by --diff (and read back from the host for it). */
export const DIFF_MAX_BYTES = 64 * 1024;

export interface FileTarget {
  dest: string;
  mode?: string;
  owner?: string;
  group?: string;
  backup?: boolean;
  force?: boolean;
}

export const fileTargetSchema = {
  dest: { type: 'string', minLength: 1, description: 'Absolute path of the file on the host. When it is an existing directory and `src` is given, the file goes inside it under the name of `src`.' },
  mode: {
    type: 'string',
    pattern: '^0?[0-7]{3,4}$',
    errorMessage: "an octal mode as a quoted string, like '0644'",
    description: "Octal permissions as a quoted string, e.g. '0644' (YAML reads an unquoted 0644 as the number 644). Default: kept for an existing file, 0644 for a new one.",
  },
  owner: { type: 'string', minLength: 1, description: 'User name or uid to own the file (needs `become` unless it is the login user).' },
  group: { type: 'string', minLength: 1, description: 'Group name or gid of the file.' },
  backup: { type: 'boolean', default: false, description: 'Before replacing a file, keep a copy named `<dest>.<timestamp>.bak` (returned as `backup_file`).' },
  force: { type: 'boolean', default: true, description: 'Replace the file when its content differs. false: only create it when absent.' },
} as const;

export const fileResultFields: ResultField[] = [
  { name: 'dest', description: 'Path of the file on the host.' },
  { name: 'checksum', description: 'sha256 of the wanted content.' },
  { name: 'size', description: 'Size of the wanted content in bytes.' },
  { name: 'backup_file', description: 'Path of the backup copy, when `backup` made one.' },
  { name: 'changes', description: 'What differed: any of content, mode, owner, group.' },
];

/** The content to put: in memory, or a local file streamed by the connection. */
export type Source = { content: Buffer; name?: string } | { path: string; name: string };

interface RemoteState {
  kind: 'absent' | 'directory' | 'file';
  mode?: number;
  uid?: string;
  gid?: string;
  user?: string;
  groupName?: string;
  size?: number;
  sha256?: string;
}

// $1 is the path: passed as an argument, so it never needs quoting inside the script.
const PROBE = [
  'set -e',
  'if [ -d "$1" ]; then echo directory; exit 0; fi',
  'if [ ! -e "$1" ]; then echo absent; exit 0; fi',
  'stat -L -c "file %a %u %g %U %G %s" -- "$1"',
  'sha256sum < "$1"',
].join('\n');

async function probe(path: string, ctx: ModuleContext): Promise<RemoteState> {
  const r = await ctx.exec({ argv: ['sh', '-c', PROBE, 'sh', path] });
  if (r.exitCode !== 0) throw new FileStepError(`could not read ${path} on the host: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
  const [first = '', second = ''] = r.stdout.split('\n');
  if (first === 'directory' || first === 'absent') return { kind: first };
  const [, mode, uid, gid, user, groupName, size] = first.split(' ');
  return { kind: 'file', mode: Number.parseInt(mode ?? '', 8), uid, gid, user, groupName, size: Number(size), sha256: second.split(' ')[0] };
}

/** A step that failed for a reason the person can act on; becomes a failed result. */
export class FileStepError extends Error {}

export async function sha256OfSource(source: Source): Promise<{ sha256: string; size: number }> {
  if ('content' in source) return { sha256: createHash('sha256').update(source.content).digest('hex'), size: source.content.length };
  const hash = createHash('sha256');
  await pipeline(createReadStream(source.path), hash);
  return { sha256: hash.digest('hex'), size: (await stat(source.path)).size };
}

/**
 * Finds a local `src` the way Ansible users expect: absolute as is; relative to the playbook's
 * directory, then under its `files/` (copy) or `templates/` (template) folder.
 */
export async function resolveLocalSrc(src: string, playbookDir: string, folder: 'files' | 'templates'): Promise<string> {
  if (isAbsolute(src)) {
    await assertFile(src, [src]);
    return src;
  }
  const candidates = [join(playbookDir, src), join(playbookDir, folder, src)];
  for (const c of candidates) {
    try {
      await access(c);
      await assertFile(c, candidates);
      return c;
    } catch (e) {
      if (e instanceof FileStepError) throw e;
    }
  }
  throw new FileStepError(`src ${src} not found (looked for ${candidates.join(', ')})`);
}

async function assertFile(path: string, tried: string[]): Promise<void> {
  let s: Awaited<ReturnType<typeof stat>>;
  try {
    s = await stat(path);
  } catch {
    throw new FileStepError(`src ${path} not found (looked for ${tried.join(', ')})`);
  }
  if (s.isDirectory()) throw new FileStepError(`src ${path} is a directory; copy takes one file`);
}

/** File bytes for a value: strings as is, anything else as JSON; secrets are written in clear (it is their file). */
export function contentBytes(value: unknown): Buffer {
  const plain = unwrapSecrets(value);
  return Buffer.from(typeof plain === 'string' ? plain : JSON.stringify(plain, null, 2), 'utf8');
}

function unwrapSecrets(v: unknown): unknown {
  if (v instanceof Secret) return v.value;
  if (Array.isArray(v)) return v.map(unwrapSecrets);
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x)]));
  }
  return v;
}

function isText(b: Buffer): boolean {
  return !b.subarray(0, 8000).includes(0);
}

function differs(wanted: string | undefined, name: string | undefined, id: string | undefined): boolean {
  if (wanted === undefined) return false;
  return /^\d+$/.test(wanted) ? wanted !== id : wanted !== name;
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Runs the whole compare / (backup) / put / chmod / chown sequence. Errors become failed results. */
export async function ensureFile(source: Source, target: FileTarget, ctx: ModuleContext): Promise<ModuleResult> {
  try {
    return await ensure(source, target, ctx);
  } catch (e) {
    // Unreachable/interrupted and other typed errors are the engine's business; plain I/O errors fail the task.
    if (isOmsplayError(e)) throw e;
    const msg = (e as Error).message;
    // sudo_direct writes files with the login user's rights (sudo runs only the become commands).
    if (isDirect(ctx.become) && /permission denied/i.test(msg)) {
      return { changed: false, failed: true, dest: target.dest, msg: `${msg} (hint: with become_method sudo_direct files are written as the login user: stage them in a directory it can write, e.g. its home)` };
    }
    return { changed: false, failed: true, dest: target.dest, msg };
  }
}

async function ensure(source: Source, target: FileTarget, ctx: ModuleContext): Promise<ModuleResult> {
  let dest = target.dest;
  const local = await sha256OfSource(source);
  let remote = await probe(dest, ctx);
  if (remote.kind === 'directory') {
    if (!source.name) throw new FileStepError(`dest ${dest} is a directory; give the file's full path`);
    dest = posix.join(dest, posix.basename(source.name));
    remote = await probe(dest, ctx);
    if (remote.kind === 'directory') throw new FileStepError(`dest ${dest} is a directory`);
  }
  const exists = remote.kind === 'file';
  const wantMode = target.mode === undefined ? undefined : Number.parseInt(target.mode, 8);
  const changes: string[] = [];
  const contentChanges = !exists || (remote.sha256 !== local.sha256 && target.force !== false);
  if (contentChanges) changes.push('content');
  if (exists && wantMode !== undefined && remote.mode !== wantMode) changes.push('mode');
  if (exists && differs(target.owner, remote.user, remote.uid)) changes.push('owner');
  if (exists && differs(target.group, remote.groupName, remote.gid)) changes.push('group');

  const base: ModuleResult = { changed: changes.length > 0, dest, checksum: local.sha256, size: local.size, changes };
  if (contentChanges && ctx.diff && !ctx.noLog) base.diff = await makeDiff(source, dest, exists ? (remote.size ?? 0) : 0, exists, local.size, ctx);
  if (changes.length === 0) return { ...base, msg: `${dest} is up to date` };
  if (ctx.check) return { ...base, msg: `check mode: would ${exists ? `change ${changes.join(', ')} of` : 'create'} ${dest}` };

  if (contentChanges) {
    if (exists && target.backup) {
      const backupFile = `${dest}.${timestamp()}.bak`;
      const r = await ctx.exec({ argv: ['cp', '-p', '--', dest, backupFile] });
      if (r.exitCode !== 0) throw new FileStepError(`could not back up ${dest}: ${r.stderr.trim()}`);
      base.backup_file = backupFile;
    }
    // A replaced file keeps its mode and owner unless told otherwise; a new one gets 0644.
    const mode = target.mode ?? (exists ? (remote.mode ?? 0o644).toString(8).padStart(4, '0') : '0644');
    const owner = target.owner ?? (exists ? remote.uid : undefined);
    const group = target.group ?? (exists ? remote.gid : undefined);
    const put = 'content' in source ? { content: source.content } : { path: source.path };
    await ctx.conn.put(put, dest, {
      mode,
      owner,
      group,
      become: ctx.become,
      signal: ctx.signal,
      onProgress: (p) => ctx.progress({ done: p.transferred, total: p.total, unit: 'bytes' }),
    });
  } else {
    if (changes.includes('mode')) await run(ctx, ['chmod', target.mode!, '--', dest]);
    if (changes.includes('owner') || changes.includes('group')) {
      const spec = `${target.owner ?? ''}${target.group ? `:${target.group}` : ''}`;
      await run(ctx, ['chown', spec, '--', dest]);
    }
  }
  return { ...base, msg: `${exists ? `changed ${changes.join(', ')} of` : 'created'} ${dest}` };
}

async function run(ctx: ModuleContext, argv: string[]): Promise<void> {
  const r = await ctx.exec({ argv });
  if (r.exitCode !== 0) throw new FileStepError(`${argv[0]} ${argv.at(-1)} failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
}

async function makeDiff(source: Source, dest: string, remoteSize: number, exists: boolean, localSize: number, ctx: ModuleContext): Promise<ModuleResult['diff']> {
  if (remoteSize > DIFF_MAX_BYTES || localSize > DIFF_MAX_BYTES) {
    return { before: '', after: '', header: `${dest}: content differs (larger than ${DIFF_MAX_BYTES} bytes, not shown)` };
  }
  const after = 'content' in source ? source.content : await readFile(source.path);
  let before = Buffer.alloc(0);
  if (exists) {
    const r = await ctx.exec({ argv: ['cat', '--', dest] });
    if (r.exitCode !== 0) return { before: '', after: '', header: `${dest}: content differs (could not read the current file)` };
    before = Buffer.from(r.stdout, 'utf8');
  }
  if (!isText(after) || !isText(before)) return { before: '', after: '', header: `${dest}: binary content differs (not shown)` };
  return { before: before.toString('utf8'), after: after.toString('utf8'), header: dest };
}
