/**
 * The four runners, each started cold as a process per run on the same hosts and the same work:
 * omsplay (bin/omsplay.js, built), tuned Ansible, Ansible + Mitogen, and the raw ssh2 limit (bench/raw-ssh2.ts,
 * transpiled once to plain JS so it starts like omsplay does, without a TypeScript loader).
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import type { Spawnable } from './measure.js';
import type { Workload } from './workloads.js';

export type RunnerId = 'omsplay' | 'ansible' | 'mitogen' | 'raw' | 'raw-argv';
/** The four runners compared (and charted). */
export const RUNNERS: RunnerId[] = ['omsplay', 'ansible', 'mitogen', 'raw'];
/**
 * Plus, for workload (a) only, the raw runner sending omsplay's own command lines (its process-group line and
 * `exec` of the program, as the command module's argv needs): how much of omsplay/raw is the remote command.
 */
export const ALL_RUNNERS: RunnerId[] = [...RUNNERS, 'raw-argv'];
export const RUNNER_LABELS: Record<RunnerId, string> = {
  omsplay: 'omsplay',
  ansible: 'Ansible (tuned)',
  mitogen: 'Ansible + Mitogen',
  raw: 'raw ssh2 limit',
  'raw-argv': "raw ssh2, omsplay's command lines",
};

export const MITOGEN_STRATEGIES = '/usr/lib/python3/dist-packages/ansible_mitogen/plugins/strategy';

export interface BenchHost {
  name: string;
  address: string;
  port: number;
}

export interface Target {
  hosts: BenchHost[];
  user: string;
  keyFile: string;
  knownHostsFile: string;
  /** omsplay inventory for exactly these hosts. */
  omsplayInventory: string;
}

export interface Prepared {
  /** The command of one cold run. */
  command(): Promise<Spawnable>;
  /** After each run (e.g. close OpenSSH control masters so the next run starts cold too). */
  after?(): Promise<void>;
}

export interface PrepareContext {
  repo: string;
  /** A fresh directory for this runner + configuration. */
  dir: string;
  target: Target;
  workload: Workload;
  forks: number;
  timeoutMs: number;
}

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), content);
  }
}

const baseEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: process.env.HOME ?? '/root', LANG: 'C.UTF-8' });

function prepareOmsplay(c: PrepareContext): Prepared {
  return {
    async command() {
      await writeFiles(c.dir, { 'playbook.yml': c.workload.omsplay, ...c.workload.files });
      return {
        argv: [process.execPath, join(c.repo, 'bin/omsplay.js'), 'run', join(c.dir, 'playbook.yml'), '-i', c.target.omsplayInventory, '--forks', String(c.forks), '--plain'],
        // Its run journals go to the benchmark's scratch directory, not the operator's ~/.omsplay.
        env: { ...baseEnv(), OMSPLAY_HOME: join(c.dir, 'omsplay-home') },
        cwd: c.repo,
        timeoutMs: c.timeoutMs,
      };
    },
  };
}

function ansibleFiles(c: PrepareContext, mitogen: boolean): Record<string, string> {
  const t = c.target;
  const inventory = [
    '[bench]',
    ...t.hosts.map((h) => `${h.name} ansible_host=${h.address} ansible_port=${h.port}`),
    '',
    '[all:vars]',
    `ansible_user=${t.user}`,
    `ansible_ssh_private_key_file=${t.keyFile}`,
    'ansible_python_interpreter=/usr/bin/python3',
    '',
  ].join('\n');
  // Tuned as Ansible's users tune it: pipelining, ControlPersist, no fact gathering, forks = hosts, no host key checks.
  const cfg = [
    '[defaults]',
    'inventory = inventory.ini',
    `forks = ${c.forks}`,
    'host_key_checking = False',
    'gathering = explicit',
    'retry_files_enabled = False',
    'deprecation_warnings = False',
    'interpreter_python = /usr/bin/python3',
    // The connection timeout (default 10 s) is too short for 50 parallel OpenSSH/Mitogen handshakes on 2 busy cores.
    'timeout = 60',
    ...(mitogen ? [`strategy_plugins = ${MITOGEN_STRATEGIES}`, 'strategy = mitogen_linear'] : []),
    '',
    '[ssh_connection]',
    'pipelining = True',
    `ssh_args = -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${t.knownHostsFile} -o StrictHostKeyChecking=no -o PreferredAuthentications=publickey`,
    '',
  ].join('\n');
  return { 'inventory.ini': inventory, 'ansible.cfg': cfg, 'playbook.yml': c.workload.ansible, ...c.workload.files };
}

/** Closes every OpenSSH control master left under dir (ControlPersist would keep the next run warm). */
async function closeMasters(dir: string): Promise<void> {
  const sockets = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise<void>((resolve) => {
          const p = spawn('ssh', ['-o', `ControlPath=${join(dir, s)}`, '-O', 'exit', 'bench'], { stdio: 'ignore' });
          p.on('close', () => resolve());
          p.on('error', () => resolve());
        }),
    ),
  );
  await rm(dir, { recursive: true, force: true });
}

let controlSeq = 0;

function prepareAnsible(c: PrepareContext, mitogen: boolean): Prepared {
  // Short path: a unix socket path must stay under ~104 bytes.
  let cp = '';
  return {
    async command() {
      await writeFiles(c.dir, ansibleFiles(c, mitogen));
      cp = `/tmp/obc-${process.pid}-${++controlSeq}`;
      await mkdir(cp, { recursive: true });
      return {
        argv: ['/usr/bin/ansible-playbook', 'playbook.yml'],
        env: {
          ...baseEnv(),
          ANSIBLE_CONFIG: join(c.dir, 'ansible.cfg'),
          ANSIBLE_SSH_CONTROL_PATH_DIR: cp,
          ANSIBLE_LOCAL_TEMP: join(c.dir, 'ansible-tmp'),
          ANSIBLE_NOCOLOR: '1',
        },
        cwd: c.dir,
        timeoutMs: c.timeoutMs,
      };
    },
    async after() {
      await closeMasters(cp);
    },
  };
}

let rawScript: Promise<string> | undefined;

/** bench/raw-ssh2.ts as plain ESM next to node_modules (so `ssh2` resolves), transpiled once. */
function rawScriptPath(repo: string): Promise<string> {
  rawScript ??= (async () => {
    const src = await readFile(join(repo, 'bench/raw-ssh2.ts'), 'utf8');
    const out = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false } });
    const dir = join(repo, 'node_modules/.cache/omsplay-bench');
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'raw-ssh2.mjs');
    await writeFile(file, out.outputText);
    return file;
  })();
  return rawScript;
}

function prepareRaw(c: PrepareContext, argv: boolean): Prepared {
  return {
    async command() {
      if (argv && !c.workload.rawArgv) throw new Error(`workload (${c.workload.id}) has no raw-argv steps`);
      const spec = {
        hosts: c.target.hosts.map((h) => ({ host: h.address, port: h.port, username: c.target.user, keyFile: c.target.keyFile })),
        steps: argv ? c.workload.rawArgv : c.workload.raw,
      };
      await mkdir(c.dir, { recursive: true });
      await writeFile(join(c.dir, 'raw.json'), JSON.stringify(spec));
      return { argv: [process.execPath, await rawScriptPath(c.repo), join(c.dir, 'raw.json')], env: baseEnv(), cwd: c.repo, timeoutMs: c.timeoutMs };
    },
  };
}

export function prepare(runner: RunnerId, c: PrepareContext): Prepared {
  switch (runner) {
    case 'omsplay':
      return prepareOmsplay(c);
    case 'ansible':
      return prepareAnsible(c, false);
    case 'mitogen':
      return prepareAnsible(c, true);
    case 'raw':
      return prepareRaw(c, false);
    case 'raw-argv':
      return prepareRaw(c, true);
  }
}

/** Did the run do the work? (exit 0 and, where the runner prints one, a recap without failures.) */
export function checkOutput(runner: RunnerId, code: number | null, stdout: string, stderr: string, hosts: number): string | undefined {
  if (code !== 0) {
    // Ansible says why in the middle of its output (fatal: [h7]: UNREACHABLE! => ...), the recap comes last.
    const why = `${stdout}\n${stderr}`.split('\n').filter((l) => /UNREACHABLE!|FAILED!|^fatal:|ERROR/.test(l)).slice(0, 5);
    return `exit ${code}: ${[...why, ...(stderr || stdout).trim().split('\n').slice(-8)].join('\n')}`;
  }
  if (runner === 'ansible' || runner === 'mitogen') {
    const recaps = stdout.match(/^\S+\s+: ok=\d+.*$/gm) ?? [];
    if (recaps.length !== hosts) return `expected ${hosts} recap lines, got ${recaps.length}`;
    if (recaps.some((l) => !/unreachable=0\s+failed=0/.test(l))) return `failures in the recap:\n${recaps.filter((l) => !/failed=0/.test(l)).join('\n')}`;
  }
  if (runner === 'omsplay') {
    const recaps = stdout.match(/^\S+\s+: ok=\d+.*$/gm) ?? [];
    if (recaps.length !== hosts) return `expected ${hosts} recap lines, got ${recaps.length}`;
    if (recaps.some((l) => !/unreachable=0\s+failed=0/.test(l))) return 'failures in the recap';
  }
  return undefined;
}
