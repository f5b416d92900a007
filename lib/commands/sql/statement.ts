/**
 * SQL text lives in lib/commands/sql/, never in a module. Two paths reach the MetaDB, each where it serves:
 * - mysql2 from the control node (mysql.query, oms.param, oms.servers): statements with `?` placeholders whose
 *   values the driver binds (a `Statement`), several statements in one session (SELECT ... INTO @v, transactions),
 *   typed rows, and the `via` SSH tunnel when only the OMS hosts reach the MetaDB. Nothing needs a client on a host.
 * - the mysql/mysqldump client on the task's host (mysql.dump, mysql.restore): the dump file lives on that host and
 *   must not cross the control node, and login_host is as that host sees it. Those statements are whole texts
 *   (identifiers with sqlIdent, literals with sqlString) because the client has no parameter binding.
 */

export type SqlValue = string | number | boolean | null;

/** A statement for mysql2: `?` placeholders, values bound by the driver (never pasted into the text). */
export interface Statement {
  sql: string;
  params: readonly SqlValue[];
}
