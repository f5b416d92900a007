/** Collects every problem found in one pass so a person sees them all, not one per run. */
import { type OmsplayError, ValidationErrors } from '../errors.js';
import type { SourceLocation } from '../errors.js';

/** Where a node of the inventory file was written (lib/config/yaml.ts YamlFile.locate). */
export type Locate = (path: ReadonlyArray<string | number>, which?: 'key' | 'value') => SourceLocation;

export class Problems {
  readonly list: OmsplayError[] = [];

  add(error: OmsplayError): void {
    this.list.push(error);
  }

  /** Throws the single problem as is, several as one ValidationErrors, sorted by position. */
  throwIfAny(): void {
    if (this.list.length === 0) return;
    if (this.list.length === 1) throw this.list[0];
    const sorted = [...this.list].sort(
      (a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.col ?? 0) - (b.location?.col ?? 0),
    );
    throw new ValidationErrors(sorted);
  }
}
