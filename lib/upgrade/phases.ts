/**
 * The upgrade's phases, in the order a run passes them, and what each means for putting the site back. The run
 * records the phase it reached (`upgrade_phase`, with oms.phase); the rescue and rollback.yml decide from it whether
 * the MetaDB must be restored from the dumps or the old containers only started again. One list, so that a phase
 * is never written one way where it is set and another where it is read.
 */
import { didYouMeanSuffix } from '../did-you-mean.js';
import { TaskFailedError } from '../errors.js';

export const UPGRADE_PHASES = [
  /** Nothing changed yet (the rescue's default when no phase was recorded). */
  'preflight',
  /** ha.config enable=false was written; containers untouched. */
  'ha_disabled',
  /** The old containers are being stopped (T1 recorded). */
  'stopping',
  'stopped',
  /** Every dump is written and verified. */
  'backed_up',
  /** The new containers are being started; docker_init.sh has not run. */
  'starting_new',
  /** docker_init.sh ran (or a family D container started): the MetaDB may have changed. */
  'init_started',
  'done',
] as const;

export type UpgradePhase = (typeof UPGRADE_PHASES)[number];

export function isUpgradePhase(v: unknown): v is UpgradePhase {
  return typeof v === 'string' && (UPGRADE_PHASES as readonly string[]).includes(v);
}

/** A phase read at run time (a template, a journal): "" when none was recorded; anything unknown fails with a did-you-mean. */
export function checkPhase(v: string | null | undefined): UpgradePhase | '' {
  if (v === undefined || v === null || v === '') return '';
  if (isUpgradePhase(v)) return v;
  throw new TaskFailedError(`unknown upgrade phase ${JSON.stringify(v)}${didYouMeanSuffix(v, UPGRADE_PHASES)}`, {}, { hint: `the phases are ${UPGRADE_PHASES.join(', ')}` });
}

export interface PhaseMeaning {
  /** The phase, or '' when none was recorded (a journal of a run stopped early, or of an older omsplay). */
  phase: UpgradePhase | '';
  /** The MetaDB may have been changed by the new version: putting the site back restores it from the dumps. */
  metadb_may_have_changed: boolean;
  /** Old containers were stopped and the MetaDB not changed: putting the site back starts them again. */
  old_containers_stopped: boolean;
}

/**
 * What a recorded phase means for putting the site back. No phase recorded ('') says nothing about the MetaDB:
 * it may have changed (the rollback then restores when the run recorded dumps, as it always did).
 */
export function phaseMeaning(phase: UpgradePhase | ''): PhaseMeaning {
  const at = phase === '' ? -1 : UPGRADE_PHASES.indexOf(phase);
  const initAt = UPGRADE_PHASES.indexOf('init_started');
  return {
    phase,
    metadb_may_have_changed: phase === '' || at >= initAt,
    old_containers_stopped: at >= UPGRADE_PHASES.indexOf('stopping') && at < initAt,
  };
}
