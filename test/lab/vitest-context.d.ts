// What the lab project's globalSetup provides to tests (inject('lab') / getLab()).
import type { LabDescriptor } from './types.js';

declare module 'vitest' {
  export interface ProvidedContext {
    lab: LabDescriptor;
  }
}
