/**
 * mysql.restore verifies the dump as it is right before its drop, not as an earlier task of the run read it: the
 * rollback's staging load reads the same file with the same parameters before the stop, and the fact cache lives
 * for the whole run.
 */
import { describe, expect, it } from 'vitest';
import type { ExecResult } from '../../../../lib/connection/types.js';
import { mysqlRestore, planRestore, type RestoreArgs } from '../../../../lib/modules/mysql/restore.js';
import type { ModuleContext } from '../../../../lib/modules/types.js';
import { FactCache } from '../../../../lib/plan/facts.js';
import type { PlannedCommand } from '../../../../lib/plan/types.js';

const summary = (sha: string): ExecResult => ({
  exitCode: 0,
  signal: null,
  stdout: `@@size\n4096\n@@sha256\n${sha}  -\n@@head\n-- MariaDB dump\n\n@@tail\n\n-- Dump completed on 2026-12-03 10:00:00\n`,
  stderr: '',
  durationMs: 1,
  timedOut: false,
});

describe('mysql.restore reads its dump afresh', () => {
  it('a dump changed after an earlier task of the run read it is refused, nothing dropped', async () => {
    const good = 'a'.repeat(64);
    const changed = 'b'.repeat(64);
    let reads = 0;
    const cache = new FactCache();
    // The file on the host: as dumped for the first read, changed afterwards.
    const facts = cache.reader('backup', async (cmd: PlannedCommand) => {
      if (!('argv' in cmd) || !cmd.argv.join(' ').includes('@@sha256')) throw new Error(`unexpected command ${JSON.stringify(cmd)}`);
      reads++;
      return summary(reads === 1 ? good : changed);
    });
    const ctx = { host: 'backup', facts, masker: { add: () => undefined } } as unknown as ModuleContext & { facts: typeof facts };
    const args = { login_host: 'db', login_user: 'oms', login_password: 'pw', database: 'oms_rm', src: '/b/oms_rm.sql', sha256: good } as RestoreArgs;
    // The earlier reader (the staging load, before the stop) saw the dump as recorded.
    const { fileSummaryFact } = await import('../../../../lib/facts/file.js');
    expect((await facts.get(fileSummaryFact, { path: args.src, gzip: false, headBytes: 16384 }))?.sha256).toBe(good);
    const seen = await mysqlRestore.gather(args, ctx);
    expect(reads).toBe(2);
    expect(() => planRestore(args, seen, 'backup')).toThrow(/has sha256 b{64}, expected a{64}; nothing was dropped/);
  });
});
