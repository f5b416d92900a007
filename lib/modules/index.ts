/**
 * The module registry: module id (as written in a task) -> definition. Importing it must stay
 * cheap (`omsplay --version`, `validate`): module files do no work at load time, and anything
 * heavy (mysql2) is imported lazily inside run().
 */
import { assertModule } from './assert.js';
import { command } from './command.js';
import { copy } from './copy.js';
import { debug } from './debug.js';
import { fail } from './fail.js';
import { pause } from './pause.js';
import { setFact } from './set_fact.js';
import { shell } from './shell.js';
import { template } from './template.js';
import type { ModuleDefinition } from './types.js';
import { waitFor } from './wait_for.js';
// Domain modules (docker.*, mysql.*, oms.*): import them here and add them to the list below.
import { dockerContainer } from './docker/container.js';
import { dockerExec } from './docker/exec.js';
import { dockerImage } from './docker/image.js';
import { dockerInfo } from './docker/info.js';
import { mysqlDump } from './mysql/dump.js';
import { mysqlDumpSpace } from './mysql/dump-space.js';
import { mysqlQuery } from './mysql/query.js';
import { mysqlRestore } from './mysql/restore.js';
import { mysqlVerifyDump } from './mysql/verify-dump.js';
import { omsHaValue } from './oms/ha-value.js';
import { omsHealth } from './oms/health.js';
import { omsInitMode } from './oms/init-mode.js';
import { omsParam } from './oms/param.js';
import { omsPhase } from './oms/phase.js';
import { omsPlan } from './oms/plan.js';
import { omsRescueSteps } from './oms/rescue-steps.js';
import { omsRollbackStopped } from './oms/rollback-stopped.js';
import { omsRollbackHops } from './oms/rollback-hops.js';
import { omsServers } from './oms/servers.js';
import { omsConfig } from './oms/site-config.js';

const all: ModuleDefinition[] = [
  // generic
  command,
  shell,
  copy,
  template,
  setFact,
  debug,
  assertModule,
  fail,
  pause,
  waitFor,
  // domain (docker.*, mysql.*, oms.*)
  dockerContainer,
  dockerImage,
  dockerExec,
  dockerInfo,
  mysqlDump,
  mysqlRestore,
  mysqlQuery,
  omsParam,
  omsHealth,
  omsServers,
  omsConfig,
  omsPlan,
  // the upgrade playbooks' decisions (issue 12 item 5)
  omsPhase,
  omsInitMode,
  mysqlDumpSpace,
  mysqlVerifyDump,
  omsRescueSteps,
  omsRollbackStopped,
  omsHaValue,
  omsRollbackHops,
];

export const modules: Map<string, ModuleDefinition> = new Map(all.map((m) => [m.name, m]));

export function getModule(name: string): ModuleDefinition | undefined {
  return modules.get(name);
}

/** Module ids in registry order (generic first), for "did you mean" and the docs. */
export function moduleNames(): string[] {
  return [...modules.keys()];
}
