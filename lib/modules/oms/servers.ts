/**
 * oms.servers: the server check of the procedure's step 7, without the console. A server is
 * "Online" when (1) its IP is registered in the cm database's `host` table and (2) the newest row
 * of its region's heartbeat table (`heatbeat_sequence` in that region's cm_hb database) was
 * written within `max_age` seconds, measured by the MetaDB's own clock (NOW()), so the control
 * node's clock does not matter.
 */
import { heartbeatAge, registeredHosts } from '../../commands/sql/oms.js';
import { TaskFailedError } from '../../errors.js';
import { type MetaDbSession, defineMetaDbPlanModule } from '../../metadb/execute.js';
import { type Polled, pollFacts } from '../../plan/poll.js';
import type { Plan } from '../../plan/types.js';
import { type MetaDbArgs, metaDbProperties, metaDbRequirement } from '../../metadb/connect.js';
import { flattenMetaDb } from '../../metadb/connection-object.js';

export interface ServersArgs extends MetaDbArgs {
  servers: Array<string | { ip: string; heartbeat_database?: string }>;
  cm_database?: string;
  heartbeat_database?: string;
  heartbeat_databases?: Record<string, string>;
  max_age?: number;
  timeout?: number;
  interval?: number;
}

export interface ServerStatus {
  ip: string;
  registered: boolean;
  region: string | null;
  heartbeat_database: string | null;
  heartbeat_age_s: number | null;
  online: boolean;
  reason: string | null;
}

/** Online = registered AND the region's newest heartbeat is at most maxAge seconds old. */
export function judge(ip: string, reg: { region: string | null } | undefined, hbDb: string | null, age: number | null | undefined, maxAge: number): ServerStatus {
  const s: ServerStatus = { ip, registered: Boolean(reg), region: reg?.region ?? null, heartbeat_database: hbDb, heartbeat_age_s: age ?? null, online: false, reason: null };
  if (!reg) s.reason = 'not registered in cm.host';
  else if (!hbDb) s.reason = `no heartbeat database known for region ${reg.region ?? '?'}`;
  else if (age === null || age === undefined) s.reason = `no heartbeat in ${hbDb}.heatbeat_sequence`;
  else if (age > maxAge) s.reason = `last heartbeat ${age}s ago (> ${maxAge}s)`;
  else s.online = true;
  return s;
}

/** What oms.servers decides from: the registered hosts with their region, and the heartbeat age of each database read. */
export interface ServersFacts {
  hosts: Array<{ ip: string; region: string | null }>;
  /** Heartbeat database -> seconds since its newest row (null: no row). */
  heartbeat_ages: Record<string, number | null>;
}

type ServerItem = { ip: string; heartbeat_database?: string };

const itemsOf = (args: ServersArgs): ServerItem[] => args.servers.map((s) => (typeof s === 'string' ? { ip: s } : s));

/** A server's heartbeat database: its own, else its region's, else the default one (null: none known). */
function heartbeatDatabaseOf(args: ServersArgs, item: ServerItem, hosts: ServersFacts['hosts']): string | null {
  if (item.heartbeat_database) return item.heartbeat_database;
  const region = hosts.find((h) => h.ip === item.ip)?.region;
  return (region && args.heartbeat_databases?.[region]) || args.heartbeat_database || null;
}

/** The heartbeat databases to read, once each, given the registered hosts (the second read depends on the first). */
export function heartbeatDatabases(args: ServersArgs, hosts: ServersFacts['hosts']): string[] {
  return [...new Set(itemsOf(args).map((i) => heartbeatDatabaseOf(args, i, hosts)).filter((d): d is string => Boolean(d)))];
}

/** Every server judged; `online` when all are. */
export function serversStatus(args: ServersArgs, facts: ServersFacts): { statuses: ServerStatus[]; online: boolean } {
  const reg = new Map(facts.hosts.map((h) => [h.ip, h]));
  const statuses = itemsOf(args).map((i) => {
    const db = heartbeatDatabaseOf(args, i, facts.hosts);
    return judge(i.ip, reg.get(i.ip), db, db ? facts.heartbeat_ages[db] : null, args.max_age ?? 120);
  });
  return { statuses, online: statuses.every((s) => s.online) };
}

/** The result after the last check: every server Online, else a failure naming each one that is not and why. */
export function planServers(args: ServersArgs, polled: Polled<ServersFacts>): Plan {
  const { statuses } = serversStatus(args, polled.facts);
  const attempts = polled.attempts;
  const offline = statuses.filter((s) => !s.online);
  const why = offline.map((s) => `${s.ip} (${s.reason})`).join('; ');
  const res = {
    servers: statuses,
    offline: offline.map((s) => s.ip),
    online: offline.length === 0,
    attempts,
    msg: offline.length === 0 ? `${statuses.length} server(s) Online` : `offline: ${why}`,
  };
  if (offline.length > 0) throw new TaskFailedError(`${offline.length} of ${statuses.length} OMS server(s) not Online: ${why}`, { changed: false, ...res });
  return { commands: [], result: res };
}

/** One reading: the registered hosts, then the age of each heartbeat database they need. */
async function readServers(args: ServersArgs, db: MetaDbSession): Promise<ServersFacts> {
  const hosts = await db.rows<ServersFacts['hosts'][number]>(registeredHosts(args.cm_database ?? 'oms_cm'));
  const ages: ServersFacts['heartbeat_ages'] = {};
  for (const hb of heartbeatDatabases(args, hosts)) {
    const a = (await db.rows<{ age: number | string | null }>(heartbeatAge(hb)))[0]?.age;
    ages[hb] = a === null || a === undefined ? null : Number(a);
  }
  return { hosts, heartbeat_ages: ages };
}

export const omsServers = defineMetaDbPlanModule<ServersArgs, Polled<ServersFacts>>({
  name: 'oms.servers',
  summary:
    'Check that every OMS server is Online — its IP is registered in cm.host AND the newest heatbeat_sequence row of its region (that region\'s cm_hb database) is at most max_age seconds old by the MetaDB clock — waiting up to timeout.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['servers'],
    ...metaDbRequirement,
    properties: {
      ...metaDbProperties,
      servers: {
        type: 'array',
        minItems: 1,
        description: 'OMS host IPs (OMS_HOST_IP), or {ip, heartbeat_database}.',
        items: {
          oneOf: [
            { type: 'string' },
            { type: 'object', additionalProperties: false, required: ['ip'], properties: { ip: { type: 'string' }, heartbeat_database: { type: 'string' } } },
          ],
        },
      },
      cm_database: { type: 'string', default: 'oms_cm', description: 'The cm database (config.yaml drc_cm_db).' },
      heartbeat_databases: {
        type: 'object',
        additionalProperties: { type: 'string' },
        description: 'Region (cm.resource_group name, config.yaml cm_region) -> heartbeat database (drc_cm_heartbeat_db).',
      },
      heartbeat_database: { type: 'string', description: 'Heartbeat database for servers whose region has none in heartbeat_databases.' },
      max_age: { type: 'integer', minimum: 1, default: 120, description: 'Seconds within which the region heartbeat must have been written.' },
      timeout: { type: 'integer', minimum: 0, default: 0, description: 'Seconds to keep checking until all are Online (0: check once).' },
      interval: { type: 'integer', minimum: 1, default: 5, description: 'Seconds between checks.' },
    },
  },
  checkMode: 'read_only',
  // `metadb: {host, port, user, password, via}` or the login_* arguments: gather and plan read login_*.
  normalize: flattenMetaDb,
  changedMeans: 'never (it only reads).',
  result: [
    { name: 'servers', description: 'Per server: {ip, registered, region, heartbeat_database, heartbeat_age_s, online, reason}.' },
    { name: 'offline', description: 'IPs that are not Online.' },
    { name: 'online', description: 'true when every server is Online.' },
  ],
  example: `- name: Every server Online (step 7)
  oms.servers:
    login_host: "{{ metadb.host }}"
    login_user: "{{ metadb.user }}"
    login_password: "{{ metadb.password }}"
    cm_database: "{{ metadb.cm_db }}"
    servers: "{{ oms_host_ips }}"
    heartbeat_databases: {hangzhou: oms_cm_hb_1, beijing: oms_cm_hb_2}
    timeout: 300
  run_once: true`,

  gather: (args, ctx) =>
    pollFacts(ctx, {
      timeoutS: args.timeout ?? 0,
      intervalS: args.interval ?? 5,
      read: () => readServers(args, ctx.db),
      done: (facts) => serversStatus(args, facts).online,
      waitInCheckMode: true,
    }),
  plan: (args, polled) => planServers(args, polled),
});
