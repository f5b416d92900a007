/** `omsplay run PLAYBOOK -i INVENTORY [options]` */
import { createInterface } from 'node:readline/promises';
import { ConnectionPool } from '../connection/pool.js';
import { loadSshConfig } from '../connection/ssh-config.js';
import type { Reporter } from '../engine/events.js';
import { executeRun } from '../engine/execute.js';
import { type RecordedValues, findRun, readRecorded } from '../engine/journal.js';
import { manualBreak } from '../engine/lock.js';
import { ExitCode, OptionsError } from '../errors.js';
import { resolveRun } from '../report/read.js';
import { writeReport } from '../report/write.js';
import { type Masker, maskError } from '../secrets.js';
import { JsonReporter } from '../reporters/json.js';
import { ListrReporter } from '../reporters/listr.js';
import { PlainReporter } from '../reporters/plain.js';
import { csv, intOption, type Parsed } from './args.js';
import type { RUN_OPTIONS } from './commands.js';
import { fromRunRefusal } from './from-run-needed.js';
import { loadAll } from './load.js';
import { listHosts, listTasks } from './list.js';
import { checkTags } from './tags.js';
import { tracingConnections } from './trace.js';

const USAGE = 'omsplay run PLAYBOOK -i INVENTORY [-l PATTERN] [-t TAGS] [--skip-tags TAGS] [-e VARS] [-C] [-D] [-f FORKS] [--json] [--yes] [--from-run ID|last]';

/** The flags are listed (with their help lines) in commands.ts; re-exported for older imports. */
export { RUN_OPTIONS } from './commands.js';

export async function runCommand({ values, positionals }: Parsed<typeof RUN_OPTIONS>): Promise<number> {
  if (positionals.length !== 1) throw new OptionsError('run takes exactly one playbook', { hint: USAGE });
  const forks = intOption(values.forks, '--forks', 50);
  const loaded = await loadAll({ playbook: positionals[0]!, inventory: values.inventory, extraVars: values['extra-vars'] ?? [], fromRun: !!values['from-run'] });
  const { inventory, playbook, extraVars, masker } = loaded;
  // A --limit term that matches nothing is a mistake in the options: refuse it before a run (and its journal) starts.
  if (values.limit?.trim()) inventory.select(values.limit, { source: 'options', allowEmpty: true });

  // A tag no task has is a typo (exit 5, did-you-mean); one that selects nothing is said before anything runs.
  const tagFilter = { tags: csv(values.tags), skipTags: csv(values['skip-tags']) };
  for (const w of checkTags(playbook, tagFilter)) process.stderr.write(`[WARNING] ${w}\n`);

  if (values['list-tasks']) {
    process.stdout.write(listTasks(playbook, tagFilter));
    return ExitCode.ok;
  }
  if (values['list-hosts']) {
    process.stdout.write(listHosts(playbook, inventory, values.limit));
    return ExitCode.ok;
  }

  // A playbook that reads an earlier run's values, without --from-run: refused before the lock, a connection or the journal.
  const refusal = fromRunRefusal(positionals[0]!, loaded.fromRunNames, { fromRun: !!values['from-run'], extraVars });
  if (refusal) throw refusal;

  let fromRun: RecordedValues | undefined;
  if (values['from-run']) {
    const needed = loaded.fromRunNames;
    const meta = await findRun(values['from-run'], inventory.file, needed);
    if (!meta)
      throw new OptionsError(`no earlier run matches --from-run ${values['from-run']}`, {
        hint: `looked for a real (not --check) run against ${inventory.file} that recorded ${needed.join(', ') || 'values'}; see \`omsplay runs\``,
      });
    fromRun = await readRecorded(meta);
  }

  const interactive = !!process.stdin.isTTY && !process.env.CI;
  const reporters: Reporter[] = [
    values.json ? new JsonReporter() : // A terminal that reports no width (some pseudo-terminals) would wrap the tree one character a line.
    values.plain || !process.stdout.isTTY || !process.stdout.columns || process.env.CI ? new PlainReporter(process.stdout, values.verbose) : new ListrReporter(values.verbose),
  ];
  const controller = new AbortController();
  // The first Ctrl-C ends the running commands and lets the run record where it stopped; a second one quits at once.
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) {
      process.stderr.write('interrupted again: quitting at once (the journal may miss the last events)\n');
      process.exit(ExitCode.interrupted);
    }
    process.stderr.write('interrupted: ending the running commands and recording where the run stopped (Ctrl-C again quits at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  if (values['ask-pass'] && !interactive) throw new OptionsError('--ask-pass needs a terminal', { hint: 'set the password in the environment variable named by password_env instead' });
  const pool = new ConnectionPool((host: string) => inventory.hosts.get(host)?.connection, {
    forks,
    acceptNewHostKeys: values['accept-new-host-keys'] ? true : undefined,
    askPass: !!values['ask-pass'],
    prompt: interactive ? (q, o) => (o.secret ? promptHidden(q) : ask(q)) : undefined,
    masker,
    // HostName, User, Port, IdentityFile and ProxyJump from ~/.ssh/config, where the inventory leaves defaults.
    sshConfig: await loadSshConfig(),
  });
  const connections =
    values.verbose >= 3
      ? tracingConnections(pool, (h) => pool.settings(h), (host, message) => {
          for (const r of reporters) r.event({ type: 'detail', host, message });
        }, masker)
      : pool;
  try {
    const outcome = await executeRun(
      playbook,
      inventory,
      {
        check: !!values.check,
        diff: !!values.diff,
        forks,
        limit: values.limit,
        tags: tagFilter.tags,
        skipTags: tagFilter.skipTags,
        startAtTask: values['start-at-task'],
        extraVars,
        yes: !!values.yes,
        interactive,
        noOnFailure: !!values['no-on-failure'],
        fromRun,
        masker,
        reporters,
        connections,
        signal: controller.signal,
        includeTasks: loaded.includeTasks,
        prompt: interactive ? ask : undefined,
        unlockHint: (name) => `omsplay unlock ${name} -i ${values.inventory} (or on each host: ${manualBreak(name)})`,
      },
      { resumeCommand: `omsplay run ${positionals[0]} -i ${values.inventory}` },
    );
    if (wantsReport(playbook, extraVars)) await reportAfterRun(outcome.runId, masker, !!values.json);
    return outcome.exitCode;
  } catch (e) {
    throw maskError(e, masker);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

/** A play var (or extra var) `run_report: true` asks for the run's HTML report; the shipped upgrade and rollback set it. */
function wantsReport(playbook: { plays: Array<{ vars: Record<string, unknown> }> }, extraVars: Record<string, unknown>): boolean {
  const on = (v: unknown) => v === true || v === 'true';
  return 'run_report' in extraVars ? on(extraVars.run_report) : playbook.plays.some((p) => on(p.vars.run_report));
}

/** Writes report.html beside the journal and says where; a report that cannot be written never changes the run's outcome. */
async function reportAfterRun(runId: string, masker: Masker, json: boolean): Promise<void> {
  const out = json ? process.stderr : process.stdout;
  try {
    const file = await writeReport(await resolveRun(runId), { masker });
    out.write(`Report: ${file}\n`);
  } catch (e) {
    process.stderr.write(`warning: the run's report could not be written: ${masker.mask((e as Error).message)}\n  hint: omsplay report ${runId}\n`);
  }
}

async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

async function promptHidden(question: string): Promise<string> {
  process.stderr.write(question);
  process.stdin.setRawMode(true);
  let value = '';
  return new Promise((resolvePromise) => {
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          process.stdin.setRawMode(false);
          process.stdin.off('data', onData);
          process.stdin.pause();
          process.stderr.write('\n');
          resolvePromise(value);
          return;
        }
        if (ch === '\u0003') process.exit(ExitCode.interrupted);
        value = ch === '\u007f' ? value.slice(0, -1) : value + ch;
      }
    };
    process.stdin.on('data', onData);
    process.stdin.resume();
  });
}
