/**
 * For integration tests: the lab the "lab" vitest project's globalSetup started.
 *   import { getLab } from '../../lab/context.js';
 *   const lab = getLab();            // Lab with helpers (exec, kill, restart, inventory, docker, ssh, ...)
 */
import { inject } from 'vitest';
import { attachLab, type Lab } from './lab.js';

let cached: Lab | undefined;

export function getLab(): Lab {
  if (cached) return cached;
  const descriptor = inject('lab');
  if (!descriptor) {
    throw new Error('no lab: integration tests run in the "lab" vitest project, whose globalSetup (test/lab/global-setup.ts) starts it');
  }
  cached = attachLab(descriptor);
  return cached;
}
