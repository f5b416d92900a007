/** The shipped editor schemas match the code, and editors can use them (module $refs resolve). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parseYaml } from '../../../lib/config/yaml.js';
import { modules } from '../../../lib/modules/index.js';
import { editorSchemaFiles, PLAY_KEYWORDS, TASK_KEYWORDS } from '../../../lib/playbook/schema.js';
import { compileSchema } from '../../../lib/config/validate.js';
import { PRECOMPILED_FILE, precompiledSchemas, precompiledSource } from '../../../lib/playbook/schema-gen.js';
import { precompiled } from '../../../lib/config/precompiled.js';

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
    // To regenerate: npx tsx -e "import('./lib/playbook/schema.ts').then(async s => { const {modules} = await import('./lib/modules/index.ts'); for (const [f, t] of Object.entries(s.editorSchemaFiles(modules.values()))) require('fs').writeFileSync(f, t) })"
    expect(shipped).toBe(files[file]);
  });

  it('lib/config/precompiled.ts (precompiled validators) is in sync: regenerate with npx tsx lib/playbook/schema-gen.ts', async () => {
    expect(readFileSync(PRECOMPILED_FILE, 'utf8')).toBe(await precompiledSource());
  });

  it('the playbook, task file, inventory and module schemas use their precompiled validators', async () => {
    for (const [, schema] of await precompiledSchemas()) expect(Object.values(precompiled)).toContain(compileSchema(schema));
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
