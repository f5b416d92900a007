/**
 * What mysql.dump and mysql.restore share: the server arguments of the schema (the server as the host that runs
 * the client sees it; given as login_* or as one `metadb` object). Their failures are judged in
 * lib/commands/mysql-errors.ts.
 */
import type { MysqlServer } from '../../commands/mysql.js';
import { type MetaDbConnection, metaDbObjectSchema } from '../../metadb/connection-object.js';

export { flattenMetaDb as serverArgs, metaDbRequirement } from '../../metadb/connection-object.js';

export interface ServerArgs {
  /** The connection as one object (connection-object.ts): the module's normalize step spreads it into login_* first. */
  metadb?: MetaDbConnection;
  login_host: string;
  login_port?: number;
  login_user: string;
  login_password: string;
}

export const serverProperties = {
  metadb: metaDbObjectSchema,
  login_host: { type: 'string', description: 'MetaDB host as seen from the host that runs the client.' },
  login_port: { type: 'integer', minimum: 1, maximum: 65535, default: 3306, description: 'MetaDB port.' },
  login_user: { type: 'string', description: 'MetaDB user.' },
  login_password: {
    type: 'string',
    description: 'MetaDB password (mark it !secret in the inventory). Passed in a 0600 option file that is removed afterwards; never on a command line.',
  },
} as const;

export function serverOf(a: ServerArgs): MysqlServer {
  return { host: a.login_host, port: a.login_port ?? 3306, user: a.login_user };
}
