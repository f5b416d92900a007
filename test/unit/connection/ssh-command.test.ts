import { describe, expect, it } from 'vitest';
import { BECOME_OK, PGID_MARK, remoteCommand, StderrFilter, SUDO_PROMPT, splitPgidLine } from '../../../lib/connection/ssh-command.js';
import { becomeRefusal } from '../../../lib/connection/become.js';
import { ValidationError } from '../../../lib/errors.js';

const prefix = `echo ${PGID_MARK}$$ >&2; exec `;

describe('remoteCommand', () => {
  it('quotes an argv and reports the process group first', () => {
    const r = remoteCommand({ argv: ['echo', 'a b', "it's"] });
    expect(r.argv).toEqual(['echo', 'a b', "it's"]);
    expect(r.line).toBe(`${prefix}echo 'a b' 'it'\\''s'`);
    expect(r.sudoPassword).toBeUndefined();
  });

  it('runs a script with sh -c, quoted as one word', () => {
    expect(remoteCommand({ script: 'echo $HOME; ls | wc -l' }).argv).toEqual(['sh', '-c', 'echo $HOME; ls | wc -l']);
  });

  it('puts env inside sudo and cwd inside sudo (cd as the become user)', () => {
    const r = remoteCommand({ argv: ['pwd'] }, { env: { A: '1 2' }, cwd: '/root dir', become: true });
    expect(r.argv).toEqual(['sudo', '-n', '-H', '-u', 'root', '--', 'sh', '-c', 'cd "$1" && shift && exec "$@"', 'sh', '/root dir', 'env', 'A=1 2', 'pwd']);
    expect(r.sudoPassword).toBeUndefined();
  });

  it('become with a password: a marked sudo prompt, a start marker, the password never in argv', () => {
    const r = remoteCommand({ argv: ['id'] }, { become: { user: 'admin', password: 's3cret pw' } });
    expect(r.argv).toEqual(['sudo', '-S', '-p', SUDO_PROMPT, '-H', '-u', 'admin', '--', 'sh', '-c', `echo ${BECOME_OK} >&2; exec "$@"`, 'sh', 'id']);
    expect(r.line).not.toContain('s3cret');
    expect(r.sudoPassword).toBe('s3cret pw');
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

describe('StderrFilter', () => {
  const feed = (f: StderrFilter, parts: string[]) => {
    let out = '';
    const events: string[] = [];
    for (const p of parts) {
      const r = f.push(Buffer.from(p));
      out += r.out.toString();
      events.push(...r.events);
    }
    return { out: out + f.flush().toString(), events };
  };

  it('without sudo auth: only the pgid line is removed, even when split across chunks', () => {
    const f = new StderrFilter(false);
    expect(feed(f, ['OMSPLAY-PG', 'ID=77', '\nwarn', 'ing\n'])).toEqual({ out: 'warning\n', events: [] });
    expect(f.pgid).toBe(77);
  });

  it('with sudo auth: reports the prompt, then the start of the command, and keeps sudo messages', () => {
    const f = new StderrFilter(true);
    const r = feed(f, [`${PGID_MARK}5\n`, SUDO_PROMPT.slice(0, 5), SUDO_PROMPT.slice(5), 'Sorry, try again.\n', SUDO_PROMPT, `${BECOME_OK.slice(0, 3)}`, `${BECOME_OK.slice(3)}\nreal`, ' stderr']);
    expect(r.events).toEqual(['prompt', 'prompt', 'authenticated']);
    expect(r.out).toBe('Sorry, try again.\nreal stderr');
  });

  it('with sudo auth and no password needed: straight to authenticated', () => {
    const f = new StderrFilter(true);
    expect(feed(f, [`${PGID_MARK}5\n${BECOME_OK}\n`])).toEqual({ out: '', events: ['authenticated'] });
  });

  it('keeps sudo errors when the command never starts', () => {
    const f = new StderrFilter(true);
    expect(feed(f, [`${PGID_MARK}5\n`, 'admin is not in the sudoers file.\n'])).toEqual({ out: 'admin is not in the sudoers file.\n', events: [] });
  });
});

describe('remoteCommand with become_method sudo_direct', () => {
  it('sudo runs the argv itself: no sh -c, no start marker, the password never in argv or the line', () => {
    const r = remoteCommand({ argv: ['docker', 'load', '-i', '/home/op/x.tar'] }, { become: { method: 'sudo_direct', password: 'pw in stdin' } });
    expect(r.argv).toEqual(['sudo', '-S', '-p', SUDO_PROMPT, '-H', '-u', 'root', '--', 'docker', 'load', '-i', '/home/op/x.tar']);
    expect(r.line).toBe(`echo ${PGID_MARK}$$ >&2; exec sudo -S -p '${SUDO_PROMPT}' -H -u root -- docker load -i /home/op/x.tar`);
    expect(r.line).not.toContain('pw in stdin');
    expect(r.sudoPassword).toBe('pw in stdin');
    expect(r.sudoAuth).toBe('direct');
    expect(r.sudoRuns).toEqual(['docker', 'load', '-i', '/home/op/x.tar']);
  });

  it('without a password: sudo -n; cwd is entered before sudo, env goes to sudo as VAR=value', () => {
    const r = remoteCommand({ argv: ['/usr/bin/docker', 'ps'] }, { become: { method: 'sudo_direct' }, cwd: '/home/op dir', env: { A: '1' } });
    expect(r.argv).toEqual(['sudo', '-n', '-H', '-u', 'root', '--', 'A=1', '/usr/bin/docker', 'ps']);
    expect(r.line).toBe(`echo ${PGID_MARK}$$ >&2; cd '/home/op dir' && exec sudo -n -H -u root -- A=1 /usr/bin/docker ps`);
    expect(r.sudoAuth).toBeUndefined();
  });

  it('commands that are not become commands, and scripts, run as the login user', () => {
    for (const command of [{ argv: ['sha256sum', '/home/op/x.tar'] }, { argv: ['sh', '-c', 'cat f | wc -c'] }, { script: 'mkdir -p a && mv b a/' }]) {
      const r = remoteCommand(command, { become: { method: 'sudo_direct', password: 'pw' } });
      expect(r.argv[0]).not.toBe('sudo');
      expect(r.become).toBeNull();
      expect(r.sudoPassword).toBeUndefined();
    }
    const cat = remoteCommand({ argv: ['cat', '/etc/shadow'] }, { become: { method: 'sudo_direct', commands: ['/usr/bin/docker', 'cat'] } });
    expect(cat.argv.slice(0, 6)).toEqual(['sudo', '-n', '-H', '-u', 'root', '--']);
  });
});

describe('StderrFilter in direct mode', () => {
  it('takes sudo prompts out wherever they appear (even split across chunks) and passes the rest at once', () => {
    const f = new StderrFilter('direct');
    const first = f.push(Buffer.from(`${PGID_MARK}9\n${SUDO_PROMPT.slice(0, 7)}`));
    expect(first).toEqual({ out: Buffer.alloc(0), events: [] });
    const second = f.push(Buffer.from(`${SUDO_PROMPT.slice(7)}docker: error\n`));
    expect(second.events).toEqual(['prompt']);
    expect(second.out.toString()).toBe('docker: error\n');
    expect(f.push(Buffer.from(`Sorry, try again.\n${SUDO_PROMPT}`)).events).toEqual(['prompt']);
  });
});

describe('becomeRefusal', () => {
  it('names the refused command and the sudoers rule (with the path sudo resolved)', () => {
    const e = becomeRefusal(
      { exitCode: 1, stderr: "Sorry, user op is not allowed to execute '/usr/bin/cat /etc/oms/config.yaml' as root on h1.\n" },
      { host: 'h1', user: 'op', become: { method: 'sudo_direct', password: 'x' }, ran: ['cat', '/etc/oms/config.yaml'] },
    )!;
    expect(e.message).toBe("sudo on h1 refused for op to run `cat /etc/oms/config.yaml` as root: Sorry, user op is not allowed to execute '/usr/bin/cat /etc/oms/config.yaml' as root on h1.");
    expect(e.hint).toContain('`op ALL=(root) /usr/bin/cat`');
    expect(e.format()).not.toMatch(/config\.yaml mount/);
  });

  it('is not a refusal when the command ran (its own exit 1) or sudo started it', () => {
    expect(becomeRefusal({ exitCode: 1, stderr: 'Error: No such container: x\n' }, { host: 'h', user: 'u', become: {}, ran: ['docker', 'x'] })).toBeNull();
    expect(becomeRefusal({ exitCode: 1, stderr: 'sudo: x\n' }, { host: 'h', user: 'u', become: {}, ran: ['x'], started: true })).toBeNull();
  });
});
