import type { SourceLocation } from '../errors.js';
import type { Masker } from '../secrets.js';

/** Where a template or condition comes from, for error messages and secret registration. */
export interface TemplateWhere {
  /** file:line:col of the YAML node that holds the template. */
  location?: SourceLocation;
  /** Name of the task (or play) being rendered. */
  task?: string;
  /** Values that `env` reads under a secret-looking name are registered here. */
  masker?: Masker;
}
