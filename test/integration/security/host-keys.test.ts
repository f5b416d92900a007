/**
 * Host keys through the CLI (issue 7, "Security"): `omsplay run` with an inventory whose known_hosts file
 * records another key for h1 refuses h1 (exit 3, "HOST KEY CHANGED", the fingerprint and the known_hosts line),
 * even with --accept-new-host-keys or accept_new_host_keys: true; a host missing from known_hosts is refused
 * (exit 3, "is not known", the way to allow it) unless allowed by the flag or the inventory, which records the
 * key so the next run needs neither. A refused host never authenticates (no "Accepted" line in its sshd log)
 * and never runs the marker task; known_hosts is not touched when a key is refused. HOME points at an empty
 * directory so ~/.ssh/known_hosts plays no part.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { getLab } from '../../lab/context.js';
import { type CliResult, omsplay } from '../../support/omsplay.js';

const lab = getLab();
const [H1, H2, H3] = ['h1', 'h2', 'h3'];
const PLAYBOOK = join(import.meta.dirname, 'playbooks', 'hostkey.yml');
const MARKER = '/tmp/omsplay-hostkey-marker';

let work: string;
let known: string;

async function inventory(opts: { accept?: boolean } = {}): Promise<string> {
  return lab.inventory({
    file: join(work, 'inventory.yml'),
    hosts: [H1, H2],
    connection: { known_hosts: known, ...(opts.accept ? { accept_new_host_keys: true } : {}) },
  });
}

async function run(inv: string, ...args: string[]): Promise<CliResult> {
  return omsplay(['run', PLAYBOOK, '-i', inv, '--plain', ...args], { env: { HOME: work, OMSPLAY_HOME: join(work, 'omsplay') } });
}

async function marked(host: string): Promise<boolean> {
  return (await lab.exec(host, ['test', '-e', MARKER], { check: false })).code === 0;
}

async function accepted(host: string): Promise<number> {
  const log = await readFile(lab.host(host).sshdLog, 'utf8').catch(() => '');
  return log.split('\n').filter((l) => /Accepted (publickey|password)/.test(l)).length;
}

beforeEach(async () => {
  work = await mkdtemp(join(lab.dir, 'sec-hostkeys-'));
  known = join(work, 'known_hosts');
  for (const h of [H1, H2]) await lab.exec(h, ['rm', '-f', MARKER]);
});

describe('a changed host key', () => {
  it.each([
    ['without options', [] as string[], false],
    ['with --accept-new-host-keys', ['--accept-new-host-keys'], false],
    ['with accept_new_host_keys: true in the inventory', [] as string[], true],
  ])('is refused %s: exit 3, the host never logs in, the other host runs', async (_name, args, accept) => {
    // h1 recorded with h3's key: what a man in the middle (or a reinstalled host) looks like.
    await lab.writeKnownHosts({ file: known, hosts: [H1, H2], keys: { [H1]: lab.host(H3).hostKey } });
    const before = await readFile(known, 'utf8');
    const logins = await accepted(H1);
    const r = await run(await inventory({ accept }), ...args);
    const out = `${r.stdout}${r.stderr}`;
    expect(r.code, out).toBe(3);
    expect(out).toMatch(/HOST KEY CHANGED for h1 \(.*\): the server presented ssh-ed25519 SHA256:\S+, but known_hosts records another key at \S+known_hosts:1/);
    expect(out).toContain('A changed key is never accepted automatically');
    expect(out).not.toMatch(/^\s+at .+/m);
    expect(await marked(H1), 'h1 ran nothing').toBe(false);
    expect(await marked(H2), 'h2 (key known) ran the task').toBe(true);
    expect(await accepted(H1), 'h1 was never logged into').toBe(logins);
    expect(await readFile(known, 'utf8')).toBe(before);
  });
});

describe('an unknown host key', () => {
  it('is refused without permission: exit 3, the way to allow it, the host never logs in', async () => {
    await lab.writeKnownHosts({ file: known, hosts: [H2] });
    const before = await readFile(known, 'utf8');
    const logins = await accepted(H1);
    const r = await run(await inventory());
    const out = `${r.stdout}${r.stderr}`;
    expect(r.code, out).toBe(3);
    expect(out).toMatch(/host key of h1 \(.*\) is not known: the server presented ssh-ed25519 SHA256:\S+/);
    expect(out).toContain('--accept-new-host-keys');
    expect(await marked(H1)).toBe(false);
    expect(await marked(H2)).toBe(true);
    expect(await accepted(H1)).toBe(logins);
    expect(await readFile(known, 'utf8')).toBe(before);
  });

  it.each([
    ['--accept-new-host-keys', ['--accept-new-host-keys'], false],
    ['accept_new_host_keys: true in the inventory', [] as string[], true],
  ])('is accepted and recorded with %s; the next run needs no permission', async (_name, args, accept) => {
    await lab.writeKnownHosts({ file: known, hosts: [H2] });
    const logins = await accepted(H1);
    const r = await run(await inventory({ accept }), ...args);
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
    expect(await marked(H1)).toBe(true);
    // The login check of the refusal tests sees logins (it is not blind).
    expect(await accepted(H1)).toBeGreaterThan(logins);
    const recorded = await readFile(known, 'utf8');
    const keyBlob = lab.host(H1).hostKey.split(' ')[1]!;
    expect(recorded).toContain(keyBlob);
    await lab.exec(H1, ['rm', '-f', MARKER]);
    const again = await run(await inventory());
    expect(again.code, `${again.stdout}${again.stderr}`).toBe(0);
    expect(await marked(H1)).toBe(true);
  });
});
