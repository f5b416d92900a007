/**
 * A ModuleContext over a real LocalConnection, for running modules against a temp dir on this
 * machine. Records progress events and the questions asked; `answers` decides confirmations.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection } from '../../../../lib/connection/local.js';
import type { Vars } from '../../../../lib/inventory/types.js';
import type { ModuleContext, ProgressEvent } from '../../../../lib/modules/types.js';
import { Masker } from '../../../../lib/secrets.js';

export interface TestContext extends ModuleContext {
  questions: string[];
  events: ProgressEvent[];
  commands: string[][];
  abort(): void;
}

export function makeContext(opts: { vars?: Vars; check?: boolean; diff?: boolean; playbookDir?: string; answer?: boolean | Error; noLog?: boolean } = {}): TestContext {
  const conn = new LocalConnection();
  const controller = new AbortController();
  const questions: string[] = [];
  const events: ProgressEvent[] = [];
  const commands: string[][] = [];
  return {
    host: 'localhost',
    conn,
    connectionFor: async () => conn,
    vars: opts.vars ?? {},
    check: opts.check ?? false,
    diff: opts.diff ?? false,
    noLog: opts.noLog ?? false,
    masker: new Masker(),
    signal: controller.signal,
    playbookDir: opts.playbookDir ?? process.cwd(),
    runDir: tmpdir(),
    questions,
    events,
    commands,
    abort: () => controller.abort(),
    async confirm(prompt) {
      questions.push(prompt);
      const a = opts.answer ?? true;
      if (a instanceof Error) throw a;
      return a;
    },
    progress: (e) => events.push(e),
    exec(command, execOpts) {
      commands.push('argv' in command ? [...command.argv] : ['sh', '-c', command.script]);
      return conn.exec(command, { signal: controller.signal, ...execOpts });
    },
  };
}

/** A fresh temp dir, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'omsplay-mod-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
