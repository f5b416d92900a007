/**
 * Defaults from the user's ~/.ssh/config (HostName, User, Port, IdentityFile, ProxyJump), read the way
 * OpenSSH reads them: `Host` blocks whose patterns match (wildcards, `!negation`), first value obtained wins.
 * `Match` blocks are skipped (their conditions need a full ssh client); `Include` is not followed.
 *
 * The inventory wins: a value from ssh_config is only used where the inventory left the default (port 22,
 * the local user name, no key file, no jump, address = host name).
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { patternsMatch } from './known-hosts.js';
import { localUserName } from './login-user.js';
import type { ConnectionSettings } from './types.js';

export interface SshConfigBlock {
  /** Patterns of the `Host` line (split on whitespace); empty for the lines before the first Host. */
  patterns: string[];
  /** Lower-cased keyword -> values in file order. */
  options: [string, string][];
}

export interface SshHostConfig {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  /** Jump hosts outermost first; [] for `ProxyJump none`. */
  proxyJump?: string[];
}

function unquote(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

export function parseSshConfig(text: string): SshConfigBlock[] {
  const blocks: SshConfigBlock[] = [{ patterns: ['*'], options: [] }];
  let current: SshConfigBlock | null = blocks[0]!;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    const value = m[2]!.trim();
    if (key === 'host') {
      current = { patterns: value.split(/\s+/).map(unquote), options: [] };
      blocks.push(current);
    } else if (key === 'match') {
      current = null; // skipped until the next Host
    } else if (current) {
      current.options.push([key, unquote(value)]);
    }
  }
  return blocks;
}

function hostMatches(patterns: string[], name: string): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (patternsMatch(p.slice(1), name)) return false;
    } else if (patternsMatch(p, name)) matched = true;
  }
  return matched;
}

/** Options for `alias`, first obtained value winning (IdentityFile accumulates). */
export function lookupSshConfig(blocks: SshConfigBlock[], alias: string): SshHostConfig {
  const out: SshHostConfig = { identityFiles: [] };
  for (const b of blocks) {
    if (!hostMatches(b.patterns, alias)) continue;
    for (const [k, v] of b.options) {
      if (k === 'hostname' && out.hostName === undefined) out.hostName = v;
      else if (k === 'user' && out.user === undefined) out.user = v;
      else if (k === 'port' && out.port === undefined && /^\d+$/.test(v)) out.port = Number(v);
      else if (k === 'identityfile') out.identityFiles.push(v);
      else if (k === 'proxyjump' && out.proxyJump === undefined) out.proxyJump = v === 'none' ? [] : v.split(',').map((s) => s.trim()).filter(Boolean);
    }
  }
  return out;
}

/** Expands ~ and the ssh_config tokens %d (home), %u (local user), %h (host), %r (remote user), %%. */
export function expandTokens(path: string, ctx: { host: string; user: string }): string {
  const home = homedir();
  const p = path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
  return p.replace(/%([duhr%])/g, (_, t: string) => ({ d: home, u: localUserName(), h: ctx.host, r: ctx.user, '%': '%' })[t]!);
}

/** Settings with ssh_config defaults filled in where the inventory left its own defaults. */
export function applySshConfig(name: string, settings: ConnectionSettings, blocks: SshConfigBlock[]): ConnectionSettings {
  const c = lookupSshConfig(blocks, name);
  const out = { ...settings };
  if (c.hostName && settings.address === name) out.address = expandTokens(c.hostName, { host: name, user: settings.user });
  if (c.user && settings.user === localUserName()) out.user = c.user;
  if (c.port && settings.port === 22) out.port = c.port;
  if (c.identityFiles.length && !settings.keyFile) out.keyFile = expandTokens(c.identityFiles[0]!, { host: out.address, user: out.user });
  if (c.proxyJump && !settings.jump?.length && c.proxyJump.length) out.jump = c.proxyJump;
  return out;
}

/** Reads an ssh_config file (default ~/.ssh/config); a missing file is an empty config. */
export async function loadSshConfig(file = join(homedir(), '.ssh', 'config')): Promise<SshConfigBlock[]> {
  try {
    return parseSshConfig(await readFile(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
