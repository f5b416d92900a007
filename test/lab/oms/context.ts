/**
 * For integration tests: the simulated OMS site the lab's globalSetup deployed (deploySite in site.ts).
 *   import { getSite } from '../../lab/oms/context.js';
 *   const { lab, site } = getSite();
 *   beforeEach(() => resetSite(lab, site));     // pristine 3.3.1 site, about 3 s
 */
import { inject } from 'vitest';
import { getLab } from '../context.js';
import type { Lab } from '../lab.js';
import type { Site } from './types.js';

export function getSite(): { lab: Lab; site: Site } {
  const lab = getLab();
  const site = inject('omsSite');
  if (!site) {
    throw new Error('no simulated OMS site: the lab globalSetup (test/lab/global-setup.ts) deploys it with test/lab/oms/site.ts deploySite');
  }
  return { lab, site };
}
