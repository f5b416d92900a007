/**
 * Connection settings of one host, merged all < region < groups (precedence order) < host, with
 * paths resolved and jump chains checked. Key files are checked for existence separately
 * (checkKeyFiles), once per file, because that needs the file system.
 */
import { access, constants, stat } from 'node:fs/promises';
import { localUserName } from '../connection/login-user.js';
import { isTransportName, unknownTransport } from '../connection/transports.js';
import type { ConnectionSettings } from '../connection/types.js';
import { ConfigError, type SourceLocation, ValidationError } from '../errors.js';
import { type Masker, Secret } from '../secrets.js';
import { resolveInventoryPath } from './paths.js';
import type { Locate, Problems } from './problems.js';
import { CONNECTION_KEYS, type RawConnection, type RawHost } from './raw.js';
import { didYouMeanOrKnown } from '../did-you-mean.js';

const reveal = (v: unknown): unknown => (v instanceof Secret ? v.value : v);

export interface JumpContext {
  locate: Locate;
  problems: Problems;
  hostNames: ReadonlySet<string>;
  /** Positions of jump entries already reported. */
  reported: Set<string>;
}

/** One level's connection settings and where they were written. */
export interface ConnectionLayer {
  raw: RawConnection | undefined;
  path: ReadonlyArray<string | number>;
}

/** A host's merged settings plus where each key came from (for error positions). */
export interface MergedConnection {
  settings: ConnectionSettings;
  keyFileAt?: SourceLocation;
  /** key_file as written (before ~ and relative resolution), for messages. */
  keyFileWritten?: string;
}

/** Host-level layers: connection keys written directly on the host, then a `connection:` mapping. */
export function hostLayers(host: RawHost | null, path: ReadonlyArray<string | number>): ConnectionLayer[] {
  if (!host) return [];
  const direct: RawConnection = {};
  for (const k of CONNECTION_KEYS) if (k !== 'connection' && host[k] !== undefined) (direct as Record<string, unknown>)[k] = host[k];
  const layers: ConnectionLayer[] = [{ raw: direct, path }];
  if (typeof host.connection === 'string') layers.push({ raw: { connection: host.connection }, path });
  else if (host.connection) layers.push({ raw: host.connection, path: [...path, 'connection'] });
  return layers;
}

export function mergeConnection(
  name: string,
  address: string,
  layers: ConnectionLayer[],
  ctx: JumpContext & { file: string; masker?: Masker },
): MergedConnection {
  const merged: RawConnection = {};
  const from: Partial<Record<keyof RawConnection, ReadonlyArray<string | number>>> = {};
  for (const layer of layers) {
    if (!layer.raw) continue;
    for (const k of CONNECTION_KEYS) {
      const v: unknown = layer.raw[k];
      if (v === undefined) continue;
      // `user: !secret ...` is legal (schema checks secrets as their strings); settings hold plain values.
      if (v instanceof Secret) ctx.masker?.add(v.value);
      (merged as Record<string, unknown>)[k] = v instanceof Secret ? v.value : Array.isArray(v) ? v.map(reveal) : v;
      from[k] = [...layer.path, k];
    }
  }
  const transport = merged.connection ?? 'ssh';
  // The schema takes any string here: the registry names the transports (did-you-mean, at the value's position).
  if (!isTransportName(transport)) ctx.problems.add(unknownTransport(transport, ctx.locate(from.connection!)));
  const settings: ConnectionSettings = {
    connection: isTransportName(transport) ? transport : 'ssh',
    address,
    port: merged.port ?? 22,
    user: merged.user ?? localUserName(),
  };
  let keyFileAt: SourceLocation | undefined;
  if (merged.key_file !== undefined) {
    settings.keyFile = resolveInventoryPath(merged.key_file, ctx.file);
    keyFileAt = ctx.locate(from.key_file!);
  }
  if (merged.known_hosts !== undefined) settings.knownHostsFile = resolveInventoryPath(merged.known_hosts, ctx.file);
  if (merged.key_passphrase_env !== undefined) settings.keyPassphraseEnv = merged.key_passphrase_env;
  if (merged.password_env !== undefined) settings.passwordEnv = merged.password_env;
  if (merged.agent !== undefined) settings.agent = merged.agent;
  if (merged.accept_new_host_keys !== undefined) settings.acceptNewHostKeys = merged.accept_new_host_keys;
  if (merged.become !== undefined) settings.become = merged.become;
  if (merged.become_user !== undefined) settings.becomeUser = merged.become_user;
  if (merged.become_password_env !== undefined) settings.becomePasswordEnv = merged.become_password_env;
  if (merged.become_method !== undefined) settings.becomeMethod = merged.become_method;
  if (merged.become_commands !== undefined) settings.becomeCommands = merged.become_commands;
  if (merged.connect_timeout !== undefined) settings.connectTimeoutMs = Math.round(merged.connect_timeout * 1000);
  if (merged.jump !== undefined) {
    const jump = jumpChain(name, merged.jump, from.jump!, ctx);
    if (jump.length > 0) settings.jump = jump;
  }
  return { settings, keyFileAt, keyFileWritten: merged.key_file };
}

/**
 * A bastion reached through a jump list inherited from a wider level (say `all`) would jump
 * through itself: a host is reached through the entries before its own, so the list is cut there.
 */
function jumpChain(
  name: string,
  jump: string[],
  at: ReadonlyArray<string | number>,
  ctx: JumpContext,
): string[] {
  const self = jump.indexOf(name);
  const chain = self >= 0 ? jump.slice(0, self) : jump;
  chain.forEach((j, i) => {
    if (/[@:]/.test(j) || ctx.hostNames.has(j)) return;
    const location = ctx.locate([...at, i]);
    // An inherited jump list is shared by many hosts: report each bad entry once.
    const key = `${location.line}:${location.col}`;
    if (ctx.reported.has(key)) return;
    ctx.reported.add(key);
    ctx.problems.add(
      new ValidationError(`jump host \`${j}\` is not an inventory host`, {
        location,
        hint: `bastions are inventory hosts, or written user@address:port when outside the inventory; ${didYouMeanOrKnown(j, ctx.hostNames, 'hosts')}`,
      }),
    );
  });
  return chain;
}

/** Every key file hosts use must exist and be readable; each missing file is reported once, where it was written. */
export async function checkKeyFiles(hosts: Iterable<MergedConnection>, problems: Problems): Promise<void> {
  const seen = new Map<string, MergedConnection>();
  for (const h of hosts) {
    const f = h.settings.keyFile;
    if (f && h.settings.connection === 'ssh' && !seen.has(f)) seen.set(f, h);
  }
  await Promise.all(
    [...seen].map(async ([file, h]) => {
      const why = await unusable(file);
      if (!why) return;
      const shown = h.keyFileWritten && h.keyFileWritten !== file ? `${h.keyFileWritten} (${file})` : file;
      problems.add(
        new ConfigError(`key file ${shown} ${why}`, {
          location: h.keyFileAt,
          hint: 'key_file is relative to the inventory file, or starts with ~/ for the home directory; create a key with ssh-keygen or fix the path',
        }),
      );
    }),
  );
}

async function unusable(file: string): Promise<string | undefined> {
  try {
    const st = await stat(file);
    if (!st.isFile()) return 'is not a file';
    await access(file, constants.R_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'does not exist' : code === 'EACCES' ? 'is not readable' : (e as Error).message;
  }
}
