/**
 * Which hops of an upgrade run a rollback undoes, newest first, from what the run recorded (its journal): every hop
 * that ended (`upgrade_hops_done`, per host) and the hop it was in when it stopped, unless the run's rescue already
 * undid that one (`upgrade_rescued_hop`). A run of one hop is undone as it always was, from the plain recorded values
 * (site, dumps, t1, ha_before, upgrade_phase). Pure: the oms.rollback_hops module reads the journal's values.
 */
import { checkPhase, phaseMeaning } from './phases.js';
import { normalizeVersion } from './graph.js';

/** One hop to undo, in the names the rollback task files read. */
export interface HopToUndo {
  index: number;
  from: string;
  to: string;
  rb: Record<string, unknown>;
  rb_dumps: unknown[];
  rb_ha_before: unknown;
  rb_t1: string;
  rb_phase: string;
  rb_new_id: string;
  /** Whether the hop's dumps are restored: only once its docker_init.sh (or family D's start) may have changed the MetaDB. */
  restore: boolean;
}


export type RollbackPlan =
  | { ok: true; hops: HopToUndo[]; /** The version the site is on per the run. */ from: string; /** The version the rollback returns to. */ to: string; path: string[] }
  | { ok: false; reason: string; hint?: string };

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/** `run`: from_run (run-wide values and `hosts`); `host`: this host; `to`: the version to return to ('' = the start). */
export function rollbackHops(run: Rec, host: string, toRaw?: unknown): RollbackPlan {
  const own = isRec(run.hosts) && isRec(run.hosts[host]) ? (run.hosts[host] as Rec) : {};
  const val = (name: string): unknown => own[name] ?? run[name];
  const hop = isRec(val('upgrade_hop')) ? (val('upgrade_hop') as Rec) : undefined;
  const plan = isRec(val('upgrade_plan')) ? (val('upgrade_plan') as Rec) : {};
  const dumps = isRec(run.dumps) && Array.isArray(run.dumps.results) ? run.dumps.results : [];
  const started = isRec(val('new_container_started')) ? (val('new_container_started') as Rec) : {};
  const current: HopToUndo = {
    index: Number(hop?.index ?? 1),
    from: str(hop?.from ?? plan.from),
    to: str(hop?.to ?? plan.to),
    rb: isRec(val('site')) ? (val('site') as Rec) : {},
    rb_dumps: dumps,
    rb_ha_before: run.ha_before ?? '',
    rb_t1: str(run.t1),
    rb_phase: str(run.upgrade_phase),
    rb_new_id: str(started.id),
    restore: false,
  };
  const total = Number(hop?.of ?? 1);
  let hops: HopToUndo[];
  if (total <= 1) hops = [current];
  else {
    const done = (Array.isArray(val('upgrade_hops_done')) ? (val('upgrade_hops_done') as unknown[]) : []).filter(isRec).map(
      (d): HopToUndo => ({
        index: Number(d.index),
        from: str(d.from),
        to: str(d.to),
        rb: isRec(d.site) ? d.site : {},
        rb_dumps: Array.isArray(d.dumps) ? d.dumps : [],
        rb_ha_before: d.ha_before ?? '',
        rb_t1: str(d.t1),
        rb_phase: str(d.phase),
        rb_new_id: str(d.new_id),
        restore: false,
      }),
    );
    hops = [...done];
    const rescued = Number(run.upgrade_rescued_hop ?? 0) === current.index;
    if (!done.some((d) => d.index === current.index) && !rescued) hops.push(current);
    hops.sort((a, b) => a.index - b.index);
  }
  // Before the MetaDB could change the old containers run on it as it is: nothing is restored (one list: phases.ts).
  for (const h of hops) h.restore = h.rb_dumps.length > 0 && phaseMeaning(checkPhase(h.rb_phase)).metadb_may_have_changed;
  const start = hops[0]?.from ?? current.from;
  const path = hops.length ? [hops[0]!.from, ...hops.map((h) => h.to)] : [current.from];
  const now = path[path.length - 1]!;
  const runId = str(run.run_id);
  if (hops.length === 0) return { ok: false, reason: `run ${runId} left the site on ${now}: its only hop in progress was undone by its rescue, nothing is left to roll back` };
  const wanted = toRaw === undefined || toRaw === null || toRaw === '' ? start : normalizeVersion(toRaw);
  if (wanted === undefined) return { ok: false, reason: `rollback_to "${str(toRaw)}" is not a version (expected x.y.z)`, hint: `run ${runId} went ${path.join(' → ')}` };
  if (wanted === now) return { ok: false, reason: `run ${runId} left the site on ${now}: rolling back to ${now} changes nothing`, hint: `to go back further: rollback_to=${path.slice(0, -1).join(' or ')}` };
  const at = path.indexOf(wanted);
  if (at < 0) {
    return {
      ok: false,
      reason: `run ${runId} did not start from or pass through ${wanted}: it went ${path.join(' → ')} and the site is on ${now}`,
      hint: `rollback_to can be ${path.slice(0, -1).join(', ')} (without it: ${start}, the start of the run)`,
    };
  }
  // Hops are numbered from 1 along the path: hop i goes path[i-1] → path[i]; undo those after `wanted`, newest first.
  const undo = hops.slice(at).reverse();
  return { ok: true, hops: undo, from: now, to: wanted, path };
}
