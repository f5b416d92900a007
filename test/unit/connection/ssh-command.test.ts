import { describe, expect, it } from 'vitest';
import { PGID_MARK, remoteCommand, splitPgidLine } from '../../../lib/connection/ssh-command.js';
import { ValidationError } from '../../../lib/errors.js';

const prefix = `echo ${PGID_MARK}$$ >&2; exec `;

describe('remoteCommand', () => {
  it('quotes an argv and reports the process group first', () => {
    const r = remoteCommand({ argv: ['echo', 'a b', "it's"] });
    expect(r.argv).toEqual(['echo', 'a b', "it's"]);
    expect(r.line).toBe(`${prefix}echo 'a b' 'it'\\''s'`);
    expect(r.stdinPrefix).toBe('');
  });

  it('runs a script with sh -c, quoted as one word', () => {
    expect(remoteCommand({ script: 'echo $HOME; ls | wc -l' }).argv).toEqual(['sh', '-c', 'echo $HOME; ls | wc -l']);
  });

  it('puts env inside sudo and cwd inside sudo (cd as the become user)', () => {
    const r = remoteCommand({ argv: ['pwd'] }, { env: { A: '1 2' }, cwd: '/root dir', become: true });
    expect(r.argv).toEqual(['sudo', '-n', '-H', '-u', 'root', '--', 'sh', '-c', 'cd "$1" && shift && exec "$@"', 'sh', '/root dir', 'env', 'A=1 2', 'pwd']);
    expect(r.stdinPrefix).toBe('');
  });

  it('become with a password: sudo -S reads it from stdin, never argv', () => {
    const r = remoteCommand({ argv: ['id'] }, { become: { user: 'admin', password: 's3cret pw' } });
    expect(r.argv).toEqual(['sudo', '-S', '-p', '', '-H', '-u', 'admin', '--', 'id']);
    expect(r.line).not.toContain('s3cret');
    expect(r.stdinPrefix).toBe('s3cret pw\n');
  });

  it('rejects env names a shell would misread, and empty argv', () => {
    expect(() => remoteCommand({ argv: ['x'] }, { env: { 'A;rm': '1' } })).toThrow(ValidationError);
    expect(() => remoteCommand({ argv: [] })).toThrow(ValidationError);
  });
});

describe('splitPgidLine', () => {
  it('strips the marker line and keeps the rest of stderr', () => {
    expect(splitPgidLine(Buffer.from(`${PGID_MARK}4242\nreal error\n`))).toEqual({ pgid: 4242, rest: Buffer.from('real error\n') });
  });
  it('waits for more bytes while the line is incomplete', () => {
    expect(splitPgidLine(Buffer.from(PGID_MARK.slice(0, 4)))).toEqual({ pgid: null, rest: null });
    expect(splitPgidLine(Buffer.from(`${PGID_MARK}12`))).toEqual({ pgid: null, rest: null });
  });
  it('passes stderr through untouched when the shell did not print the marker', () => {
    expect(splitPgidLine(Buffer.from('csh: syntax\n'))).toEqual({ pgid: null, rest: Buffer.from('csh: syntax\n') });
  });
});
