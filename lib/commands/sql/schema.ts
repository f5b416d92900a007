/**
 * Database-level statements of mysql.restore, for the mysql client on the task's host (see statement.ts): whole
 * texts, identifiers through sqlIdent and literals through sqlString.
 */
import { sqlIdent, sqlString } from '../mysql.js';

/** One row (name, character set, collation) per database that exists; none for one that does not. */
export function schemaCharsets(databases: string[]): string {
  return `SELECT SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (${databases.map(sqlString).join(', ')})`;
}

/** CREATE DATABASE with the given character set and collation (each only when given). */
export function createDatabase(database: string, charset?: string, collation?: string): string {
  return `CREATE DATABASE ${sqlIdent(database)}${charset ? ` CHARACTER SET ${charset}` : ''}${collation ? ` COLLATE ${collation}` : ''}`;
}

/** Drop (when it exists) and create again: what runs before a dump is loaded. */
export function recreateDatabase(database: string, charset?: string, collation?: string): string {
  return `DROP DATABASE IF EXISTS ${sqlIdent(database)}; ${createDatabase(database, charset, collation)}`;
}

/** One row: number of base tables and the sum of their TABLE_ROWS (exact for MyISAM/Aria, an estimate for InnoDB). */
export function tableCounts(database: string): string {
  return `SELECT COUNT(*), COALESCE(SUM(TABLE_ROWS), 0) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${sqlString(database)} AND TABLE_TYPE = 'BASE TABLE'`;
}

/** One number: the data and index bytes of the databases' tables, what a dump of them is expected to be of the order of. */
export function databasesSize(databases: string[]): string {
  return `SELECT COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (${databases.map(sqlString).join(', ')})`;
}

/**
 * What a swap of a staged database into place depends on, one row per object of the two databases: the databases
 * themselves ('SCHEMA'), their tables ('BASE TABLE', 'VIEW', ...), routines, triggers, events and foreign keys.
 */
export function swapObjects(database: string, staged: string): string {
  const both = `(${sqlString(database)}, ${sqlString(staged)})`;
  return [
    `SELECT SCHEMA_NAME, '', 'SCHEMA' FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN ${both}`,
    `SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA IN ${both}`,
    `SELECT ROUTINE_SCHEMA, ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA IN ${both}`,
    `SELECT TRIGGER_SCHEMA, TRIGGER_NAME, 'TRIGGER' FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA IN ${both}`,
    `SELECT EVENT_SCHEMA, EVENT_NAME, 'EVENT' FROM information_schema.EVENTS WHERE EVENT_SCHEMA IN ${both}`,
    `SELECT CONSTRAINT_SCHEMA, CONSTRAINT_NAME, 'FOREIGN KEY' FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA IN ${both}`,
  ].join(' UNION ALL ');
}

/**
 * Puts the staged database's tables in place of the database's, in one atomic RENAME TABLE (metadata only: no row
 * is copied). The database's own tables go to `retired` in the same statement, which is dropped afterwards with
 * the then empty staged database. The database itself (its character set, collation and grants) stays.
 */
export function swapStaged(o: { database: string; staged: string; retired: string; liveTables: string[]; stagedTables: string[]; createDatabase: boolean; lockWaitSeconds: number }): string {
  const move = (from: string, to: string, t: string) => `${sqlIdent(from)}.${sqlIdent(t)} TO ${sqlIdent(to)}.${sqlIdent(t)}`;
  const renames = [...o.liveTables.map((t) => move(o.database, o.retired, t)), ...o.stagedTables.map((t) => move(o.staged, o.database, t))];
  return [
    `SET SESSION lock_wait_timeout = ${Math.floor(o.lockWaitSeconds)}`,
    `DROP DATABASE IF EXISTS ${sqlIdent(o.retired)}`,
    `CREATE DATABASE ${sqlIdent(o.retired)}`,
    ...(o.createDatabase ? [`CREATE DATABASE ${sqlIdent(o.database)}`] : []),
    ...(renames.length ? [`RENAME TABLE ${renames.join(', ')}`] : []),
    `DROP DATABASE ${sqlIdent(o.retired)}`,
    `DROP DATABASE ${sqlIdent(o.staged)}`,
  ].join('; ');
}
