/**
 * The dump command's shell, run for real on this machine with a stand-in `mysqldump` on PATH: the
 * sha256 is the file's, computed in the same pass; failures leave no partial file and no option file.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFileSummary } from '../../../lib/commands/fs.js';
import { dumpCommand, dumpCompleted, dumpProgressCommand } from '../../../lib/commands/mysql.js';

let dir: string;

/** A stand-in mysqldump: writes `lines` lines, then the trailer unless `$FAKE_FAIL` (then exits 2 after them). */
const FAKE = `#!/bin/sh
i=0
while [ $i -lt \${FAKE_LINES:-1000} ]; do echo "INSERT INTO t VALUES ($i,'row $i');"; i=$((i+1)); done
[ -n "$FAKE_FAIL" ] && { echo "mysqldump: Error 2013: Lost connection" >&2; exit 2; }
cat "$1" | grep -q password= || { echo "no option file" >&2; exit 3; }
if [ -n "$FAKE_WAIT_FILE" ]; then n=0; while [ ! -s "$FAKE_WAIT_FILE" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n+1)); done; fi
if [ -n "$FAKE_WAIT_ESTIMATE" ]; then
  n=0; while [ ! -e "$(dirname "$1")/estimate" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n+1)); done
  echo "-- estimate $(cat "$(dirname "$1")/estimate" 2>/dev/null)"
fi
echo "-- Dump completed on 2026-12-03 14:00:00"
`;

function run(argv: string[], stdin: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(argv[0]!, argv.slice(1), { env: { ...process.env, PATH: `${dir}/bin:${process.env.PATH}`, ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.on('error', () => undefined); // EPIPE: a refusal exits before reading the option file
    child.stdin!.end(stdin);
  });
}

const exists = (p: string) => stat(p).then(() => true, () => false);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omsplay-dumpcmd-'));
  await writeFile(join(dir, 'fake'), FAKE);
  await run(['mkdir', '-p', `${dir}/bin`], '');
  await writeFile(`${dir}/bin/mysqldump`, `#!/bin/sh\nexec sh ${dir}/fake "$(echo "$1" | sed 's/^--defaults-extra-file=//')"\n`);
  await chmod(`${dir}/bin/mysqldump`, 0o755);
  // A stand-in mysql client for the size estimate: records its arguments, needs the option file, prints one number.
  await writeFile(
    `${dir}/bin/mysql`,
    `#!/bin/sh\nprintf '%s\\n' "$@" > ${dir}/mysql-args\ngrep -q password= "$(echo "$1" | sed 's/^--defaults-extra-file=//')" || exit 1\nif [ -n "$FAKE_SLOW_ESTIMATE" ]; then echo $$ > "$FAKE_SLOW_ESTIMATE"; exec sleep 30; fi\necho 12345\n`,
  );
  await chmod(`${dir}/bin/mysql`, 0o755);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('dumpCommand (run with a stand-in mysqldump)', () => {
  it('hashes while writing: the reported sha256 and size are the file’s, the option file is gone, the file is 0600', async () => {
    const priv = `${dir}/priv1`;
    const dest = `${dir}/out/a.sql`;
    const r = await run(dumpCommand({ args: [`--defaults-extra-file=${priv}/my.cnf`, 'db'], dest, privDir: priv }), '[client]\npassword="x"\n', { FAKE_LINES: '50000' });
    expect(r.code, r.stderr).toBe(0);
    const sum = parseFileSummary(r.stdout);
    const data = await readFile(`${dest}.partial`);
    expect(sum.size).toBe(data.length);
    expect(sum.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(dumpCompleted(sum.tail)).toBe(true);
    expect((await stat(`${dest}.partial`)).mode & 0o777).toBe(0o600);
    expect((await stat(`${dir}/out`)).mode & 0o777).toBe(0o700);
    expect(await exists(priv)).toBe(false);
  });

  it('reads the size estimate beside the dump with the connection options only, into DIR/estimate while the dump runs', async () => {
    const priv = `${dir}/priv6`;
    const conn = [`--defaults-extra-file=${priv}/my.cnf`, '--host=db', '--user=u'];
    const argv = dumpCommand({ args: [...conn, '--triggers=false', 'db'], dest: `${dir}/out/e.sql`, privDir: priv, estimate: { sql: 'SELECT 1', connArgs: conn.length } });
    const r = await run(argv, '[client]\npassword="x"\n', { FAKE_LINES: '10', FAKE_WAIT_ESTIMATE: '1' });
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(`${dir}/out/e.sql.partial`, 'utf8')).toContain('-- estimate 12345\n');
    expect((await readFile(`${dir}/mysql-args`, 'utf8')).trim().split('\n')).toEqual([...conn, '--batch', '--skip-column-names', '-e', 'SELECT 1']);
    expect(await exists(priv)).toBe(false);
  });

  it('a dump shorter than its size estimate ends the estimate query with it (nothing left running on the host)', async () => {
    const priv = `${dir}/priv-slow`;
    const pidFile = `${dir}/slow-estimate.pid`;
    const conn = ['--defaults-extra-file=' + `${priv}/my.cnf`, '--host=db'];
    const argv = dumpCommand({ args: [...conn, 'db'], dest: `${dir}/out/slow.sql`, privDir: priv, estimate: { sql: 'SELECT 1', connArgs: conn.length } });
    // The dump waits until the estimate query has started, so the query is surely running when the dump ends.
    const r = await run(argv, '[client]\npassword="x"\n', { FAKE_SLOW_ESTIMATE: pidFile, FAKE_WAIT_FILE: pidFile });
    expect(r.code, r.stderr).toBe(0);
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    let alive = true;
    for (let i = 0; i < 20 && alive; i++) {
      try {
        process.kill(pid, 0);
        await new Promise((res) => setTimeout(res, 50));
      } catch {
        alive = false;
      }
    }
    expect(alive, `the estimate query (pid ${pid}) still runs after the dump ended`).toBe(false);
  });

  it('progress poll: the partial file’s size, then the estimate once written; fails while there is no partial file', async () => {
    await writeFile(`${dir}/p.partial`, '0123456789');
    expect((await run(dumpProgressCommand(`${dir}/p.partial`, `${dir}/p.estimate`), '')).stdout).toBe('10\n');
    await writeFile(`${dir}/p.estimate`, '123\n');
    expect((await run(dumpProgressCommand(`${dir}/p.partial`, `${dir}/p.estimate`), '')).stdout).toBe('10\n123\n');
    expect((await run(dumpProgressCommand(`${dir}/p.partial`), '')).stdout).toBe('10\n');
    expect((await run(dumpProgressCommand(`${dir}/none.partial`, `${dir}/p.estimate`), '')).code).not.toBe(0);
  });

  it('gzip: the hash is the compressed file’s, the trailer read from the stream, not from the file again', async () => {
    const priv = `${dir}/priv2`;
    const dest = `${dir}/out/b.sql.gz`;
    const r = await run(dumpCommand({ args: [`--defaults-extra-file=${priv}/my.cnf`, 'db'], dest, privDir: priv, gzip: true }), '[client]\npassword="x"\n');
    expect(r.code, r.stderr).toBe(0);
    const sum = parseFileSummary(r.stdout);
    const data = await readFile(`${dest}.partial`);
    expect(sum.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(gunzipSync(data).toString()).toMatch(/Dump completed/);
    expect(dumpCompleted(sum.tail)).toBe(true);
    expect(await exists(priv)).toBe(false);
  });

  it('a dump that fails part-way: its exit status, no partial file, no option file', async () => {
    const priv = `${dir}/priv3`;
    const dest = `${dir}/out/c.sql`;
    const r = await run(dumpCommand({ args: [`--defaults-extra-file=${priv}/my.cnf`, 'db'], dest, privDir: priv }), '[client]\npassword="x"\n', { FAKE_FAIL: '1' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Lost connection/);
    expect(r.stdout).not.toMatch(/@@sha256/);
    expect(await exists(`${dest}.partial`)).toBe(false);
    expect(await exists(priv)).toBe(false);
  });

  it('refuses an existing dest unless overwrite, before creating anything', async () => {
    const dest = `${dir}/out/d.sql`;
    await writeFile(dest, 'old');
    const r = await run(dumpCommand({ args: [], dest, privDir: `${dir}/priv4` }), '');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^@@refused exists$/m);
    expect(await exists(`${dir}/priv4`)).toBe(false);
    const ok = await run(dumpCommand({ args: [`--defaults-extra-file=${dir}/priv5/my.cnf`], dest, privDir: `${dir}/priv5`, overwrite: true }), 'password=x\n');
    expect(ok.code, ok.stderr).toBe(0);
  });
});
