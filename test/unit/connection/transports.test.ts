/**
 * The transport registry (lib/connection/transports.ts): the inventory's `connection:` values, each loaded on first
 * use through the pool; an unknown name is refused with a did-you-mean, from the pool and from the inventory loader.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { LocalConnection } from '../../../lib/connection/local.js';
import { ConnectionPool } from '../../../lib/connection/pool.js';
import { TRANSPORT_NAMES, TRANSPORTS, transportEntry } from '../../../lib/connection/transports.js';
import type { ConnectionSettings } from '../../../lib/connection/types.js';
import { ConfigError, ExitCode } from '../../../lib/errors.js';
import { INVENTORY_SCHEMA_URL } from '../../../lib/inventory/schema.js';

const settings = (connection: string): ConnectionSettings => ({ connection, address: '127.0.0.1', port: 22, user: 'root' }) as ConnectionSettings;

describe('transport registry', () => {
  it('names ssh and local, and every entry loads a module exporting `transport`', async () => {
    expect(TRANSPORT_NAMES).toEqual(['ssh', 'local']);
    for (const name of TRANSPORT_NAMES) {
      const m = await TRANSPORTS[name].load();
      expect(typeof m.transport.start, name).toBe('function');
    }
  });

  it('refuses an unknown connection type with a did-you-mean, or the list when nothing is close', () => {
    const near = (() => {
      try {
        transportEntry('lcoal');
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('lcoal was accepted');
    })();
    expect(near).toBeInstanceOf(ConfigError);
    expect(near.exitCode).toBe(ExitCode.parse);
    expect(near.message).toBe('unknown connection type `lcoal`');
    expect(near.hint).toBe('did you mean `local`?');
    expect(() => transportEntry('telnet')).toThrow(expect.objectContaining({ hint: 'known connection types: ssh, local' }));
    // Object's own properties are no transports.
    expect(() => transportEntry('toString')).toThrow(ConfigError);
  });

  it('the pool reaches a host through the transport its settings name, and the control node locally', async () => {
    const pool = new ConnectionPool((h) => (h === 'box' ? settings('local') : h === 'typo' ? settings('sshh') : undefined));
    const box = await pool.get('box');
    expect(box).toBeInstanceOf(LocalConnection);
    expect(box.host).toBe('box');
    expect((await box.exec({ argv: ['echo', 'hi'] })).stdout).toBe('hi\n');
    // localhost is the control node even though the resolver does not know it.
    expect(await pool.get('localhost')).toBeInstanceOf(LocalConnection);
    expect(pool.settings('127.0.0.1')?.connection).toBe('local');
    await expect(pool.get('typo')).rejects.toThrow(expect.objectContaining({ message: 'unknown connection type `sshh`', hint: 'did you mean `ssh`?' }));
    await expect(pool.get('nowhere')).rejects.toThrow(/no connection settings for host nowhere/);
    // A local run never starts the ssh transport (so never loads ssh.ts nor ssh2).
    expect([...(pool as unknown as { runs: Map<string, unknown> }).runs.keys()]).toEqual(['local']);
    await pool.closeAll();
  });

  it('the shipped inventory schema lists exactly the registered transports (npm run schemas writes them)', async () => {
    const schema = JSON.parse(await readFile(INVENTORY_SCHEMA_URL, 'utf8'));
    expect(schema.definitions.connection.properties.connection.enum).toEqual(TRANSPORT_NAMES);
    for (const name of TRANSPORT_NAMES) expect(schema.definitions.connection.properties.connection.description).toContain(`${name} (${TRANSPORTS[name].summary})`);
  });
});
