/**
 * Database-level statements of mysql.restore, for the mysql client on the task's host (see statement.ts): whole
 * texts, identifiers through sqlIdent and literals through sqlString.
 */
import { sqlIdent, sqlString } from '../mysql.js';

/** One row (character set, collation) when the database exists, none when it does not. */
export function schemaCharset(database: string): string {
  return `SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${sqlString(database)}`;
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
