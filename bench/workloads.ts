/**
 * The benchmark's workloads, written once and rendered for each runner: an omsplay playbook, an Ansible
 * playbook, and the raw ssh2 script's step list (the same remote commands in the same order, no engine).
 */
import { stringify } from 'yaml';
import { remoteCommand } from '../lib/connection/ssh-command.js';

export type WorkloadId = 'a' | 'b';

/** One remote operation of the raw runner. */
export type RawOp = { exec: string } | { copy: { dest: string; content: string } };
/** A step: on every host in parallel, each host runs its ops in order; the next step starts when all are done. */
export type RawStep = RawOp[];

export interface Workload {
  id: WorkloadId;
  title: string;
  /** Files the playbooks need beside them (relative path -> content). */
  files: Record<string, string>;
  omsplay: string;
  ansible: string;
  raw: RawStep[];
  /** The same steps as the command lines omsplay sends (workload (a) only). */
  rawArgv?: RawStep[];
}

/** Destination of workload (b)'s copy on every host; the "changed" runs remove it first. */
export const COPY_DEST = '/tmp/omsplay-bench-small.txt';
const COPY_CONTENT = `${'omsplay benchmark: a small file\n'.repeat(16)}`;

function play(name: string, tasks: unknown[], extra: Record<string, unknown> = {}): string {
  return stringify([{ name, hosts: 'all', ...extra, tasks }]);
}

/** (a) N trivial `command` tasks. */
export function commandsWorkload(n: number): Workload {
  const tasks = Array.from({ length: n }, (_, i) => ({ name: `echo ${i + 1}`, command: `echo ${i + 1}` }));
  return {
    id: 'a',
    title: `${n} command tasks`,
    files: {},
    omsplay: play('bench (a)', tasks),
    ansible: play('bench (a)', tasks, { gather_facts: false }),
    raw: tasks.map((t) => [{ exec: t.command }]),
    rawArgv: tasks.map((_, i) => [{ exec: remoteCommand({ argv: ['echo', String(i + 1)] }).line }]),
  };
}

/** (b) shell with registered output, set_fact, when (true and false), copy of a small file, a loop of 10 items. */
export function mixedWorkload(loopItems = 10): Workload {
  const items = Array.from({ length: loopItems }, (_, i) => i + 1);
  const common = (when: { ok: string; never: string; fact: string }) => [
    { name: 'shell with registered output', shell: 'echo hello; uname -s', register: 'out' },
    { name: 'set_fact', set_fact: { greeting: '{{ out.stdout_lines[0] }}'.replace('[0]', when.fact) } },
    { name: 'when true', command: 'echo {{ greeting }}', when: when.ok },
    { name: 'when false (skipped)', command: 'echo never', when: when.never },
    { name: 'copy a small file', copy: { src: 'small.txt', dest: COPY_DEST } },
    { name: `loop of ${loopItems} items`, command: 'echo item {{ item }}', loop: items },
    { name: 'shell after the copy', shell: `wc -c < ${COPY_DEST}`, register: 'size', when: when.ok },
  ];
  // Handlebars (omsplay) and Jinja (Ansible) spell the same conditions differently.
  const omsplayTasks = common({ ok: '(eq out.rc 0)', never: '(ne out.rc 0)', fact: '.[0]' });
  const ansibleTasks = common({ ok: 'out.rc == 0', never: 'out.rc != 0', fact: '[0]' });
  return {
    id: 'b',
    title: 'mixed play',
    files: { 'files/small.txt': COPY_CONTENT },
    omsplay: play('bench (b)', omsplayTasks),
    ansible: play('bench (b)', ansibleTasks, { gather_facts: false }),
    raw: [
      [{ exec: 'echo hello; uname -s' }],
      [{ exec: 'echo hello' }],
      [{ copy: { dest: COPY_DEST, content: COPY_CONTENT } }],
      items.map((i) => ({ exec: `echo item ${i}` })),
      [{ exec: `wc -c < ${COPY_DEST}` }],
    ],
  };
}
