/**
 * schemas/modules/*.schema.json, docs/modules.md and the README's module index are generated
 * by `npm run schemas`; this fails when they differ from what the generator would write now,
 * so module docs cannot drift from the code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleNames } from '../../../../lib/modules/index.js';
import { generate, moduleIndex, readmeWithIndex, ROOT, staleSchemaFiles } from '../../../../scripts/gen-schemas.js';
import { debug } from '../../../../lib/modules/debug.js';

const HINT = 'run `npm run schemas` and commit the result';

describe('generated module schemas and docs', () => {
  const files = generate();

  it('has one schema file per registered module, plus the docs', () => {
    for (const name of moduleNames()) expect(files.has(`schemas/modules/${name}.schema.json`)).toBe(true);
    expect(files.has('docs/modules.md')).toBe(true);
  });

  it.each([...files.keys()])('%s is up to date', (rel) => {
    const abs = join(ROOT, rel);
    expect(existsSync(abs), `${rel} is missing: ${HINT}`).toBe(true);
    expect(readFileSync(abs, 'utf8'), `${rel} differs from the generator's output: ${HINT}`).toBe(files.get(rel));
  });

  it('leaves no schema file of a module that no longer exists', () => {
    expect(staleSchemaFiles(files), HINT).toEqual([]);
  });

  it('documents each module with its arguments, check mode, result and example', () => {
    const doc = files.get('docs/modules.md')!;
    for (const name of moduleNames()) expect(doc).toContain(`### \`${name}\``);
    expect(doc).toContain('| `creates` | string | no |  | Skip when this path exists');
    expect(doc).toContain('| `mode` | string | no |');
    expect(doc).toContain('**Check mode:** supported: reads the current state');
    expect(doc).toContain('| `stdout_lines` | stdout split into lines. |');
    expect(doc).toContain('```yaml\n- name: Wait for the OMS console\n  wait_for:');
  });

  it('puts the index between the README markers and leaves the rest alone', () => {
    const readme = '# omsplay\n\n## Modules\n<!-- modules:start -->\nstale\n<!-- modules:end -->\n\n## More\n';
    const out = readmeWithIndex(readme, [debug]);
    expect(out).toBe(`# omsplay\n\n## Modules\n<!-- modules:start -->\n${moduleIndex([debug], 'docs/modules.md')}\n\nFull reference, arguments and results: [docs/modules.md](docs/modules.md).\n<!-- modules:end -->\n\n## More\n`);
    expect(readmeWithIndex('# no markers\n', [debug])).toBe('# no markers\n');
  });
});
