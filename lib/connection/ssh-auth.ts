/**
 * What an ssh login offers, in OpenSSH's order: private keys, then the agent, then the password
 * (also answered to keyboard-interactive prompts). Passphrases and passwords come from the environment
 * variables the inventory names, or from a prompt when the run is interactive; each is registered with
 * the masker as soon as it is read.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AnyAuthMethod, AuthHandlerMiddleware, AuthenticationType, ParsedKey } from 'ssh2';
import { UnreachableError } from '../errors.js';
import type { Masker } from '../secrets.js';
import { loadSsh2, ssh2Loaded } from './ssh2-module.js';
import type { ConnectionSettings } from './types.js';

export type Prompt = (question: string, opts: { secret: boolean }) => Promise<string>;

export interface AuthContext {
  host: string;
  env: NodeJS.ProcessEnv;
  masker?: Masker;
  prompt?: Prompt;
  /** `--ask-pass`: prompt for the login password when no password env var is set. */
  askPass?: boolean;
}

export interface Credentials {
  keys: { file: string; key: ParsedKey }[];
  agent?: string;
  password?: string;
  /** Human list of what is tried, for the error message. */
  tried: string[];
}

export function expandHome(path: string): string {
  return path === '~' ? homedir() : path.startsWith('~/') ? join(homedir(), path.slice(2)) : path;
}

const DEFAULT_IDENTITIES = ['~/.ssh/id_ed25519', '~/.ssh/id_ecdsa', '~/.ssh/id_rsa'];

// Decrypting a passphrase-protected key runs bcrypt rounds (~0.1 s of main thread): once per run, not per host.
const parsedKeys = new Map<string, ParsedKey>();

function parseKeyCached(key: Buffer, passphrase?: string): ParsedKey | Error {
  const id = createHash('sha256').update(key).update('\0').update(passphrase ?? '').digest('hex');
  const hit = parsedKeys.get(id);
  if (hit) return hit;
  const parsed = ssh2Loaded().utils.parseKey(key, passphrase);
  const one = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!one) return new Error('no key in the file');
  if (!(one instanceof Error)) parsedKeys.set(id, one);
  return one;
}

export async function gatherCredentials(s: ConnectionSettings, ctx: AuthContext): Promise<Credentials> {
  await loadSsh2();
  const creds: Credentials = { keys: [], tried: [] };
  const keyFiles = s.keyFile ? [s.keyFile] : DEFAULT_IDENTITIES;
  for (const file of keyFiles) {
    const path = expandHome(file);
    let key: Buffer;
    try {
      key = await readFile(path);
    } catch (e) {
      // The named key must exist; the OpenSSH default identities are optional.
      if (s.keyFile) throw new UnreachableError(ctx.host, `cannot read the private key ${path}: ${(e as Error).message}`, { hint: 'check key_file in the inventory' });
      continue;
    }
    let passphrase: string | undefined;
    let parsed = parseKeyCached(key);
    if (parsed instanceof Error && /passphrase/i.test(parsed.message)) {
      passphrase = s.keyPassphraseEnv ? ctx.env[s.keyPassphraseEnv] : undefined;
      if (passphrase === undefined && ctx.prompt) passphrase = await ctx.prompt(`Passphrase for ${path}: `, { secret: true });
      if (passphrase === undefined) {
        throw new UnreachableError(ctx.host, `the private key ${path} is encrypted and no passphrase was given`, {
          hint: s.keyPassphraseEnv
            ? `set the environment variable ${s.keyPassphraseEnv}`
            : 'set key_passphrase_env in the inventory (the name of an environment variable holding the passphrase), or run interactively',
        });
      }
      ctx.masker?.add(passphrase);
      parsed = parseKeyCached(key, passphrase);
    }
    if (parsed instanceof Error) {
      if (!s.keyFile) continue;
      throw new UnreachableError(ctx.host, `cannot use the private key ${path}: ${parsed.message}`, { hint: 'check key_file (an OpenSSH or PEM private key) and its passphrase' });
    }
    creds.keys.push({ file: path, key: parsed });
    creds.tried.push(`key ${path}`);
  }
  const sock = ctx.env.SSH_AUTH_SOCK;
  if (s.agent !== false && sock) {
    creds.agent = sock;
    creds.tried.push(`ssh-agent (${sock})`);
  } else if (s.agent === true) {
    creds.tried.push('ssh-agent (SSH_AUTH_SOCK is not set)');
  }
  if (s.passwordEnv) {
    const pw = ctx.env[s.passwordEnv];
    if (pw !== undefined) creds.password = pw;
    else creds.tried.push(`password (environment variable ${s.passwordEnv} is not set)`);
  }
  // One question for the whole run (the pool memoises answers by question), as `ansible -k` asks.
  if (creds.password === undefined && ctx.askPass && ctx.prompt) creds.password = await ctx.prompt('SSH password: ', { secret: true });
  if (creds.password !== undefined) {
    ctx.masker?.add(creds.password);
    creds.tried.push('password');
  }
  return creds;
}

/** ssh2's authHandler for these credentials: each method once, in order. */
export function authHandler(username: string, creds: Credentials): AuthHandlerMiddleware {
  const steps: AnyAuthMethod[] = [];
  for (const k of creds.keys) steps.push({ type: 'publickey', username, key: k.key });
  if (creds.agent) steps.push({ type: 'agent', username, agent: creds.agent });
  if (creds.password !== undefined) {
    const password = creds.password;
    steps.push({ type: 'password', username, password });
    steps.push({
      type: 'keyboard-interactive',
      username,
      prompt: (_name, _instructions, _lang, prompts, finish) => finish(prompts.map(() => password)),
    });
  }
  let i = 0;
  return (methodsLeft: AuthenticationType[] | null, _partial, next) => {
    // Skip methods the server says it does not take (null on the first call: try anything).
    while (i < steps.length) {
      const step = steps[i++]!;
      const method = step.type === 'agent' ? 'publickey' : step.type;
      if (!methodsLeft || methodsLeft.includes(method)) return next(step);
    }
    return next(false as unknown as AuthenticationType);
  };
}
