/** `omsplay unlock NAME -i INVENTORY [-l PATTERN]`: breaks a run lock left by a run that died (kill -9, lost control node). */
import { resolve } from 'node:path';
import { ConnectionPool } from '../connection/pool.js';
import { LOCK_NAME, breakCommand, describeOwner, lockPath, parseOwner } from '../engine/lock.js';
import { ExitCode, OptionsError } from '../errors.js';
import { applyLimit, loadInventory } from '../inventory/index.js';
import { Masker } from '../secrets.js';
import { parse } from './args.js';

const USAGE = 'omsplay unlock NAME -i INVENTORY [-l PATTERN]';

export async function unlockCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { inventory: { type: 'string', short: 'i' }, limit: { type: 'string', short: 'l' } }, USAGE);
  if (!values.inventory) throw new OptionsError('an inventory is required', { hint: USAGE });
  const name = positionals[0];
  if (positionals.length !== 1 || !name || !LOCK_NAME.test(name)) throw new OptionsError('unlock takes exactly one lock name (e.g. oms-upgrade)', { hint: USAGE });
  const masker = new Masker();
  const inv = await loadInventory(resolve(values.inventory), { masker });
  const hosts = applyLimit(inv, inv.select('all'), values.limit).filter((h) => h !== 'localhost');
  const pool = new ConnectionPool((h) => inv.hosts.get(h)?.connection, { masker });
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
