/** `omsplay run PLAYBOOK -i INVENTORY [options]` */
import { createInterface } from 'node:readline/promises';
import { ConnectionPool } from '../connection/pool.js';
import { loadSshConfig } from '../connection/ssh-config.js';
import type { Reporter } from '../engine/events.js';
import { executeRun } from '../engine/execute.js';
import { type RecordedValues, findRun, readRecorded } from '../engine/journal.js';
import { manualBreak } from '../engine/lock.js';
import { ExitCode, OptionsError } from '../errors.js';
import { JsonReporter } from '../reporters/json.js';
import { ListrReporter } from '../reporters/listr.js';
import { PlainReporter } from '../reporters/plain.js';
import { csv, intOption, parse } from './args.js';
import { fromRunNames, loadAll } from './load.js';
import { listHosts, listTasks } from './list.js';

const USAGE = 'omsplay run PLAYBOOK -i INVENTORY [-l PATTERN] [-t TAGS] [--skip-tags TAGS] [-e VARS] [-C] [-D] [-f FORKS] [--json] [--yes] [--from-run ID|last]';

/** Every `run` flag (the README's table is checked against this list). */
export const RUN_OPTIONS = {
  inventory: { type: 'string', short: 'i' },
  limit: { type: 'string', short: 'l' },
  tags: { type: 'string', short: 't', multiple: true },
  'skip-tags': { type: 'string', multiple: true },
  'start-at-task': { type: 'string' },
  'list-tasks': { type: 'boolean' },
  'list-hosts': { type: 'boolean' },
  'extra-vars': { type: 'string', short: 'e', multiple: true },
  check: { type: 'boolean', short: 'C' },
  diff: { type: 'boolean', short: 'D' },
  forks: { type: 'string', short: 'f' },
  json: { type: 'boolean' },
  plain: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  yes: { type: 'boolean', short: 'y' },
  'from-run': { type: 'string' },
  'no-on-failure': { type: 'boolean' },
  'accept-new-host-keys': { type: 'boolean' },
  'ask-pass': { type: 'boolean', short: 'k' },
} as const;

export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, RUN_OPTIONS, USAGE);
  if (positionals.length !== 1) throw new OptionsError('run takes exactly one playbook', { hint: USAGE });
  const forks = intOption(values.forks, '--forks', 50);
  const loaded = await loadAll({ playbook: positionals[0]!, inventory: values.inventory, extraVars: values['extra-vars'] ?? [], fromRun: !!values['from-run'] });
  const { inventory, playbook, extraVars, masker } = loaded;
  // A --limit term that matches nothing is a mistake in the options: refuse it before a run (and its journal) starts.
  if (values.limit?.trim()) inventory.select(values.limit, { source: 'options', allowEmpty: true });

  if (values['list-tasks']) {
    process.stdout.write(listTasks(playbook, { tags: csv(values.tags), skipTags: csv(values['skip-tags']) }));
    return ExitCode.ok;
  }
  if (values['list-hosts']) {
    process.stdout.write(listHosts(playbook, inventory, values.limit));
    return ExitCode.ok;
  }

  let fromRun: RecordedValues | undefined;
  if (values['from-run']) {
    const needed = fromRunNames(playbook);
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
    values.plain || !process.stdout.isTTY || !process.stdout.columns || process.env.CI ? new PlainReporter(process.stdout, values.verbose) : new ListrReporter(),
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
  const connections = new ConnectionPool((host: string) => inventory.hosts.get(host)?.connection, {
    forks,
    acceptNewHostKeys: values['accept-new-host-keys'] ? true : undefined,
    askPass: !!values['ask-pass'],
    prompt: interactive ? (q, o) => (o.secret ? promptHidden(q) : ask(q)) : undefined,
    masker,
    // HostName, User, Port, IdentityFile and ProxyJump from ~/.ssh/config, where the inventory leaves defaults.
    sshConfig: await loadSshConfig(),
  });
  try {
    const outcome = await executeRun(
      playbook,
      inventory,
      {
        check: !!values.check,
        diff: !!values.diff,
        forks,
        limit: values.limit,
        tags: csv(values.tags),
        skipTags: csv(values['skip-tags']),
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
        prompt: interactive ? ask : undefined,
        unlockHint: (name) => `omsplay unlock ${name} -i ${values.inventory} (or on each host: ${manualBreak(name)})`,
      },
      { resumeCommand: `omsplay run ${positionals[0]} -i ${values.inventory}` },
    );
    return outcome.exitCode;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
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
