import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  fingerprint,
  hostKeyName,
  KnownHostsStore,
  keyTypeOf,
  knownHostsLine,
  knownKeyTypes,
  parseKnownHosts,
  patternsMatch,
  verifyHostKey,
} from '../../../lib/connection/known-hosts.js';

// A real ed25519 public key; `ssh-keygen -lf` prints SHA256:TczsCHdDnyNs3vMpETw5b9W5JLKitGRzqyH1JrnYGW4 for it.
const K1 = 'AAAAC3NzaC1lZDI1NTE5AAAAINnIIrGfJEqrplIDDbdkfN6M3uzdVHzG6CEMnvqwMR1M';
const K1_FP = 'SHA256:TczsCHdDnyNs3vMpETw5b9W5JLKitGRzqyH1JrnYGW4';
const K2 = 'AAAAC3NzaC1lZDI1NTE5AAAAIH47WvYDTqvtxHXCtZ+ANhnmqCzjLPBcDD1/qbV3mQ7r';
const key1 = Buffer.from(K1, 'base64');
const key2 = Buffer.from(K2, 'base64');
// Written by `ssh-keygen -H` (OpenSSH 9.2) for "10.0.0.5" and "[10.0.0.6]:2222" with key K1.
const HASHED_22 = `|1|cSENg7lSWUteti+TYemPiZCA89Y=|k01ku7IMupSiK8z7fmedYEuGWII= ssh-ed25519 ${K1}`;
const HASHED_2222 = `|1|DXc44Z+2zubXQqx6eyr8SIyN04o=|/Xzw0Qgai1nFGEIVVRCnTfd1AuE= ssh-ed25519 ${K1}`;

describe('known_hosts parsing', () => {
  it('reads plain, commented, marked and damaged lines with their line numbers', () => {
    const text = ['# comment', '', `h1,10.0.0.1 ssh-ed25519 ${K1} root@h1`, `@revoked * ssh-ed25519 ${K2}`, `@cert-authority *.corp ssh-ed25519 ${K2}`, 'broken ssh-ed25519 !!!', `h9 ssh-rsa ${K1}`].join('\n');
    const entries = parseKnownHosts(text, '/kh');
    expect(entries.map((e) => [e.line, e.marker, e.patterns])).toEqual([
      [3, undefined, 'h1,10.0.0.1'],
      [4, 'revoked', '*'],
      [5, 'cert-authority', '*.corp'],
    ]);
    expect(entries[0]!.key.equals(key1)).toBe(true);
    expect(entries[0]!.file).toBe('/kh');
  });

  it('names non-default ports [host]:port and fingerprints like ssh-keygen', () => {
    expect(hostKeyName('10.0.0.1', 22)).toBe('10.0.0.1');
    expect(hostKeyName('10.0.0.1', 2222)).toBe('[10.0.0.1]:2222');
    expect(fingerprint(key1)).toBe(K1_FP);
    expect(keyTypeOf(key1)).toBe('ssh-ed25519');
  });
});

describe('host pattern matching', () => {
  it('matches lists, wildcards and negations', () => {
    expect(patternsMatch('a,b,10.0.0.1', '10.0.0.1')).toBe(true);
    expect(patternsMatch('10.0.0.*', '10.0.0.9')).toBe(true);
    expect(patternsMatch('10.0.0.?', '10.0.0.19')).toBe(false);
    expect(patternsMatch('10.0.0.*,!10.0.0.9', '10.0.0.9')).toBe(false);
    expect(patternsMatch('H1.example', 'h1.example')).toBe(true);
    expect(patternsMatch('a.b', 'axb')).toBe(false);
  });

  it('matches OpenSSH-hashed entries, port forms included, and nothing else', () => {
    expect(patternsMatch(HASHED_22.split(' ')[0]!, '10.0.0.5')).toBe(true);
    expect(patternsMatch(HASHED_22.split(' ')[0]!, '10.0.0.6')).toBe(false);
    expect(patternsMatch(HASHED_2222.split(' ')[0]!, '[10.0.0.6]:2222')).toBe(true);
    expect(patternsMatch(HASHED_2222.split(' ')[0]!, '10.0.0.6')).toBe(false);
  });

  it('distinguishes [host]:port from the same host on 22', () => {
    const entries = parseKnownHosts(`[10.0.0.1]:2222 ssh-ed25519 ${K1}`, '/kh');
    expect(verifyHostKey(entries, '10.0.0.1', 2222, key1).status).toBe('known');
    expect(verifyHostKey(entries, '10.0.0.1', 22, key1).status).toBe('unknown');
  });
});

describe('host key verdicts', () => {
  const entries = parseKnownHosts([`10.0.0.1 ssh-ed25519 ${K1}`, HASHED_2222, `@revoked 10.0.0.7 ssh-ed25519 ${K2}`, `10.0.0.7 ssh-ed25519 ${K2}`].join('\n'), '/kh');

  it('known when the whole key blob matches', () => {
    const v = verifyHostKey(entries, '10.0.0.1', 22, key1);
    expect(v).toMatchObject({ status: 'known', entry: { line: 1 } });
    expect(verifyHostKey(entries, '10.0.0.6', 2222, key1).status).toBe('known');
  });

  it('changed when another key is recorded for the host, naming the lines', () => {
    const v = verifyHostKey(entries, '10.0.0.1', 22, key2);
    expect(v.status).toBe('changed');
    expect(v.status === 'changed' && v.entries.map((e) => `${e.file}:${e.line}`)).toEqual(['/kh:1']);
    expect(verifyHostKey(entries, '10.0.0.6', 2222, key2).status).toBe('changed');
  });

  it('unknown when nothing is recorded; revoked wins over a plain match', () => {
    expect(verifyHostKey(entries, '10.0.0.2', 22, key1).status).toBe('unknown');
    expect(verifyHostKey(entries, '10.0.0.7', 22, key2).status).toBe('revoked');
  });

  it('lists the recorded key types of a host', () => {
    expect(knownKeyTypes(entries, '10.0.0.1', 22)).toEqual(['ssh-ed25519']);
    expect(knownKeyTypes(entries, '10.0.0.3', 22)).toEqual([]);
  });

  it('writes lines that read back, hashed or not', () => {
    for (const hash of [false, true]) {
      const line = knownHostsLine('10.0.0.9', 2200, key1, hash);
      expect(line.startsWith(hash ? '|1|' : '[10.0.0.9]:2200 ')).toBe(true);
      expect(verifyHostKey(parseKnownHosts(line, '/x'), '10.0.0.9', 2200, key1).status).toBe('known');
    }
  });
});

describe('KnownHostsStore', () => {
  it('appends a new key once, with its line number, and sees it afterwards', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omsplay-kh-'));
    const file = join(dir, 'sub', 'known_hosts');
    const store = new KnownHostsStore();
    expect(verifyHostKey(await store.entries([file]), '10.0.0.1', 22, key1).status).toBe('unknown');
    const e1 = await store.append(file, '10.0.0.1', 22, key1);
    expect(e1.line).toBe(1);
    const e2 = await store.append(file, '10.0.0.2', 2222, key2);
    expect(e2.line).toBe(2);
    await store.append(file, '10.0.0.1', 22, key1);
    expect(await readFile(file, 'utf8')).toBe(`10.0.0.1 ssh-ed25519 ${K1}\n[10.0.0.2]:2222 ssh-ed25519 ${K2}\n`);
    expect(verifyHostKey(await store.entries([file]), '10.0.0.2', 2222, key2).status).toBe('known');
    expect(verifyHostKey(await new KnownHostsStore().entries([file]), '10.0.0.1', 22, key1).status).toBe('known');
  });

  it('adds a missing final newline before appending', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omsplay-kh-'));
    const file = join(dir, 'known_hosts');
    await writeFile(file, `a ssh-ed25519 ${K2}`);
    const e = await new KnownHostsStore().append(file, 'b', 22, key1);
    expect(e.line).toBe(2);
    expect((await readFile(file, 'utf8')).split('\n')).toEqual([`a ssh-ed25519 ${K2}`, `b ssh-ed25519 ${K1}`, '']);
  });
});
