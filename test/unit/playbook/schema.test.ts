/** The shipped editor schemas match the code, and editors can use them (module $refs resolve). */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parseYaml } from '../../../lib/config/yaml.js';
import { modules } from '../../../lib/modules/index.js';
import { editorSchemaFiles, PLAY_KEYWORDS, TASK_KEYWORDS } from '../../../lib/playbook/schema.js';
import type { ValidateFunction } from 'ajv';
import { ajv, compilable, schemaKey } from '../../../lib/config/ajv.js';
import { validateWith } from '../../../lib/config/validate.js';
import { formatLocation } from '../../../lib/errors.js';
import { precompiledSchemas, precompiledSource } from '../../../lib/playbook/schema-gen.js';

const ROOT = process.cwd();

function editorAjv(): InstanceType<typeof Ajv2020> {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  for (const f of readdirSync(join(ROOT, 'schemas/modules'))) {
    const { $id: _id, $schema: _s, ...schema } = JSON.parse(readFileSync(join(ROOT, 'schemas/modules', f), 'utf8'));
    ajv.addSchema(schema, `modules/${f}`);
  }
  return ajv;
}

describe('shipped schemas', () => {
  const files = editorSchemaFiles(modules.values());

  it.each(Object.keys(files))('%s is in sync with lib/playbook/schema.ts and the module registry', (file) => {
    const shipped = readFileSync(join(ROOT, file), 'utf8');
    // Regenerate: npx tsx lib/playbook/schema-gen.ts editor (npm run schemas)
    expect(shipped).toBe(files[file]);
  });

  it('editor schemas regenerate with: npx tsx lib/playbook/schema-gen.ts editor', () => {
    expect(Object.keys(files)).toEqual(['schemas/playbook.schema.json', 'schemas/tasks.schema.json']);
  });

  it('lists every play keyword, task keyword and module', () => {
    const schema = JSON.parse(files['schemas/playbook.schema.json']);
    expect(Object.keys(schema.$defs.play.properties)).toEqual([...PLAY_KEYWORDS]);
    const taskProps = Object.keys(schema.$defs.task.properties);
    for (const k of [...TASK_KEYWORDS, ...modules.keys()]) expect(taskProps).toContain(k);
  });

  it('validates a playbook in an editor: module arguments through $refs, unknown keys refused', () => {
    const validate = editorAjv().compile(JSON.parse(files['schemas/playbook.schema.json']));
    const good = parseYaml(
      '- hosts: all\n  serial: [1, "50%"]\n  tasks:\n    - command: echo hi\n    - copy: {content: x, dest: /tmp/x}\n      when: ha\n    - block:\n        - shell: ls\n      rescue:\n        - debug: {msg: x}\n',
      'p.yml',
    ).value;
    expect(validate(good), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(parseYaml('- hosts: all\n  tasks:\n    - comand: ls\n', 'p.yml').value)).toBe(false);
    expect(validate(parseYaml('- hosts: all\n  tasks:\n    - copy: {content: x}\n', 'p.yml').value)).toBe(false);
  });
});

describe('build-time precompiled validators', () => {
  it('cover every schema a run checks and report the same problems as validators compiled at run time', async () => {
    // Inside the repository, so the generated code resolves ajv's runtime from node_modules.
    mkdirSync(join(ROOT, 'node_modules/.cache'), { recursive: true });
    const dir = mkdtempSync(join(ROOT, 'node_modules/.cache/omsplay-pre-'));
    const file = join(dir, 'precompiled.cjs');
    writeFileSync(file, await precompiledSource());
    const { precompiled } = createRequire(import.meta.url)(file) as { precompiled: Record<string, ValidateFunction> };
    const schemas = await precompiledSchemas();
    for (const [, schema] of schemas) expect(typeof precompiled[schemaKey(schema)]).toBe('function');
    const [, playbook] = schemas[0];
    const y = parseYaml('- hosts: all\n  serial: [1, 0]\n  tasks:\n    - name: [x]\n      when: yes\n  gather_facts: no\n', 'p.yml');
    const fresh = ajv().compile(compilable(playbook));
    const text = (fn: ValidateFunction) => validateWith(fn, () => playbook, y.value, y).map((e) => `${formatLocation(e.location)} ${e.message}`);
    expect(text(precompiled[schemaKey(playbook)])).toEqual(text(fresh));
    expect(text(fresh)).toHaveLength(3);
  });
});
