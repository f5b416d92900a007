/**
 * copy: puts content, or a file from the control node, on the host. Changed only when the
 * checksum (or mode/owner) differs; the transfer goes to a temp name and is renamed into place.
 */
import { isOmsplayError } from '../errors.js';
import { contentBytes, ensureFile, fileResultFields, fileTargetSchema, resolveLocalSrc, type FileTarget, type Source } from './support/file-content.js';
import type { ModuleDefinition, ModuleResult } from './types.js';

export interface CopyArgs extends FileTarget {
  content?: unknown;
  src?: string;
}

export const copy: ModuleDefinition<CopyArgs> = {
  name: 'copy',
  summary: 'Copy a local file, or given content, to a file on the host; changed only when the content, mode or owner differs.',
  schema: {
    type: 'object',
    properties: {
      content: { description: 'The file\'s content. Strings are written as is; lists and mappings as JSON.' },
      src: { type: 'string', minLength: 1, description: 'Local file on the control node: absolute, or relative to the playbook\'s directory (then its `files/` folder).' },
      ...fileTargetSchema,
    },
    required: ['dest'],
    additionalProperties: false,
    oneOf: [{ required: ['content'] }, { required: ['src'] }],
    errorMessage: 'exactly one of `content` or `src`, and `dest`',
  },
  checkMode: 'full',
  changedMeans: 'The file was created or its content (sha256), mode, owner or group changed.',
  result: fileResultFields,
  example: `- name: Install the OMS config
  copy:
    src: config.yaml
    dest: /home/ds/config.yaml
    mode: '0600'
    backup: true

- name: Write a marker
  copy:
    content: "upgraded to {{ oms_version }}\\n"
    dest: /var/tmp/oms-upgrade.marker`,
  async run(args, ctx): Promise<ModuleResult> {
    let source: Source;
    try {
      if (args.src !== undefined) {
        source = { path: await resolveLocalSrc(args.src, ctx.playbookDir, 'files'), name: args.src };
      } else {
        source = { content: contentBytes(args.content) };
      }
    } catch (e) {
      if (isOmsplayError(e)) throw e;
      return { changed: false, failed: true, dest: args.dest, msg: (e as Error).message };
    }
    return ensureFile(source, args, ctx);
  },
};
