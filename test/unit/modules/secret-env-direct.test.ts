/** A secret env value never goes on a command line: under become_method sudo_direct it cannot reach a command run through sudo, so the task says so. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { main } from '../../../lib/cli/main.js';

it('command: docker with a secret env under sudo_direct fails naming the variable, before anything runs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'omsplay-secretenv-'));
  process.env.OMSPLAY_HOME = join(dir, 'state');
  await writeFile(
    join(dir, 'inv.yml'),
    'connection: {connection: local, become: true, become_method: sudo_direct}\nvars: {db_password: "Pa55-direct-canary"}\nregions:\n  r1:\n    hosts:\n      localhost: {}\n',
  );
  await writeFile(join(dir, 'book.yml'), '- name: P\n  hosts: all\n  tasks:\n    - name: Secret env\n      command:\n        argv: [docker, version]\n        env: {DBPW: "{{ db_password }}"}\n');
  let out = '';
  const o = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((c: string | Uint8Array) => {
    out += String(c);
    return true;
  }) as typeof process.stdout.write;
  let code: number;
  try {
    code = await main(['run', join(dir, 'book.yml'), '-i', join(dir, 'inv.yml')]);
  } finally {
    process.stdout.write = o;
  }
  expect(code).toBe(2);
  expect(out).toContain('a secret env value (DBPW) cannot reach docker through sudo with become_method sudo_direct');
  expect(out).not.toContain('Pa55-direct-canary');
});
