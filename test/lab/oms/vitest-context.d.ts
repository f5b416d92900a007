// What the lab project's globalSetup provides when test/lab/oms/site.ts deploys the simulated OMS site.
import type { Site } from './types.js';

declare module 'vitest' {
  export interface ProvidedContext {
    omsSite: Site;
  }
}
