/**
 * template: renders a Handlebars file from the control node with the host's variables and puts
 * the result on the host, like `copy` (checksum-compared, temp name then rename).
 */
import { readFile } from 'node:fs/promises';
import { isOmsplayError } from '../errors.js';
import { renderText } from '../template/index.js';
import { contentBytes, ensureFile, fileResultFields, fileTargetSchema, resolveLocalSrc, type FileTarget } from './support/file-content.js';
import type { ModuleDefinition, ModuleResult } from './types.js';

export interface TemplateArgs extends FileTarget {
  src: string;
}

export const template: ModuleDefinition<TemplateArgs> = {
  name: 'template',
  summary: "Render a Handlebars template from the control node with the host's variables and write it to a file on the host; changed only when the result differs.",
  schema: {
    type: 'object',
    properties: {
      src: { type: 'string', minLength: 1, description: "Template file on the control node: absolute, or relative to the playbook's directory (then its `templates/` folder). Same Handlebars language and helpers as playbooks, no HTML escaping." },
      ...fileTargetSchema,
    },
    required: ['src', 'dest'],
    additionalProperties: false,
  },
  checkMode: 'full',
  changedMeans: 'The file was created or its rendered content (sha256), mode, owner or group changed.',
  result: fileResultFields,
  example: `- name: Write the OMS config for this region
  template:
    src: config.yaml.hbs
    dest: /home/ds/config.yaml
    mode: '0600'
    owner: ds`,
  async run(args, ctx): Promise<ModuleResult> {
    let content: Buffer;
    try {
      const path = await resolveLocalSrc(args.src, ctx.playbookDir, 'templates');
      const text = await readFile(path, 'utf8');
      content = contentBytes(renderText(text, ctx.vars, { task: `template ${args.src}`, masker: ctx.masker }));
    } catch (e) {
      // The message names the template (as the task) and the variable; keep the hint too.
      if (isOmsplayError(e)) return { changed: false, failed: true, dest: args.dest, msg: `${e.message}${e.hint ? ` (hint: ${e.hint})` : ''}` };
      return { changed: false, failed: true, dest: args.dest, msg: (e as Error).message };
    }
    return ensureFile({ content, name: args.src.replace(/\.(hbs|handlebars|j2|tmpl)$/, '') }, args, ctx);
  },
};
