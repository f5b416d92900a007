/**
 * The command session both transports share (lib/connection/session.ts): sudo's marked prompt answered with the
 * password, the caller's stdin only once sudo has authenticated, a wrong password ending stdin, the kill at the
 * timeout aimed at the reported process group. Driven through its pipes exactly as local.ts and ssh.ts drive it;
 * test/unit/connection/local.test.ts and test/integration/connection run it against real sudo.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CommandSession, type SessionPipes } from '../../../lib/connection/session.js';
import { BECOME_OK, PGID_MARK, SUDO_PROMPT, remoteCommand } from '../../../lib/connection/ssh-command.js';
import type { ExecOptions } from '../../../lib/connection/types.js';

/** Pipes that record what the session sends to the command and whom it kills. */
class Recorder implements SessionPipes {
  written: string[] = [];
  ended = false;
  piped: Readable[] = [];
  kills: Array<number | null> = [];
  write(data: string): void {
    this.written.push(data);
  }
  end(data?: string | Buffer): void {
    if (data !== undefined) this.written.push(data.toString());
    this.ended = true;
  }
  pipe(stream: Readable): void {
    this.piped.push(stream);
  }
  kill(pgid: number | null): void {
    this.kills.push(pgid);
  }
}

function session(argv: string[], opts: ExecOptions) {
  const pipes = new Recorder();
  const s = new CommandSession(remoteCommand({ argv }, opts), opts, pipes);
  s.begin();
  return { s, pipes };
}

const pgidLine = (n: number) => Buffer.from(`${PGID_MARK}${n}\n`);

describe('CommandSession', () => {
  it('without a sudo password the caller\'s stdin goes at once; the pgid line never reaches stderr', () => {
    const { s, pipes } = session(['cat'], { stdin: 'data\n' });
    expect(pipes.written).toEqual(['data\n']);
    expect(pipes.ended).toBe(true);
    s.stderr(pgidLine(4242));
    s.stderr(Buffer.from('warning\n'));
    s.stdout(Buffer.from('data\n'));
    expect(s.pgid).toBe(4242);
    expect(s.finish(0, null)).toMatchObject({ exitCode: 0, stdout: 'data\n', stderr: 'warning\n', timedOut: false, signal: null });
  });

  it('with a password: nothing before the prompt, the password on the prompt, stdin only after sudo authenticated', () => {
    const { s, pipes } = session(['cat'], { become: { password: 'pw-canary' }, stdin: 'payload\n' });
    expect(pipes.written).toEqual([]);
    s.stderr(Buffer.concat([pgidLine(7), Buffer.from(SUDO_PROMPT)]));
    expect(pipes.written).toEqual(['pw-canary\n']);
    expect(pipes.ended).toBe(false);
    s.stderr(Buffer.from(`${BECOME_OK}\n`));
    expect(pipes.written).toEqual(['pw-canary\n', 'payload\n']);
    expect(pipes.ended).toBe(true);
    const r = s.finish(0, null)!;
    expect(r.becomeStarted).toBe(true);
    expect(r.stderr).toBe('');
  });

  it('where sudo asks no password, the password is never sent: stdin follows the start marker', () => {
    const { s, pipes } = session(['cat'], { become: { password: 'pw-canary' }, stdin: 'payload\n' });
    s.stderr(Buffer.concat([pgidLine(7), Buffer.from(`${BECOME_OK}\n`)]));
    expect(pipes.written).toEqual(['payload\n']);
  });

  it('a second prompt (wrong password) ends stdin instead of feeding the caller\'s data to sudo', () => {
    const { s, pipes } = session(['cat'], { become: { password: 'wrong' }, stdin: 'payload\n' });
    s.stderr(Buffer.concat([pgidLine(7), Buffer.from(SUDO_PROMPT)]));
    s.stderr(Buffer.from(`Sorry, try again.\n${SUDO_PROMPT}`));
    expect(pipes.written).toEqual(['wrong\n']);
    expect(pipes.ended).toBe(true);
    const r = s.finish(1, null)!;
    expect(r.becomeStarted).toBe(false);
    expect(r.stderr).toBe('Sorry, try again.\n');
  });

  it('sudo_direct with a password: the caller\'s stdin follows the password at once (there is no start marker)', () => {
    const { s, pipes } = session(['docker', 'load'], { become: { password: 'pw', method: 'sudo_direct' }, stdin: 'tar' });
    s.stderr(Buffer.concat([pgidLine(9), Buffer.from(SUDO_PROMPT)]));
    expect(pipes.written).toEqual(['pw\n', 'tar']);
    s.finish(0, null);
  });

  it('kills the reported process group at the timeout and says so in the result', async () => {
    const { s, pipes } = session(['sleep', '10'], { timeoutMs: 30 });
    s.stderr(pgidLine(5150));
    await new Promise((r) => setTimeout(r, 80));
    expect(pipes.kills).toEqual([5150]);
    expect(s.wasKilled).toBe(true);
    expect(s.finish(null, null)).toMatchObject({ timedOut: true, signal: 'SIGKILL', exitCode: null });
    expect(s.finish(null, null)).toBeNull();
  });

  it('a failing stdin stream kills the command; an abort does too, without counting as a timeout', () => {
    const stdin = new Readable({ read() {} });
    const { s, pipes } = session(['cat'], { stdin });
    expect(pipes.piped).toEqual([stdin]);
    stdin.emit('error', new Error('source gone'));
    expect(pipes.kills).toEqual([null]);
    s.finish(null, 'SIGKILL');
    const controller = new AbortController();
    const aborted = session(['sleep', '10'], { signal: controller.signal });
    controller.abort();
    expect(aborted.pipes.kills).toEqual([null]);
    expect(aborted.s.finish(null, null)).toMatchObject({ timedOut: false, signal: 'SIGKILL' });
  });
});
