import { describe, expect, it } from 'vitest';
import { dumpCommand, dumpCompleted, dumpSelectsDatabase, mysqlBatchArgs, mysqldumpArgs, optionFileContent, parseBatch, restoreCommand, sqlIdent, sqlString } from '../../../lib/commands/mysql.js';
import { fileSummary, parseFileSummary } from '../../../lib/commands/fs.js';
import { httpGet } from '../../../lib/commands/http.js';

const server = { host: '10.0.0.5', port: 3306, user: 'oms' };
const PW = `p a'"$;|&\\ #x `;

describe('mysql builders', () => {
  it('escapes the password for the option file (backslash, double quote, control chars)', () => {
    expect(optionFileContent(PW)).toBe(`[client]\npassword="p a'\\"$;|&\\\\ #x "\n`);
    expect(optionFileContent('a\tb\nc')).toBe('[client]\npassword="a\\tb\\nc"\n');
  });

  it('never puts the password on the mysqldump argv; option file first', () => {
    const a = mysqldumpArgs({ optionFile: '/tmp/x/my.cnf', server, databases: ['oms_rm'], triggers: false, singleTransaction: true, resultFile: '/b/rm.sql.partial' });
    expect(a).toEqual(['--defaults-extra-file=/tmp/x/my.cnf', '--host=10.0.0.5', '--port=3306', '--user=oms', '--triggers=false', '--single-transaction', '--result-file=/b/rm.sql.partial', 'oms_rm']);
    expect(mysqldumpArgs({ optionFile: 'f', server, databases: ['a', 'b'] }).slice(-3)).toEqual(['--databases', 'a', 'b']);
  });

  it('runs the dump under umask 077 with values as positional parameters', () => {
    const argv = dumpCommand({ args: ['--defaults-extra-file=/tmp/omsplay.x/my.cnf', 'db'], dest: '/b/x y.sql', privDir: '/tmp/omsplay.x' });
    expect(argv.slice(0, 2)).toEqual(['sh', '-c']);
    expect(argv[2]).toMatch(/^umask 077\n/);
    expect(argv[2]).toContain('mysqldump mariadb-dump');
    expect(argv.slice(3)).toEqual(['sh', '/b/x y.sql', '/tmp/omsplay.x', '0', '', '0', '--defaults-extra-file=/tmp/omsplay.x/my.cnf', 'db']);
    expect(dumpCommand({ args: [], dest: 'p', privDir: 'd', overwrite: true }).slice(3, 6)).toEqual(['sh', 'p', 'd']);
  });

  it('restores through stdin with the file as a parameter, the drop and create first in the same command', () => {
    const argv = restoreCommand({ optionFile: 'f', server, database: 'oms_rm', file: "/b/it's.sql", prelude: 'DROP DATABASE IF EXISTS `oms_rm`; CREATE DATABASE `oms_rm`' });
    expect(argv[2]).toContain('"$bin" "$@" --database "$db" < "$f" || exit');
    expect(argv[2]).toContain('"$bin" "$@" --batch -e "$pre" || exit');
    expect(argv.slice(3)).toEqual(['sh', "/b/it's.sql", 'oms_rm', 'DROP DATABASE IF EXISTS `oms_rm`; CREATE DATABASE `oms_rm`', '', '--defaults-extra-file=f', '--host=10.0.0.5', '--port=3306', '--user=oms']);
    expect(restoreCommand({ optionFile: 'f', server, database: 'd', file: 'x.gz', gzip: true })[2]).toContain('gzip -dc -- "$f" | "$bin" "$@" --database "$db"');
  });

  it('quotes identifiers and strings', () => {
    expect(sqlIdent('a`b')).toBe('`a``b`');
    expect(sqlString("it's \\")).toBe("'it''s \\\\'");
    expect(mysqlBatchArgs('f', server, 'SELECT 1', 'db')).toEqual(['--defaults-extra-file=f', '--host=10.0.0.5', '--port=3306', '--user=oms', '--batch', '--skip-column-names', '--raw', '-e', 'SELECT 1', 'db']);
  });

  it('recognises the completion trailer only at the end', () => {
    expect(dumpCompleted('...\n-- Dump completed on 2026-11-22  0:10:01\n')).toBe(true);
    expect(dumpCompleted('-- Dump completed on 2026-11-22  0:10:01\nINSERT INTO t VALUES (1);\n')).toBe(false);
    expect(dumpCompleted('INSERT INTO t VALUES (1),(2')).toBe(false);
  });

  it('recognises a dump that selects its own databases', () => {
    expect(dumpSelectsDatabase('-- MariaDB dump\n--\n-- Current Database: `a`\n--\n\nCREATE DATABASE /*!32312 IF NOT EXISTS*/ `a`;\n\nUSE `a`;\n')).toBe(true);
    expect(dumpSelectsDatabase('-- MariaDB dump\n/*!40101 SET NAMES utf8mb4 */;\nDROP TABLE IF EXISTS `t`;\n')).toBe(false);
  });

  it('parses batch output and file summaries', () => {
    expect(parseBatch('utf8mb4\tutf8mb4_general_ci\n1\tNULL\n')).toEqual([['utf8mb4', 'utf8mb4_general_ci'], ['1', null]]);
    const sha = 'a'.repeat(64);
    expect(parseFileSummary(`@@size\n42\n@@sha256\n${sha}\n@@tail\nabc\n-- Dump completed\n`)).toEqual({ size: 42, sha256: sha, tail: 'abc\n-- Dump completed\n' });
    expect(() => parseFileSummary('garbage')).toThrow(/unexpected/);
    expect(parseFileSummary(`@@size\n1\n@@sha256\n${sha}\n@@head\nUSE \`a\`;\n\n@@tail\nx`)).toMatchObject({ head: 'USE `a`;\n\n', tail: 'x' });
    expect(fileSummary('/x', { gzip: true })[2]).toContain('gzip -dc');
  });

  it('asks health from the host with curl, else wget', () => {
    const a = httpGet('https://127.0.0.1:8089/oms/health', 5);
    expect(a[2]).toContain('curl -sSk');
    expect(a[2]).toContain('wget -q -O -');
    expect(a.slice(3)).toEqual(['sh', 'https://127.0.0.1:8089/oms/health', '5']);
  });
});
