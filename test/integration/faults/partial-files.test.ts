/**
 * Fault: the connection drops in the middle of a large SFTP transfer (copy of a 160 MB file) and of a
 * long mysqldump (a ~30 MB database dumped on the host): no partial file is ever taken for a good one.
 * The destination keeps its old good content (or stays absent), mysql.dump's `.partial` is never renamed
 * to the dump's name, and the next run does not skip on a wrong checksum: it transfers / dumps again.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSite } from '../../lab/oms/context.js';
import { rootConnection } from '../../lab/oms/seed.js';
import { omsplay } from '../../support/omsplay.js';
import { explain, metadbChecksums, remoteProcesses, sleep, startOmsplay } from './helpers.js';

const { lab, site } = getSite();
const env = { OMSPLAY_HOME: join(lab.dir, 'omsplay-home-faults') };
const HOST = 'h2';

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest('hex');
}

async function remoteSha(path: string): Promise<string | null> {
  const r = await lab.exec(HOST, ['sha256sum', path]);
  return r.code === 0 ? r.stdout.split(' ')[0]! : null;
}

async function ensureUp(): Promise<void> {
  if (!(await lab.isUp(HOST))) await lab.restart(HOST);
}

describe('the connection drops during a large SFTP transfer', () => {
  const big = join(lab.dir, 'faults-big.bin');
  const dest = '/opt/faults-copy/app.bin';
  let bigSha: string;
  let inv: string;
  let book: string;

  beforeAll(async () => {
    await lab.sh('h1', 'true'); // the lab answers
    const { execFile } = await import('node:child_process');
    await new Promise<void>((res, rej) => execFile('sh', ['-c', `head -c 160M /dev/urandom > '${big}'`], (e) => (e ? rej(e) : res())));
    bigSha = await sha256File(big);
    inv = await lab.inventory({ hosts: [HOST] });
    book = join(lab.dir, 'faults-copy.yml');
    await writeFile(book, `- hosts: ${HOST}\n  tasks:\n    - name: Copy the release\n      copy: {src: ${big}, dest: ${dest}, mode: "0644"}\n`);
  });
  afterAll(async () => {
    await ensureUp();
    await rm(big, { force: true });
  });

  it('the old good file stays; the next run transfers again and only then skips', async () => {
    await lab.sh(HOST, `mkdir -p /opt/faults-copy && rm -f /opt/faults-copy/.app.bin.* && echo 'release 1, good' > ${dest}`, { check: true });
    const oldSha = await remoteSha(dest);
    const live = startOmsplay(['run', book, '-i', inv, '--json'], { env });
    // A fifth of the way through, the host dies (its sshd with it).
    await live.waitFor((e) => e.type === 'progress' && e.total > 0 && e.done > e.total / 5 && e.done < e.total);
    process.kill(live.pid, 'SIGSTOP');
    try {
      expect(await lab.kill(HOST)).toBe(true);
    } finally {
      process.kill(live.pid, 'SIGCONT');
    }
    const r = await live.done;
    expect(r.code, explain(r)).toBe(3);
    expect(r.events.find((e) => e.type === 'task_result')).toMatchObject({ host: HOST, status: 'unreachable' });

    await lab.restart(HOST);
    // The destination still holds the old good file; what arrived sits under a staging name, never at dest.
    expect(await remoteSha(dest)).toBe(oldSha);
    const staged = (await lab.sh(HOST, 'ls -a /opt/faults-copy')).stdout.split('\n').filter((f) => f.startsWith('.app.bin.omsplay-'));
    for (const f of staged) expect((await lab.exec(HOST, ['stat', '-c', '%s', `/opt/faults-copy/${f}`])).stdout.trim()).not.toBe('167772160');

    // The next run compares checksums: the old file differs, so it transfers the whole file again.
    const again = await omsplay(['run', book, '-i', inv, '--json'], { env });
    expect(again.code, explain(again)).toBe(0);
    expect(again.events.find((e) => e.type === 'task_result')).toMatchObject({ status: 'changed' });
    expect(await remoteSha(dest)).toBe(bigSha);
    // Only now, with the right checksum, does a run skip it.
    const third = await omsplay(['run', book, '-i', inv, '--json'], { env });
    expect(third.events.find((e) => e.type === 'task_result')).toMatchObject({ status: 'ok' });
  });
});

describe('the connection drops during a long mysqldump', () => {
  const dest = '/opt/faults-dump/big.sql';
  let inv: string;
  let book: string;

  beforeAll(async () => {
    // A database big enough to take a while: 2^17 rows of ~230 bytes.
    const db = await rootConnection(site);
    try {
      await db.query(
        "DROP DATABASE IF EXISTS faults_big; CREATE DATABASE faults_big; CREATE TABLE faults_big.t (id INT AUTO_INCREMENT PRIMARY KEY, pad VARCHAR(255)) ENGINE=InnoDB; INSERT INTO faults_big.t (pad) VALUES (REPEAT('x', 220));",
      );
      for (let i = 0; i < 17; i++) await db.query('INSERT INTO faults_big.t (pad) SELECT pad FROM faults_big.t');
    } finally {
      await db.end();
    }
    inv = await lab.inventory({ hosts: [HOST] });
    book = join(lab.dir, 'faults-dump.yml');
    await writeFile(
      book,
      `- hosts: ${HOST}
  tasks:
    - name: Dump the big database
      mysql.dump:
        login_host: ${lab.mariadb!.host}
        login_port: ${lab.mariadb!.port}
        login_user: root
        login_password: !secret "${lab.mariadb!.rootPassword}"
        databases: faults_big
        dest: ${dest}
`,
    );
  });
  afterAll(async () => {
    await ensureUp();
    const db = await rootConnection(site);
    await db.query('DROP DATABASE IF EXISTS faults_big').finally(() => db.end());
  });

  /** Starts the dump and holds mysqldump (SIGSTOP) once it has written part of the file; returns its pid. */
  async function dumpHeldMidway(): Promise<{ live: ReturnType<typeof startOmsplay>; pid: string }> {
    await lab.sh(HOST, `mkdir -p /opt/faults-dump && rm -f ${dest} ${dest}.partial`, { check: true });
    const live = startOmsplay(['run', book, '-i', inv, '--json'], { env });
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (Date.now() > deadline || live.child.exitCode !== null) throw new Error(`mysqldump never got going\n${live.stderr()}\n${JSON.stringify(live.events.filter((e) => e.type === 'task_result'))}`);
      const procs = (await remoteProcesses(lab, HOST, 'faults_big')).filter((l) => /mysqldump|mariadb-dump/.test(l));
      const size = Number((await lab.exec(HOST, ['stat', '-c', '%s', `${dest}.partial`])).stdout.trim() || 0);
      if (procs.length > 0 && size > 0) {
        const pid = procs[0]!.trim().split(/\s+/)[0]!;
        await lab.exec(HOST, ['kill', '-STOP', pid]);
        return { live, pid };
      }
      await sleep(10);
    }
  }

  it('mysqldump killed: the task fails naming it, the partial file is removed, nothing takes the dump name', async () => {
    const before = await metadbChecksums(site);
    const { live, pid } = await dumpHeldMidway();
    await lab.exec(HOST, ['kill', '-KILL', pid]);
    const r = await live.done;
    expect(r.code, explain(r)).toBe(2);
    const failed = r.events.find((e) => e.type === 'task_result')!;
    expect(failed.status).toBe('failed');
    expect(failed.result.msg).toMatch(/mysqldump of faults_big failed/);
    expect(JSON.stringify(failed.result)).not.toContain(lab.mariadb!.rootPassword);
    expect((await lab.exec(HOST, ['test', '-e', dest])).code, 'no dump under the final name').toBe(1);
    expect((await lab.exec(HOST, ['test', '-e', `${dest}.partial`])).code, 'the partial file removed').toBe(1);
    expect(await metadbChecksums(site)).toEqual(before);
  });

  it('Ctrl-C mid-dump: mysqldump is ended on the host and its partial file removed; exit 99', async () => {
    const { live, pid } = await dumpHeldMidway();
    process.kill(live.pid, 'SIGINT');
    const r = await live.done;
    expect(r.code, explain(r)).toBe(99);
    expect((await lab.exec(HOST, ['kill', '-0', pid])).code, 'mysqldump is gone').not.toBe(0);
    expect((await lab.exec(HOST, ['test', '-e', dest])).code, 'no dump under the final name').toBe(1);
    expect((await lab.exec(HOST, ['test', '-e', `${dest}.partial`])).code, 'the partial file removed').toBe(1);
    expect(r.events.find((e) => e.type === 'recap')).toMatchObject({ stopped_at: 'Dump the big database' });
  });

  it('the host dies mid-dump: the .partial is never renamed; the next run dumps again, complete and verified', async () => {
    const { live } = await dumpHeldMidway();
    expect(await lab.kill(HOST)).toBe(true);
    const r = await live.done;
    expect(r.code, explain(r)).toBe(3);
    expect(r.events.find((e) => e.type === 'task_result')).toMatchObject({ status: 'unreachable' });
    await lab.restart(HOST);
    expect((await lab.exec(HOST, ['test', '-e', dest])).code, 'no dump under the final name').toBe(1);
    const partial = await lab.exec(HOST, ['tail', '-c', '200', `${dest}.partial`]);
    expect(partial.code).toBe(0);
    expect(partial.stdout).not.toContain('-- Dump completed');

    const again = await omsplay(['run', book, '-i', inv, '--json'], { env });
    expect(again.code, explain(again)).toBe(0);
    const res = again.events.find((e) => e.type === 'task_result')!.result;
    expect(res).toMatchObject({ completed: true, path: dest });
    expect(await remoteSha(dest)).toBe(res.sha256);
    expect((await lab.exec(HOST, ['tail', '-c', '100', dest])).stdout).toContain('-- Dump completed');
    expect((await lab.exec(HOST, ['test', '-e', `${dest}.partial`])).code).toBe(1);
  });
});
