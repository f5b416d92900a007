/**
 * `omsplay validate` as a person runs it (separate process, real exit code) on a few corpus files:
 * exit 4, every problem as `file:line:col: kind: message`, never a stack trace; a valid playbook
 * exits 0. The full corpus is checked in-process by invalid.test.ts.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { omsplay } from '../../support/omsplay.js';

const DIR = 'test/unit/playbook/invalid';
const INVENTORY = join(DIR, '_support', 'inventory.yml');

describe('omsplay validate', () => {
  it.each([
    ['tabs.yml', `${DIR}/tabs.yml:4:1: config error: a tab is used for indentation`],
    ['unknown-module.yml', `${DIR}/unknown-module.yml:5:7: validation error: unknown module \`comand\` — did you mean \`command\`?`],
    ['undefined-variable.yml', `${DIR}/undefined-variable.yml:8:14: validation error: undefined variable \`oms_verison\` in task \`show version\` — did you mean \`oms_version\`?`],
    ['host-pattern-no-match.yml', `${DIR}/host-pattern-no-match.yml:2:10: validation error: host pattern \`oms_nodez\``],
    ['include-cycle.yml', `${DIR}/_support/tasks/cycle-b.yml:3:17: validation error: include cycle:`],
  ])('%s: exit 4 with the position and the message, no stack trace', async (file, expected) => {
    const r = await omsplay(['validate', join(DIR, file), '-i', INVENTORY]);
    const out = `${r.stdout}${r.stderr}`.replaceAll(`${process.cwd()}/`, '');
    expect(r.code, out).toBe(4);
    expect(out).toContain(expected);
    expect(out).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
  });

  it('a valid playbook exits 0', async () => {
    const r = await omsplay(['validate', join(DIR, '_support', 'valid.yml'), '-i', INVENTORY]);
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
  });
});
