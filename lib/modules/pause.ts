/**
 * pause: waits a while, or asks a person to confirm before the run goes on. The question goes
 * through ctx.confirm: `--yes` answers it, and a run without a terminal fails here clearly
 * instead of hanging.
 */
import { sleep } from '../sleep.js';
import { TaskFailedError } from '../errors.js';
import type { ModuleDefinition, ModuleResult } from './types.js';

export interface PauseArgs {
  prompt?: string;
  seconds?: number;
  minutes?: number;
}

export const pause: ModuleDefinition<PauseArgs> = {
  name: 'pause',
  summary: 'Wait for a number of seconds/minutes, or ask the operator to confirm before going on (`--yes` answers; a non-interactive run without `--yes` fails).',
  schema: {
    type: 'object',
    properties: {
      prompt: { type: 'string', minLength: 1, description: 'Question asked when no time is given; also shown while waiting.' },
      seconds: { type: 'number', minimum: 0, description: 'Wait this many seconds instead of asking.' },
      minutes: { type: 'number', minimum: 0, description: 'Wait this many minutes instead of asking.' },
    },
    additionalProperties: false,
    not: { required: ['seconds', 'minutes'] },
    errorMessage: '`seconds` or `minutes`, not both',
  },
  checkMode: 'none',
  runsInCheckMode: true,
  changedMeans: 'Never changed.',
  result: [
    { name: 'confirmed', description: 'With a prompt: true when the operator answered yes.' },
    { name: 'waited_ms', description: 'With seconds/minutes: how long it waited.' },
  ],
  example: `- name: Last chance before the MetaDB is touched
  pause:
    prompt: "Upgrade {{ region }} from {{ current_version }} to {{ target_version }}?"
  run_once: true

- name: Let the OMS services settle
  pause:
    seconds: 30`,
  async run(args, ctx): Promise<ModuleResult> {
    const ms = args.seconds !== undefined ? args.seconds * 1000 : args.minutes !== undefined ? args.minutes * 60_000 : undefined;
    if (ctx.check) {
      const what = ms !== undefined ? `wait ${ms / 1000}s` : `ask: ${args.prompt ?? 'continue?'}`;
      return { changed: false, skipped: true, msg: `check mode: would ${what}` };
    }
    if (ms !== undefined) {
      const started = performance.now();
      await sleep(ms, ctx.signal);
      return { changed: false, waited_ms: Math.round(performance.now() - started), msg: args.prompt ? `${args.prompt} (waited ${ms / 1000}s)` : `waited ${ms / 1000}s` };
    }
    const question = args.prompt ?? 'Continue?';
    let confirmed: boolean;
    try {
      confirmed = await ctx.confirm(question);
    } catch (e) {
      // Keep the hint (e.g. "add --yes") in the task's message; the engine shows only the message.
      if (e instanceof TaskFailedError) return { changed: false, failed: true, confirmed: false, msg: `${e.message}${e.hint ? ` (hint: ${e.hint})` : ''}` };
      throw e;
    }
    if (!confirmed) return { changed: false, failed: true, confirmed: false, msg: `not confirmed: ${question}` };
    return { changed: false, confirmed: true, msg: `confirmed: ${question}` };
  },
};
