/**
 * The MetaDB connection as one object (`metadb: {host, port, user, password, via}`): every mysql.* and oms.* module
 * takes it or the separate login_* arguments, never both; mistakes are validation errors with their position, and
 * the object becomes the same connection the login_* arguments describe.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TaskFailedError, ValidationError, ValidationErrors } from '../../../../lib/errors.js';
import { modules } from '../../../../lib/modules/index.js';
import { flattenMetaDb } from '../../../../lib/metadb/connection-object.js';
import { loadPlaybook } from '../../../../lib/playbook/load.js';
import { tempDir } from '../generic/context.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const WITH_METADB = ['mysql.query', 'mysql.dump', 'mysql.restore', 'oms.param', 'oms.servers'];

async function problems(yaml: string): Promise<string[]> {
  const file = join(tmp.dir, `pb-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, yaml);
  try {
    await loadPlaybook(file, { modules });
    return [];
  } catch (e) {
    const list = e instanceof ValidationErrors ? e.errors : e instanceof ValidationError ? [e] : undefined;
    if (!list) throw e;
    return list.map((x) => `${x.location?.line}:${x.location?.col} ${x.message}${x.hint ? ` | ${x.hint}` : ''}`);
  }
}

describe('flattenMetaDb', () => {
  it('spreads the object into the login_* arguments the modules read (port as a number, default 3306)', () => {
    expect(flattenMetaDb({ metadb: { host: 'db', port: '3307', user: 'oms', password: 'pw', via: 'oms-1' }, database: 'x' } as never)).toEqual({
      database: 'x',
      login_host: 'db',
      login_port: 3307,
      login_user: 'oms',
      login_password: 'pw',
      via: 'oms-1',
    });
    expect(flattenMetaDb({ metadb: { host: 'db', user: 'oms', password: 'pw', via: '' } })).toEqual({ login_host: 'db', login_port: 3306, login_user: 'oms', login_password: 'pw' });
  });

  it('leaves the login_* arguments as they are', () => {
    const a = { login_host: 'db', login_user: 'u', login_password: 'p', via: 'h' };
    expect(flattenMetaDb(a)).toEqual(a);
  });

  it('refuses both forms, a field that rendered empty, and a bad port, without showing the password', () => {
    const msg = (a: unknown) => {
      try {
        flattenMetaDb(a as never);
      } catch (e) {
        if (e instanceof TaskFailedError) return e.message;
        throw e;
      }
      throw new Error('expected a refusal');
    };
    expect(msg({ metadb: { host: 'db', user: 'u', password: 'SECRETPW' }, login_host: 'x' })).toBe('`metadb` and `login_host` are both given');
    expect(msg({ metadb: { host: '', user: 'u', password: 'SECRETPW' } })).toBe('`metadb` lacks `host`');
    expect(msg({ metadb: { host: 'db', user: 'u', password: '' } })).toBe('`metadb` lacks `password`');
    const bad = msg({ metadb: { host: 'db', user: 'u', password: 'SECRETPW', port: 'abc' } });
    expect(bad).toContain('`metadb.port` must be a port number');
    expect(bad).not.toContain('SECRETPW');
  });
});

describe('the metadb argument in playbooks', () => {
  it.each(WITH_METADB)('%s takes `metadb: "{{ metadb }}"` alone, or the login_* arguments', async (mod) => {
    const extra: Record<string, string> = {
      'mysql.query': 'statements: [SELECT 1]',
      'mysql.dump': 'databases: rm\n        dest: /tmp/rm.sql',
      'mysql.restore': 'src: /tmp/rm.sql\n        database: rm\n        sha256: "{{ s }}"',
      'oms.param': 'name: ha.config',
      'oms.servers': 'servers: [10.0.0.1]',
    };
    expect(await problems(`- hosts: all\n  tasks:\n    - ${mod}:\n        metadb: "{{ metadb }}"\n        ${extra[mod]}\n`)).toEqual([]);
    expect(await problems(`- hosts: all\n  tasks:\n    - ${mod}:\n        login_host: db\n        login_user: u\n        login_password: "{{ pw }}"\n        ${extra[mod]}\n`)).toEqual([]);
    expect(await problems(`- hosts: all\n  tasks:\n    - ${mod}:\n        ${extra[mod]}\n`)).toEqual([
      `4:9 missing required argument \`metadb\` for module \`${mod}\` | add \`metadb:\` (the MetaDB connection {host, port, user, password, via}; or give login_host, login_user and login_password)`,
    ]);
  });

  it('both forms at once, a misspelt field and a missing one are errors at their position', async () => {
    const p = await problems(`- hosts: all
  tasks:
    - mysql.query:
        metadb: {host: db, usr: oms, password: "{{ pw }}"}
        login_host: db
        statements: [SELECT 1]
`);
    expect(p).toEqual([
      '4:9 arguments for module `mysql.query`: expected `metadb` or the login_* arguments (login_host, login_port, login_user, login_password, via), not both',
      '4:17 missing required argument `user` for module `mysql.query` | add `user:` (MetaDB user.)',
      '4:28 unknown argument `usr` for module `mysql.query` — did you mean `user`? | allowed: host, port, user, password, via',
    ]);
  });
});
