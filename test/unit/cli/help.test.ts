/**
 * Help and mistakes on the command line (issue 11, point 10): every subcommand answers --help with exit 0 and a
 * line per flag; `omsplay` alone shows the overview; unknown commands, flags and tags get a did-you-mean (exit 5,
 * nothing run); -v, -vv, -vvv are levels; the bash completion completes flags.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, RUN_OPTIONS } from '../../../lib/cli/commands.js';
import { bashCompletion } from '../../../lib/cli/completion.js';
import { cli } from '../../support/cli-in-process.js';
import { describeSettings } from '../../../lib/cli/trace.js';

let dir: string;

const pb = () => join(dir, 'pb.yml');
const inv = () => join(dir, 'inv.yml');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omsplay-help-'));
  process.env.OMSPLAY_HOME = join(dir, 'state');
  await writeFile(inv(), 'regions: {hz: {hosts: {a: {connection: local}}}}\n');
  await writeFile(
    pb(),
    `- name: tagged
  hosts: all
  tasks:
    - name: check first
      command: [echo, preflight-ran]
      tags: [preflight]
    - name: write marker
      copy: {content: "x", dest: "${dir}/marker-{{ inventory_hostname }}"}
      tags: [upgrade]
    - name: as root
      command: [id, -un]
      become: true
      tags: [become]
`,
  );
});

describe('--help', () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))('omsplay %s --help exits 0 and gives every flag a line with its help', async (name, spec) => {
    const r = await cli([name, '--help']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`Usage: omsplay ${name}`);
    const lines = r.out.split('\n');
    for (const [flag, o] of Object.entries(spec.options)) {
      const line = lines.find((l) => new RegExp(`^\\s+${o.short ? `-${o.short}, ` : ''}--${flag}\\b`).test(l));
      expect(line, `--${flag} in:\n${r.out}`).toBeDefined();
      expect(line).toContain(o.help.split(' ').slice(0, 3).join(' '));
    }
  });

  it('run --help lists all the run flags, and `help run` says the same', async () => {
    const a = await cli(['run', '--help']);
    const b = await cli(['help', 'run']);
    expect(b.code).toBe(0);
    expect(b.out).toBe(a.out);
    for (const flag of Object.keys(RUN_OPTIONS)) expect(a.out).toContain(`--${flag}`);
    expect(a.out).toMatch(/exit codes: 0 ok/);
  });

  it('`omsplay` alone and `omsplay --help` show every command and exit 0', async () => {
    for (const args of [[], ['--help'], ['-h']]) {
      const r = await cli(args);
      expect(r.code).toBe(0);
      for (const c of COMMANDS) expect(r.out).toMatch(new RegExp(`^\\s+${c.name}\\b.*${c.summary.slice(0, 15)}`, 'm'));
    }
  });

  it('--version prints the package version', async () => {
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toMatch(/^omsplay \d+\.\d+\.\d+$/);
  });
});

describe('mistakes get a did-you-mean, exit 5, and run nothing', () => {
  it('an unknown flag: --chek -> --check', async () => {
    const r = await cli(['run', pb(), '-i', inv(), '--chek']);
    expect(r.code).toBe(5);
    expect(r.err).toMatch(/^bad options: unknown option '--chek'\n {2}hint: did you mean --check\?/);
    expect(existsSync(join(dir, 'marker-a'))).toBe(false);
  });

  it('an unknown command: valdate -> validate', async () => {
    const r = await cli(['valdate', pb()]);
    expect(r.code).toBe(5);
    expect(r.err).toMatch(/unknown command "valdate"\n {2}hint: did you mean validate\?/);
    const withHelp = await cli(['valdate', '--help']);
    expect(withHelp.code).toBe(5);
    expect(withHelp.err).toMatch(/unknown command "valdate"\n {2}hint: did you mean validate\?/);
    const help = await cli(['help', 'nosuch']);
    expect(help.code).toBe(5);
    expect(help.err).toMatch(/unknown command "nosuch"\n {2}hint: the commands: run, validate/);
  });

  it('an unknown tag: --tags prefligth -> preflight (and --skip-tags too), before any journal', async () => {
    const r = await cli(['run', pb(), '-i', inv(), '--tags', 'prefligth']);
    expect(r.code).toBe(5);
    expect(r.err).toMatch(/--tags prefligth: no task of .*pb\.yml has this tag — did you mean preflight\?/);
    expect(r.err).toMatch(/hint: the playbook's tags: become, preflight, upgrade/);
    const s = await cli(['run', pb(), '-i', inv(), '--skip-tags', 'upgrad', '--list-tasks']);
    expect(s.code).toBe(5);
    expect(s.err).toMatch(/--skip-tags upgrad: .*did you mean upgrade\?/);
    expect(existsSync(join(dir, 'marker-a'))).toBe(false);
    expect(existsSync(join(dir, 'state', 'runs'))).toBe(false);
  });

  it('a tag that selects nothing is warned about, and the run goes on', async () => {
    const r = await cli(['run', pb(), '-i', inv(), '--plain', '--tags', 'preflight,upgrade', '--skip-tags', 'upgrade']);
    expect(r.code).toBe(0);
    expect(r.err).toContain('[WARNING] --tags upgrade selects no task (with --skip-tags upgrade)');
    expect(r.err).not.toContain('--tags preflight selects');
    expect(r.out).toMatch(/TASK \[check first\]/);
    expect(existsSync(join(dir, 'marker-a'))).toBe(false);
  });
});

describe('-v, -vv, -vvv', () => {
  it('are levels: results, then task paths, then connection and become details', async () => {
    const run = (v: string[]) => cli(['run', pb(), '-i', inv(), '--plain', '-t', 'preflight,become', ...v]);
    const [v0, v1, v2, v3] = [await run([]), await run(['-v']), await run(['-vv']), await run(['-v', '-v', '-v'])];
    for (const r of [v0, v1, v2, v3]) expect(r.code, r.out + r.err).toBe(0);
    expect(v0.out).not.toContain('"stdout":"preflight-ran');
    expect(v1.out).toContain('"stdout":"preflight-ran');
    expect(v1.out).not.toContain('task path:');
    expect(v2.out).toMatch(/task path: .*pb\.yml:4:\d+ \(hosts: a\)/);
    expect(v2.out).not.toContain('<a>');
    expect(v3.out).toMatch(/<a> connecting: local \(the control node\)/);
    expect(v3.out).toMatch(/<a> EXEC: echo preflight-ran\n/);
    expect(v3.out).toMatch(/<a> EXEC \[become root via sudo\]: id -un\n/);
    expect(v3.out).toMatch(/task path:/);
    const json = await cli(['run', pb(), '-i', inv(), '--json', '-vvv', '-t', 'preflight']);
    const details = json.out.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'detail');
    expect(details.map((d) => d.message)).toEqual(expect.arrayContaining([expect.stringMatching(/^EXEC: echo preflight-ran$/)]));
  });

  it('-vvv describes an ssh host without its secrets', () => {
    const text = describeSettings({ connection: 'ssh', address: '10.0.0.11', port: 2222, user: 'admin', keyFile: '~/.ssh/id', jump: ['bastion'], become: true, becomeUser: 'oms', passwordEnv: 'OMS_PW' });
    expect(text).toBe('ssh admin@10.0.0.11:2222 via bastion, key ~/.ssh/id, password from $OMS_PW, connect timeout 10 s, become oms via sudo');
  });
});

describe('shell completion', () => {
  const complete = (words: string[]) =>
    execFileSync('bash', ['-c', `${bashCompletion()}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _omsplay; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' })
      .trim()
      .split('\n');

  it('completes commands and each command\'s flags', () => {
    expect(complete(['omsplay', 'va'])).toEqual(['validate']);
    expect(complete(['omsplay', 'run', 'x.yml', '--ch'])).toEqual(['--check']);
    expect(complete(['omsplay', 'run', '--skip'])).toEqual(['--skip-tags']);
    expect(complete(['omsplay', 'runs', '--'])).toEqual(['--json', '--help']);
  });

  it('omsplay completion zsh prints the script; an unknown shell is a bad option', async () => {
    const z = await cli(['completion', 'zsh']);
    expect(z.code).toBe(0);
    expect(z.out).toContain('bashcompinit');
    expect(z.out).toContain('complete -o filenames -F _omsplay omsplay');
    const f = await cli(['completion', 'fish']);
    expect(f.code).toBe(5);
  });
});
