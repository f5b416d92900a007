/**
 * vitest globalSetup of the "lab" project: starts the default lab once (LAB_ID from the environment, default 0),
 * provides its descriptor to the tests (inject('lab') / getLab() from test/lab/context.ts) and tears it down at the
 * end. When the lab cannot start, this throws with the reason: the tests fail, they never skip.
 *
 * Extension point (simulated OMS, owned by test/lab/oms/**): if test/lab/oms/site.ts exists and exports
 *   deploySite(lab: Lab): Promise<unknown>
 * it is called once the lab is up; a value it returns is provided to tests as inject('omsSite') (declare the key's
 * type next to site.ts). It may also export teardownSite(lab: Lab): Promise<void>, called before the lab stops.
 * OMSPLAY_LAB_KEEP=1 keeps the lab's files (logs) after the run; OMSPLAY_LAB_SITE=0 skips deploySite (lab-only runs).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TestProject } from 'vitest/node';
import { defaultLabOptions } from './default-lab.js';
import { type Lab, startLab } from './lab.js';
import { defaultLabId } from './names.js';

interface SiteHooks {
  deploySite?: (lab: Lab) => Promise<unknown>;
  teardownSite?: (lab: Lab) => Promise<void>;
}

const SITE_FILE = join(dirname(fileURLToPath(import.meta.url)), 'oms', 'site.ts');

async function siteHooks(): Promise<SiteHooks> {
  if (!existsSync(SITE_FILE)) return {};
  return (await import(pathToFileURL(SITE_FILE).href)) as SiteHooks;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const id = defaultLabId();
  const lab = await startLab({
    ...defaultLabOptions(id),
    log: process.env.OMSPLAY_LAB_VERBOSE ? (l) => console.error(l) : undefined,
  });
  let hooks: SiteHooks = {};
  try {
    project.provide('lab', lab.descriptor);
    hooks = process.env.OMSPLAY_LAB_SITE === '0' ? {} : await siteHooks();
    if (hooks.deploySite) {
      const site = await hooks.deploySite(lab);
      if (site !== undefined) project.provide('omsSite' as never, site as never);
    }
  } catch (e) {
    await lab.stop({ keepFiles: true });
    throw new Error(`lab ${id}: deploying the simulated OMS site failed: ${(e as Error).message}`);
  }
  return async () => {
    try {
      await hooks.teardownSite?.(lab);
    } finally {
      await lab.stop();
    }
  };
}
