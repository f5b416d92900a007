/**
 * The MetaDB connection as one object — `metadb: {host, port, user, password, via}` — built once by a playbook
 * (from the region's config.yaml) and passed whole to every mysql.* and oms.* module, instead of the same
 * login_host/login_port/login_user/login_password/via lines in every task. The separate login_* arguments keep
 * working; a task gives one form or the other, never both.
 */
import { TaskFailedError } from '../errors.js';

export interface MetaDbConnection {
  host: string;
  port?: number | string;
  user: string;
  password: string;
  /** Inventory host to tunnel through; used by the modules that connect from the control node. */
  via?: string;
}

/** The separate arguments the object stands for. */
export interface LoginArgs {
  login_host: string;
  login_port?: number;
  login_user: string;
  login_password: string;
  via?: string;
}

export const metaDbObjectSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['host', 'user', 'password'],
  description:
    'The MetaDB connection as one object (e.g. `metadb: "{{ metadb }}"`), instead of login_host/login_port/login_user/login_password/via. The password is masked in every output and never put on a command line.',
  properties: {
    host: { type: 'string', description: 'MetaDB host.' },
    port: { type: 'integer', minimum: 1, maximum: 65535, default: 3306, description: 'MetaDB port.' },
    user: { type: 'string', description: 'MetaDB user.' },
    password: { type: 'string', description: 'MetaDB password (mark it !secret in the inventory, or read it from config.yaml with oms.config).' },
    via: {
      type: 'string',
      description: 'Inventory host whose SSH connection tunnels to the MetaDB ("" or absent: direct). Modules that run the client on their own host (mysql.dump, mysql.restore) ignore it.',
    },
  },
} as const;

const LOGIN_KEYS = ['login_host', 'login_port', 'login_user', 'login_password', 'via'] as const;

/**
 * Schema parts every module with a MetaDB connection adds to its top level: `metadb`, or the login_* arguments,
 * and never both (which one would win is not obvious to a reader).
 */
export const metaDbRequirement = {
  anyOf: [
    // (The properties here only give the "missing" message its hint.)
    { required: ['metadb'], properties: { metadb: { description: 'the MetaDB connection {host, port, user, password, via}; or give login_host, login_user and login_password' } } },
    { required: ['login_host', 'login_user', 'login_password'] },
  ],
  dependentSchemas: {
    metadb: {
      not: { anyOf: LOGIN_KEYS.map((k) => ({ required: [k] })) },
      errorMessage: '`metadb` or the login_* arguments (login_host, login_port, login_user, login_password, via), not both',
    },
  },
} as const;

/**
 * The arguments with `metadb` spread into login_* (the modules' code reads those), checked now that templates are
 * rendered: a template that rendered to nothing must not become a connection to an empty host.
 */
export function flattenMetaDb<T extends Partial<LoginArgs>>(args: T & { metadb?: MetaDbConnection }): T & LoginArgs {
  const { metadb, ...rest } = args;
  if (metadb === undefined || metadb === null) return rest as T & LoginArgs;
  if (typeof metadb !== 'object') throw new TaskFailedError('`metadb` must be a mapping {host, port, user, password, via}', {}, { hint: 'build it once with set_fact and pass `metadb: "{{ metadb }}"`' });
  const given = LOGIN_KEYS.filter((k) => (rest as Record<string, unknown>)[k] !== undefined);
  if (given.length) {
    throw new TaskFailedError(`\`metadb\` and ${given.map((k) => `\`${k}\``).join(', ')} are both given`, {}, { hint: 'give the connection once: either `metadb` or the login_* arguments' });
  }
  const missing = (['host', 'user', 'password'] as const).filter((k) => typeof metadb[k] !== 'string' || metadb[k] === '');
  if (missing.length) {
    throw new TaskFailedError(`\`metadb\` lacks ${missing.map((k) => `\`${k}\``).join(', ')}`, {}, { hint: 'metadb needs host, user and password (port defaults to 3306)' });
  }
  const port = metadb.port === undefined || metadb.port === '' ? 3306 : Number(metadb.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TaskFailedError(`\`metadb.port\` must be a port number (1-65535), got ${JSON.stringify(metadb.port)}`, {});
  }
  return {
    ...(rest as T),
    login_host: metadb.host,
    login_port: port,
    login_user: metadb.user,
    login_password: metadb.password,
    ...(metadb.via ? { via: metadb.via } : {}),
  };
}
