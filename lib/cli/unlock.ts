/** `omsplay unlock NAME -i INVENTORY [-l PATTERN]`: breaks a run lock left by a run that died (kill -9, lost control node). */
import { resolve } from 'node:path';
import { ConnectionPool } from '../connection/pool.js';
import { LOCK_NAME, breakCommand, describeOwner, lockPath, parseOwner } from '../engine/lock.js';
import { ExitCode, OptionsError } from '../errors.js';
import { loadInventory } from '../inventory/index.js';
import { hostOrLocalhost } from '../inventory/localhost.js';
import { Masker } from '../secrets.js';
import type { Parsed } from './args.js';
import type { UNLOCK_OPTIONS } from './commands.js';

const USAGE = 'omsplay unlock NAME -i INVENTORY [-l PATTERN]';

export async function unlockCommand({ values, positionals }: Parsed<typeof UNLOCK_OPTIONS>): Promise<number> {
  if (!values.inventory) throw new OptionsError('an inventory is required', { hint: USAGE });
  const name = positionals[0];
  if (positionals.length !== 1 || !name || !LOCK_NAME.test(name)) throw new OptionsError('unlock takes exactly one lock name (e.g. oms-upgrade)', { hint: USAGE });
  const masker = new Masker();
  const inv = await loadInventory(resolve(values.inventory), { masker });
  // Every matched host, the control node too: a play on `localhost` (declared or not) takes its lock there.
  const hosts = values.limit ? inv.select(values.limit, { source: 'options', allowEmpty: true }) : inv.select('all');
  if (hosts.length === 0) {
    throw new OptionsError(`no host of ${values.inventory} matches ${values.limit ? `--limit ${values.limit}` : 'the inventory'}: no lock was removed`, {
      hint: 'name hosts, regions or groups of the inventory (or localhost) with -l',
    });
  }
  const pool = new ConnectionPool((h) => hostOrLocalhost(inv, h)?.connection, { masker });
  let failed = 0;
  try {
    await Promise.all(
      hosts.map(async (h) => {
        try {
          const conn = await pool.get(h);
          const r = await conn.exec({ argv: breakCommand(name) }, { timeoutMs: 30_000 });
          if (r.exitCode === 3) process.stdout.write(`${h}: not locked\n`);
          else if (r.exitCode === 0) {
            const o = parseOwner(r.stdout);
            process.stdout.write(`${h}: removed ${o.at ?? lockPath(name)}, held by ${describeOwner(o)}\n`);
          }
          else {
            failed++;
            process.stdout.write(`${h}: could not remove ${lockPath(name)}: ${masker.mask(r.stderr.trim()) || `exit ${r.exitCode}`}\n`);
          }
        } catch (e) {
          failed++;
          process.stdout.write(`${h}: ${masker.mask((e as Error).message)}\n`);
        }
      }),
    );
  } finally {
    await pool.closeAll();
  }
  return failed > 0 ? ExitCode.error : ExitCode.ok;
}
