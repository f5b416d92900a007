/**
 * wait_for: polls from the target host until a TCP port opens (or closes), a path appears (or
 * goes), or a command succeeds / prints something matching a regex. Every probe runs on the host
 * through the connection, so "port open" means open as the host sees it. Ports are probed with
 * bash's /dev/tcp under coreutils `timeout`, both present on every Debian/Ubuntu/RHEL host.
 */
import { quoteArgv } from '../connection/quote.js';
import type { Command, ExecResult } from '../connection/types.js';
import { sleep } from '../sleep.js';
import { CommandSplitError, splitCommand } from '../commands/split-command.js';
import { trimEnd } from './support/run-command.js';
import type { ModuleContext, ModuleDefinition, ModuleResult } from './types.js';

export interface WaitForArgs {
  port?: number;
  host?: string;
  path?: string;
  command?: string | string[];
  regex?: string;
  state?: 'started' | 'stopped' | 'present' | 'absent';
  timeout?: number;
  delay?: number;
  sleep?: number;
  msg?: string;
}

/** Longest a single port probe may take, so a filtered port cannot hold a probe for long. */
const PORT_PROBE_S = 5;

export const waitFor: ModuleDefinition<WaitForArgs> = {
  name: 'wait_for',
  summary: 'Wait, as seen from the host, until a TCP port opens or closes, a path appears or disappears, or a command succeeds or prints text matching a regex.',
  schema: {
    type: 'object',
    properties: {
      port: { type: 'integer', minimum: 1, maximum: 65535, description: 'TCP port to wait for.' },
      host: { type: 'string', minLength: 1, default: '127.0.0.1', description: 'Address the port is checked on, from the target host.' },
      path: { type: 'string', minLength: 1, description: 'File or directory to wait for on the host. With `regex`: wait until the file\'s content matches.' },
      command: {
        description: 'Command to run on the host (no shell; a string is split like `command`) until it exits 0, or until its stdout matches `regex`.',
        oneOf: [
          { type: 'string', minLength: 1 },
          { type: 'array', items: { type: 'string' }, minItems: 1 },
        ],
        errorMessage: 'a command string or a non-empty list of strings (argv)',
      },
      regex: { type: 'string', minLength: 1, description: 'JavaScript regular expression the command\'s stdout (or the file at `path`) must match.' },
      state: {
        enum: ['started', 'stopped', 'present', 'absent'],
        description: 'port: `started` (open, default) or `stopped` (closed); path: `present` (default) or `absent`. `started`/`present` and `stopped`/`absent` mean the same.',
      },
      timeout: { type: 'number', minimum: 0, default: 300, description: 'Seconds to wait before failing.' },
      delay: { type: 'number', minimum: 0, default: 0, description: 'Seconds to wait before the first check.' },
      sleep: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'Seconds between checks.' },
      msg: { type: 'string', description: 'Message when the wait times out (the last output is appended).' },
    },
    additionalProperties: false,
    oneOf: [{ required: ['port'] }, { required: ['path'] }, { required: ['command'] }],
    errorMessage: 'exactly one of `port`, `path` or `command`',
  },
  checkMode: 'none',
  runsInCheckMode: true,
  changedMeans: 'Never changed: it only waits.',
  result: [
    { name: 'elapsed_ms', description: 'How long it waited.' },
    { name: 'attempts', description: 'How many checks ran.' },
    { name: 'match', description: 'With `regex`: the text that matched.' },
    { name: 'groups', description: 'With `regex`: the named groups of the match.' },
    { name: 'rc', description: 'With `command`: exit code of the last run.' },
    { name: 'stdout', description: 'With `command`: stdout of the last run (on timeout: the last output, to see why).' },
    { name: 'stderr', description: 'With `command`: stderr of the last run.' },
  ],
  example: `- name: Wait for the OMS console
  wait_for:
    port: 8089
    timeout: 600

- name: Wait until the console service is RUNNING in the OMS container
  wait_for:
    command: [docker, exec, oms, supervisorctl, status, oms_console]
    regex: "\\bRUNNING\\b"
    timeout: 900
    sleep: 10`,
  async run(args, ctx): Promise<ModuleResult> {
    let probe: Probe;
    try {
      probe = makeProbe(args);
    } catch (e) {
      if (e instanceof CommandSplitError) return { changed: false, failed: true, msg: `${e.message}; hint: ${e.hint}` };
      if (e instanceof SyntaxError) return { changed: false, failed: true, msg: `regex ${args.regex}: ${e.message}` };
      throw e;
    }
    const timeoutMs = (args.timeout ?? 300) * 1000;
    if (ctx.check) return { changed: false, skipped: true, msg: `check mode: would wait up to ${timeoutMs / 1000}s for ${probe.what}` };
    const started = performance.now();
    if (args.delay) await sleep(args.delay * 1000, ctx.signal);
    const intervalMs = (args.sleep ?? 1) * 1000;
    let attempts = 0;
    for (;;) {
      attempts++;
      const left = Math.max(timeoutMs - (performance.now() - started), 100);
      const o = await probe.check(ctx, left);
      const elapsed_ms = Math.round(performance.now() - started);
      if (o.fatal) return { changed: false, failed: true, attempts, elapsed_ms, ...o.fields, msg: o.fatal };
      if (o.done) return { changed: false, attempts, elapsed_ms, ...o.fields, msg: `${probe.what}: done after ${(elapsed_ms / 1000).toFixed(1)}s` };
      if (performance.now() - started + intervalMs > timeoutMs) {
        const last = o.last ? `; last output: ${tail(o.last)}` : '';
        return { changed: false, failed: true, attempts, elapsed_ms, ...o.fields, msg: `${args.msg ?? `timed out after ${timeoutMs / 1000}s waiting for ${probe.what}`}${last}` };
      }
      await sleep(intervalMs, ctx.signal);
    }
  },
};

interface Outcome {
  done: boolean;
  /** A reason to stop at once (the probe cannot work on this host). */
  fatal?: string;
  /** Output of the last check, shown when the wait times out. */
  last?: string;
  fields?: Record<string, unknown>;
}

interface Probe {
  what: string;
  check(ctx: ModuleContext, leftMs: number): Promise<Outcome>;
}

function makeProbe(args: WaitForArgs): Probe {
  const regex = args.regex === undefined ? undefined : new RegExp(args.regex, 'm');
  const wantGone = args.state === 'stopped' || args.state === 'absent';
  if (args.port !== undefined) {
    const host = args.host ?? '127.0.0.1';
    const port = String(args.port);
    return {
      what: `port ${host}:${port} to ${wantGone ? 'close' : 'open'}`,
      async check(ctx, leftMs) {
        const secs = Math.min(PORT_PROBE_S, Math.max(leftMs / 1000, 0.1)).toFixed(1);
        // host and port are arguments of the script ($1, $2), never spliced into it.
        const r = await ctx.exec({ argv: ['timeout', secs, 'bash', '-c', 'exec 3<>"/dev/tcp/$1/$2"', 'bash', host, port] });
        if (r.exitCode === 126 || r.exitCode === 127) return { done: false, fatal: `cannot probe ports on this host (needs bash and coreutils timeout): ${trimEnd(r.stderr)}` };
        const open = r.exitCode === 0;
        return { done: open !== wantGone, last: trimEnd(r.stderr) };
      },
    };
  }
  if (args.path !== undefined) {
    const path = args.path;
    if (regex) {
      return {
        what: `${path} to match /${args.regex}/`,
        async check(ctx) {
          const r = await ctx.exec({ argv: ['cat', '--', path] });
          if (r.exitCode !== 0) return { done: false, last: trimEnd(r.stderr) };
          return matchOutcome(regex, r.stdout);
        },
      };
    }
    return {
      what: `${path} to be ${wantGone ? 'absent' : 'present'}`,
      async check(ctx) {
        const r = await ctx.exec({ argv: ['test', '-e', path] });
        if (r.exitCode !== 0 && r.exitCode !== 1) return { done: false, fatal: `cannot check ${path}: ${trimEnd(r.stderr) || `exit ${r.exitCode}`}` };
        return { done: (r.exitCode === 0) !== wantGone };
      },
    };
  }
  const argv = typeof args.command === 'string' ? splitCommand(args.command) : [...(args.command ?? [])];
  const command: Command = { argv };
  const shown = quoteArgv(argv);
  return {
    what: regex ? `\`${shown}\` to print /${args.regex}/` : `\`${shown}\` to succeed`,
    async check(ctx, leftMs) {
      const r = await ctx.exec(command, { timeoutMs: leftMs });
      const fields = commandFields(r);
      const last = [trimEnd(r.stdout), trimEnd(r.stderr)].filter(Boolean).join('\n') || `exit ${r.exitCode}`;
      if (regex) {
        const m = matchOutcome(regex, r.stdout);
        return { ...m, last, fields: { ...fields, ...m.fields } };
      }
      return { done: r.exitCode === 0, last, fields };
    },
  };
}

function matchOutcome(regex: RegExp, text: string): Outcome {
  const m = regex.exec(text);
  if (!m) return { done: false, last: trimEnd(text) };
  return { done: true, fields: { match: m[0], groups: { ...(m.groups ?? {}) } } };
}

function commandFields(r: ExecResult): Record<string, unknown> {
  return { rc: r.exitCode, stdout: trimEnd(r.stdout), stderr: trimEnd(r.stderr) };
}

function tail(s: string, max = 500): string {
  return s.length > max ? `…${s.slice(-max)}` : s;
}
