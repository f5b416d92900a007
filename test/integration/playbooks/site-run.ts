/** Shared by the upgrade tests on variant sites: run a shipped playbook on a site, explain a failure, the MetaDB's state. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lab } from '../../lab/lab.js';
import { writeSiteInventory } from '../../lab/oms/inventory.js';
import { rootConnection } from '../../lab/oms/seed.js';
import { checksumTables } from '../../lab/oms/site.js';
import type { Site } from '../../lab/oms/types.js';
import { type CliResult, omsplay } from '../../support/omsplay.js';

/** `omsplay run <playbook> --json` on the site, with an inventory written for it (health timeout 60 s, plus vars). */
export async function runOnSite(
  lab: Lab,
  site: Site,
  opts: { playbook: string; inventoryName: string; home: string; vars?: Record<string, unknown>; args?: string[] },
): Promise<CliResult> {
  const inv = await writeSiteInventory(lab, site, { file: join(lab.dir, opts.inventoryName), vars: { oms_health_timeout: 60, ...(opts.vars ?? {}) } });
  return omsplay(['run', opts.playbook, '-i', inv, '--json', ...(opts.args ?? [])], { env: { OMSPLAY_HOME: join(lab.dir, opts.home) } });
}

/** The values a run recorded in its journal (under the OMSPLAY_HOME `home` of runOnSite), in order. */
export async function runRecords(lab: Lab, home: string, runId: string): Promise<Array<{ host: string; name: string; value: any }>> {
  const text = await readFile(join(lab.dir, home, 'runs', runId, 'journal.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.includes('"type":"record"'))
    .map((l) => JSON.parse(l));
}

/** The exit code, stderr and every failed task's result: the message of a failed expectation. */
export function explain(r: CliResult): string {
  const failed = r.events.filter((e) => e.type === 'task_result' && (e.status === 'failed' || e.status === 'unreachable'));
  return `exit ${r.code}\n${r.stderr}\n${failed.map((e) => `${e.host} ${e.task}: ${JSON.stringify(e.result).slice(0, 600)}`).join('\n')}`;
}

/** The heartbeat tables the running containers keep writing. */
export const written = (table: string): boolean => table.endsWith('.heatbeat_sequence') || table.endsWith('.host_heartbeat');

/** Table checksums without the heartbeat tables, nor ha.config's table (checked on its own). */
export async function metadbState(site: Site): Promise<Record<string, number | null>> {
  const all = await checksumTables(site);
  return Object.fromEntries(Object.entries(all).filter(([t]) => !written(t) && !t.endsWith('.oms_normal_config')));
}

/** Tables of the site's databases that have a column (each version's schema change adds schema_<version>). */
export async function tablesWithColumn(site: Site, column: string): Promise<string[]> {
  const conn = await rootConnection(site);
  try {
    const [rows] = await conn.query('SELECT CONCAT(table_schema, ".", table_name) AS t FROM information_schema.columns WHERE column_name = ? AND table_schema IN (?) ORDER BY t', [
      column,
      site.databases.all,
    ]);
    return (rows as { t: string }[]).map((r) => r.t);
  } finally {
    await conn.end();
  }
}
