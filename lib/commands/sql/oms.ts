/**
 * Statements on OMS's own MetaDB tables (mysql2 path, see statement.ts): system parameters in the rm database's
 * oms_normal_config, registered hosts and regions in the cm database, the region heartbeat in cm_hb.
 */
import { sqlIdent } from '../mysql.js';
import type { Statement } from './statement.js';

const paramTable = (rmDb: string) => `${sqlIdent(rmDb)}.oms_normal_config`;

/**
 * Every row of one system parameter, each with `has_gmt_modified` (1 when the table has that column, which the
 * console moves with the value): what oms.param decides from, in one round trip. More than one row is an error
 * the module reports.
 */
export function selectParam(rmDb: string, name: string): Statement {
  const hasColumn =
    "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'oms_normal_config' AND COLUMN_NAME = 'gmt_modified'";
  return { sql: `SELECT cfg_value, (${hasColumn}) AS has_gmt_modified FROM ${paramTable(rmDb)} WHERE cfg_name = ?`, params: [rmDb, name] };
}

/** Writes the whole value (JSON text); `touch` also sets gmt_modified = NOW(), as the console does. */
export function updateParam(rmDb: string, name: string, text: string, touch: boolean): Statement {
  return { sql: `UPDATE ${paramTable(rmDb)} SET cfg_value = ?${touch ? ', gmt_modified = NOW()' : ''} WHERE cfg_name = ?`, params: [text, name] };
}

/** Registered hosts with the name of their region (resource group): rows {ip, region}. */
export function registeredHosts(cmDb: string): Statement {
  const cm = sqlIdent(cmDb);
  return { sql: `SELECT h.ip AS ip, g.name AS region FROM ${cm}.host h LEFT JOIN ${cm}.resource_group g ON g.id = h.resource_group_id`, params: [] };
}

/** Seconds since the newest heartbeat row of a region, by the MetaDB's own clock: one row {age} (NULL when none). */
export function heartbeatAge(heartbeatDb: string): Statement {
  return {
    sql: `SELECT TIMESTAMPDIFF(SECOND, MAX(GREATEST(COALESCE(gmt_modified, gmt_created), COALESCE(gmt_created, gmt_modified))), NOW()) AS age FROM ${sqlIdent(heartbeatDb)}.heatbeat_sequence`,
    params: [],
  };
}
