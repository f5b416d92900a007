/**
 * Runs a playbook through the real engine (loader, validation, templating, modules, journal) over
 * the local connection, collecting the event stream. Hosts named in `unreachable` report
 * UnreachableError from their connection, as an SSH connection to a dead host does.
 *
 * Each inventory host gets a connection of its own that sets OMSPLAY_TEST_HOST=<host> for its commands,
 * so a test sees where a command ran: `delegate_to: localhost` (the control node) has no such variable,
 * `delegate_to: b` runs with b's. An executor that ignored delegate_to would be caught.
 */
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadAll } from '../../../lib/cli/load.js';
import { LocalConnection } from '../../../lib/connection/local.js';
import { CONTROL_NODE_NAMES } from '../../../lib/connection/pool.js';
import type { Command, Connection, ExecOptions, ExecResult } from '../../../lib/connection/types.js';
import type { Reporter, RunEvent } from '../../../lib/engine/events.js';
import { executeRun } from '../../../lib/engine/execute.js';
import { type RecordedValues, findRun, readRecorded } from '../../../lib/engine/journal.js';
import type { RunOptions } from '../../../lib/engine/options.js';
import { UnreachableError } from '../../../lib/errors.js';
import { PlainReporter } from '../../../lib/reporters/plain.js';

export const LOCAL_INVENTORY = `
connection: {connection: local}
vars: {site: lab}
regions:
  hz:
    vars: {region_code: 1}
    hosts: {a: {}, b: {}}
  sh:
    vars: {region_code: 2}
    hosts: {c: {}}
groups:
  oms: {hosts: [a, b, c]}
`;

/** A local connection standing for one inventory host: its commands see OMSPLAY_TEST_HOST=<host>. */
export class HostConnection extends LocalConnection {
  override exec(command: Command, opts: ExecOptions = {}): Promise<ExecResult> {
    return super.exec(command, { ...opts, env: { ...opts.env, OMSPLAY_TEST_HOST: this.host } });
  }
}

export class Collect implements Reporter {
  events: RunEvent[] = [];
  event(e: RunEvent): void {
    this.events.push(e);
  }
  async close(): Promise<void> {}
  results(task?: string) {
    return this.events.filter((e): e is Extract<RunEvent, { type: 'task_result' }> => e.type === 'task_result' && (!task || e.task === task));
  }
  status(task: string): Record<string, string> {
    return Object.fromEntries(this.results(task).map((r) => [r.host, r.status]));
  }
  recap() {
    return this.events.find((e): e is Extract<RunEvent, { type: 'recap' }> => e.type === 'recap')!.hosts;
  }
}

export interface RunYaml {
  playbook: string;
  /** Run this existing playbook file instead of writing `playbook`. */
  playbookFile?: string;
  inventory?: string;
  files?: Record<string, string>;
  options?: Partial<RunOptions>;
  extraVars?: string[];
  unreachable?: string[];
  fromRun?: string;
  dir?: string;
  /** Also print through the plain reporter (`-v` when 'verbose'); its text is returned as `plain`. */
  plain?: boolean | 'verbose';
}

export async function workdir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'omsplay-engine-'));
  process.env.OMSPLAY_HOME = join(dir, 'state');
  return dir;
}

export async function runYaml(spec: RunYaml) {
  const dir = spec.dir ?? (await workdir());
  await writeFile(join(dir, 'inventory.yml'), spec.inventory ?? LOCAL_INVENTORY);
  await writeFile(join(dir, 'play.yml'), spec.playbook);
  for (const [name, text] of Object.entries(spec.files ?? {})) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  const loaded = await loadAll({ playbook: spec.playbookFile ?? join(dir, 'play.yml'), inventory: join(dir, 'inventory.yml'), extraVars: spec.extraVars ?? [], fromRun: !!spec.fromRun });
  const collect = new Collect();
  let plainText = '';
  const sink = {
    write(chunk: string | Uint8Array) {
      plainText += String(chunk);
      return true;
    },
  } as NodeJS.WritableStream;
  const reporters: Reporter[] = spec.plain ? [collect, new PlainReporter(sink, spec.plain === 'verbose')] : [collect];
  const perHost = new Map<string, Connection>();
  const opened: string[] = [];
  const controlNode = new LocalConnection();
  const unreachable = new Set(spec.unreachable ?? []);
  let fromRun: RecordedValues | undefined;
  if (spec.fromRun) {
    const meta = await findRun(spec.fromRun, loaded.inventory.file, loaded.fromRunNames);
    if (!meta) throw new Error('no run found');
    fromRun = await readRecorded(meta);
  }
  const outcome = await executeRun(loaded.playbook, loaded.inventory, {
    check: false,
    diff: false,
    forks: 10,
    tags: [],
    skipTags: [],
    extraVars: loaded.extraVars,
    yes: false,
    interactive: false,
    noOnFailure: false,
    masker: loaded.masker,
    reporters,
    fromRun,
    connections: {
      async get(host: string): Promise<Connection> {
        // The control node, as the pool gives it: the local transport, no OMSPLAY_TEST_HOST.
        if (CONTROL_NODE_NAMES.has(host)) return controlNode;
        opened.push(host);
        if (unreachable.has(host)) throw new UnreachableError(host, `ssh: connect to host ${host} port 22: connection refused`);
        if (!perHost.has(host)) perHost.set(host, new HostConnection(host));
        return perHost.get(host)!;
      },
      async closeAll() {},
    },
    signal: new AbortController().signal,
    includeTasks: loaded.includeTasks,
    ...spec.options,
  });
  return { ...outcome, collect, dir, opened, masker: loaded.masker, plain: plainText };
}
