/** The README documents every keyword, flag and module the code knows: a new one cannot go undocumented. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUN_OPTIONS } from '../../../lib/cli/commands.js';
import { ExitCode } from '../../../lib/errors.js';
import { moduleNames } from '../../../lib/modules/index.js';
import { PLAY_KEYWORDS, TASK_KEYWORDS } from '../../../lib/playbook/schema.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  it.each([...PLAY_KEYWORDS])('documents the play keyword %s', (k) => expect(README).toContain(`\`${k}\``));
  it.each([...TASK_KEYWORDS])('documents the task keyword %s', (k) => expect(README).toContain(`\`${k}\``));
  it.each(Object.entries(RUN_OPTIONS))('documents the run flag --%s', (name, spec) => {
    expect(README).toContain(`--${name}`);
    if ('short' in spec) expect(README).toContain(`-${spec.short}, --${name}`);
  });
  it.each(moduleNames())('lists the module %s', (m) => expect(README).toContain(`\`${m}\``));
  it.each(Object.values(ExitCode))('explains exit code %s', (code) => expect(README).toMatch(new RegExp(`^\\| ${code} \\|`, 'm')));
  it("Development's folder table names every folder of lib/, and only paths that exist", () => {
    const table = README.slice(README.indexOf('## Development')).split('```')[1]!;
    const listed = [...table.matchAll(/^(\S+)\s{2,}/gm)].map((m) => m[1]!);
    const folders = readdirSync(join(ROOT, 'lib'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `lib/${d.name}/`);
    expect(folders.filter((f) => !listed.includes(f))).toEqual([]);
    expect(listed.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
  });
  it('gives the two quick-start commands, and .ci/run runs the test one', () => {
    expect(README).toContain('npm install && npm run demo');
    expect(README).toContain('npm install && npm test');
    expect(readFileSync(join(import.meta.dirname, '..', '..', '..', '.ci', 'run'), 'utf8')).toMatch(/^npm test$/m);
  });
});
