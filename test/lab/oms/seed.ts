// The MetaDB of a simulated OMS site, seeded like OMS's own: rm (system parameters with ha.config, cluster_info,
// project tables), cm (resource groups, hosts, components), one heartbeat database per region, and a schema_version
// table in each that the simulated containers and docker_init.sh read and write.
import mysql from 'mysql2/promise';
import type { Site } from './types.js';

/** a >= b, numerically part by part. */
export function atLeast(a: string, b: string): boolean {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) > (pb[i] ?? 0);
  return true;
}

/**
 * Columns a site installed at `version` has beyond the 3.x schema, as the simulated upgrades add them
 * (image/migrate.sh): 4.0.0's three, and from the later versions one named after the version (schema_4_2_9).
 */
export function versionColumns(version: string): { rm: string[]; cm: string[]; heartbeat: string[] } {
  if (!atLeast(version, '4.0.0')) return { rm: [], cm: [], heartbeat: [] };
  const own = version === '4.0.0' ? [] : [`${mysql.escapeId(`schema_${version.replace(/\./g, '_')}`)} tinyint NOT NULL DEFAULT 1`];
  return {
    rm: ["cm_api_version varchar(16) NOT NULL DEFAULT 'v2'", ...own],
    cm: ['server_version varchar(32) NULL', ...own],
    heartbeat: ['server_ip varchar(64) NULL', ...own],
  };
}
const addColumns = (table: string, cols: string[]): string[] => (cols.length ? [`ALTER TABLE ${table} ${cols.map((c) => `ADD COLUMN ${c}`).join(', ')}`] : []);

/** ha.config with every default key (oms-internals.md); `enable` as the site asks. */
export function defaultHaConfig(enable: boolean): Record<string, unknown> {
  return {
    enable,
    checkRequestIntervalSec: 600,
    enableHost: false,
    checkHostDownIntervalSec: 540,
    enableStore: true,
    checkModuleExceptionIntervalSec: 240,
    subtopicStoreNumberThreshold: 5,
    refetchStoreIntervalMin: 30,
    perceiveStoreClientCheckpoint: false,
    clearAbnormalResourceHours: 72,
    enableConnector: true,
  };
}

const q = (v: string | number | null): string => (v === null ? 'NULL' : mysql.escape(v));
const id = (name: string): string => mysql.escapeId(name);

const VERSION_TABLE = `CREATE TABLE schema_version (
  id int NOT NULL AUTO_INCREMENT PRIMARY KEY,
  version varchar(32) NOT NULL,
  config_sha char(64) NULL,
  applied_by varchar(64) NOT NULL,
  gmt_created datetime NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;

/** Statements (run as the MetaDB root) that (re)create every database of the site at the old version. */
export function seedStatements(site: Site, opts: Site['seed']): string[] {
  const { rm, cm } = site.databases;
  // Every timestamp is relative to the site's epoch (its deploy time), so each reseed yields identical tables.
  const NOW = `CAST(${q(opts.epoch)} AS DATETIME)`;
  const v = site.oldVersion;
  const s: string[] = [];
  for (const db of site.databases.all) {
    s.push(`DROP DATABASE IF EXISTS ${id(db)}`, `CREATE DATABASE ${id(db)} DEFAULT CHARACTER SET utf8mb4`);
  }
  const cols = versionColumns(v);
  const installRow = (db: string) => `INSERT INTO ${id(db)}.schema_version (version, applied_by, gmt_created) VALUES (${q(v)}, 'install', ${NOW} - INTERVAL 200 DAY)`;

  // rm
  s.push(`USE ${id(rm)}`, VERSION_TABLE, installRow(rm));
  s.push(`CREATE TABLE oms_normal_config (
    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    cfg_name varchar(128) NOT NULL,
    cfg_value text NOT NULL,
    description varchar(512) NULL,
    gmt_created datetime NOT NULL,
    gmt_modified datetime NOT NULL,
    UNIQUE KEY uk_cfg_name (cfg_name)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
  const params: [string, string, string][] = [
    ['ha.config', JSON.stringify(defaultHaConfig(opts.haEnabled)), 'High availability of store, connector and host'],
    ['oms.alarm.enable', 'false', 'Whether alarms are sent'],
    ['store.default.keep.hours', '24', 'Hours the store keeps incremental data'],
    ['connector.jvm.param', '-server -Xms2g -Xmx8g -XX:+UseG1GC', 'JVM options of new connectors'],
    ['migrate.check.datasource.privilege', 'true', 'Check data source privileges before a project starts'],
    ['oms.console.session.timeout.min', '120', 'Console session timeout'],
  ];
  for (const [name, value, desc] of params) {
    s.push(`INSERT INTO oms_normal_config (cfg_name, cfg_value, description, gmt_created, gmt_modified) VALUES (${q(name)}, ${q(value)}, ${q(desc)}, ${NOW} - INTERVAL 200 DAY, ${NOW} - INTERVAL 3 DAY)`);
  }
  s.push(`CREATE TABLE cluster_info (
    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    region varchar(64) NOT NULL,
    region_cn varchar(128) NULL,
    cm_url varchar(256) NOT NULL,
    code int NOT NULL,
    is_default_cm tinyint NOT NULL DEFAULT 0,
    gmt_created datetime NOT NULL,
    gmt_modified datetime NOT NULL,
    UNIQUE KEY uk_region (region), UNIQUE KEY uk_code (code)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
  for (const r of site.regions) {
    const first = site.hosts.find((h) => h.name === r.hosts[0]);
    s.push(`INSERT INTO cluster_info (region, region_cn, cm_url, code, is_default_cm, gmt_created, gmt_modified) VALUES (${q(r.name)}, ${q(r.nameCn)}, ${q(`http://${first?.address}:8088`)}, ${r.location}, ${r.isDefault ? 1 : 0}, ${NOW} - INTERVAL 200 DAY, ${NOW} - INTERVAL 200 DAY)`);
  }
  s.push(...addColumns('cluster_info', cols.rm));
  if (opts.omsVersionTable) {
    s.push(`CREATE TABLE oms_version (version varchar(64) NOT NULL PRIMARY KEY, gmt_modified timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
    s.push(`INSERT INTO oms_version (version, gmt_modified) VALUES (${q(`${v}-CE`)}, ${NOW} - INTERVAL 200 DAY)`);
  }
  s.push(`CREATE TABLE oms_datasource (
    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    datasource_id varchar(64) NOT NULL,
    name varchar(128) NOT NULL,
    type varchar(32) NOT NULL,
    host varchar(128) NOT NULL,
    port int NOT NULL,
    username varchar(128) NOT NULL,
    password_cipher varchar(512) NOT NULL,
    gmt_created datetime NOT NULL,
    UNIQUE KEY uk_ds (datasource_id)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
  s.push(`INSERT INTO oms_datasource (datasource_id, name, type, host, port, username, password_cipher, gmt_created) VALUES
    ('e_4tq1x8wu9k7c', 'mysql-orders', 'MYSQL', '10.20.0.15', 3306, 'oms_reader', 'AES:3q2+7w==:9f8e7d6c5b4a', ${NOW} - INTERVAL 120 DAY),
    ('e_4tq1x8wu9k7d', 'ob-orders', 'OB_MYSQL', '10.20.0.30', 2883, 'root@oms#ob', 'AES:Zm9vYmFy:0a1b2c3d4e5f', ${NOW} - INTERVAL 120 DAY),
    ('e_4tq1x8wu9k7e', 'ob-reports', 'OB_MYSQL', '10.20.0.31', 2883, 'root@rpt#ob', 'AES:YmF6cXV4:1a2b3c4d5e6f', ${NOW} - INTERVAL 60 DAY)`);
  s.push(`CREATE TABLE oms_project (
    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    project_id varchar(64) NOT NULL,
    name varchar(128) NOT NULL,
    type varchar(32) NOT NULL,
    status varchar(32) NOT NULL,
    source_datasource_id varchar(64) NOT NULL,
    sink_datasource_id varchar(64) NOT NULL,
    created_version varchar(32) NOT NULL,
    config json NOT NULL,
    gmt_created datetime NOT NULL,
    gmt_modified datetime NOT NULL,
    UNIQUE KEY uk_project (project_id)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
  s.push(`INSERT INTO oms_project (project_id, name, type, status, source_datasource_id, sink_datasource_id, created_version, config, gmt_created, gmt_modified) VALUES
    ('np_4u1a9x3b2c1d', 'orders-to-ob', 'MIGRATION', 'RUNNING', 'e_4tq1x8wu9k7c', 'e_4tq1x8wu9k7d', '3.3.0', '{"incrSync":true,"fullMigration":true}', ${NOW} - INTERVAL 100 DAY, ${NOW} - INTERVAL 1 DAY),
    ('np_4u1a9x3b2c1e', 'orders-sync', 'SYNC', 'RUNNING', 'e_4tq1x8wu9k7d', 'e_4tq1x8wu9k7e', ${q(v)}, '{"ddlSync":true,"source":{"dbType":"OB_MySQL"}}', ${NOW} - INTERVAL 50 DAY, ${NOW} - INTERVAL 1 DAY),
    ('np_4u1a9x3b2c1f', 'reports-archive', 'MIGRATION', 'FINISHED', 'e_4tq1x8wu9k7d', 'e_4tq1x8wu9k7e', '3.3.0', '{"incrSync":false,"fullMigration":true}', ${NOW} - INTERVAL 90 DAY, ${NOW} - INTERVAL 80 DAY)`);
  s.push(`CREATE TABLE oms_project_step (
    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    project_id varchar(64) NOT NULL,
    step varchar(64) NOT NULL,
    status varchar(32) NOT NULL,
    progress int NOT NULL,
    gmt_modified datetime NOT NULL,
    KEY idx_project (project_id)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
  const steps = ['TRANSFER_PRECHECK', 'STRUCT_TRANSFER', 'FULL_TRANSFER', 'INCR_TRANSFER', 'FULL_VERIFIER'];
  for (const p of ['np_4u1a9x3b2c1d', 'np_4u1a9x3b2c1e', 'np_4u1a9x3b2c1f']) {
    s.push(`INSERT INTO oms_project_step (project_id, step, status, progress, gmt_modified) VALUES ${steps
      .map((st, i) => `(${q(p)}, ${q(st)}, ${q(i < 3 ? 'FINISHED' : 'MONITORING')}, ${i < 3 ? 100 : 0}, ${NOW} - INTERVAL ${i + 1} DAY)`)
      .join(', ')}`);
  }

  // cm
  s.push(`USE ${id(cm)}`, VERSION_TABLE, installRow(cm));
  s.push(`CREATE TABLE resource_group (
    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name varchar(64) NOT NULL,
    description varchar(256) NULL,
    gmt_created datetime NOT NULL,
    UNIQUE KEY uk_name (name)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
  for (const r of site.regions) {
    s.push(`INSERT INTO resource_group (name, description, gmt_created) VALUES (${q(r.name)}, ${q(r.nameCn)}, ${NOW} - INTERVAL 200 DAY)`);
  }
  s.push(`CREATE TABLE host (
    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    resource_group_id bigint NOT NULL,
    ip varchar(64) NOT NULL,
    hostname varchar(128) NULL,
    gmt_created datetime NOT NULL,
    gmt_modified datetime NOT NULL,
    UNIQUE KEY uk_ip (ip)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
  // Hosts as OMS registered them at installation (a container re-registers only a missing host).
  for (const h of site.hosts) {
    s.push(`INSERT INTO host (resource_group_id, ip, hostname, gmt_created, gmt_modified)
      SELECT id, ${q(h.address)}, ${q(h.name)}, ${NOW} - INTERVAL 200 DAY, ${NOW} - INTERVAL 200 DAY FROM resource_group WHERE name = ${q(h.region)}`);
  }
  s.push(...addColumns('host', cols.cm));
  if (cols.cm.length) s.push(`UPDATE host SET server_version = ${q(v)}`);
  s.push(`CREATE TABLE component (
    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    component_id varchar(128) NOT NULL,
    type varchar(32) NOT NULL,
    host_ip varchar(64) NOT NULL,
    project_id varchar(64) NOT NULL,
    status varchar(32) NOT NULL,
    config json NOT NULL,
    gmt_created datetime NOT NULL,
    UNIQUE KEY uk_component (component_id)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
  site.hosts.forEach((h, i) => {
    const p = i % 2 === 0 ? 'np_4u1a9x3b2c1d' : 'np_4u1a9x3b2c1e';
    s.push(`INSERT INTO component (component_id, type, host_ip, project_id, status, config, gmt_created) VALUES
      (${q(`${h.address}-store-${1000 + i}`)}, 'STORE', ${q(h.address)}, ${q(p)}, 'RUNNING', '{"port":${17000 + i}}', ${NOW} - INTERVAL 50 DAY),
      (${q(`${h.address}-connector-${2000 + i}`)}, 'CONNECTOR', ${q(h.address)}, ${q(p)}, 'RUNNING', '{"source":{"dbType":"OB_MySQL"}}', ${NOW} - INTERVAL 50 DAY)`);
  });

  // one heartbeat database per region
  for (const r of site.regions) {
    const db = r.heartbeatDb;
    s.push(`USE ${id(db)}`, VERSION_TABLE, installRow(db));
    s.push(`CREATE TABLE heatbeat_sequence (
      id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
      gmt_created datetime NOT NULL,
      gmt_modified datetime NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
    if (opts.heartbeatRows > 0) {
      s.push(`INSERT INTO heatbeat_sequence (gmt_created, gmt_modified)
        SELECT ${NOW} - INTERVAL (${opts.heartbeatRows + 1} - seq) SECOND, ${NOW} - INTERVAL (${opts.heartbeatRows + 1} - seq) SECOND
        FROM mysql.seq_1_to_${opts.heartbeatRows}`);
    }
    s.push(...addColumns('heatbeat_sequence', cols.heartbeat));
    s.push(`CREATE TABLE host_heartbeat (
      ip varchar(64) NOT NULL PRIMARY KEY,
      version varchar(32) NOT NULL,
      gmt_heartbeat datetime(3) NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
  }

  // the MetaDB user of config.yaml
  const user = `${q(site.metadb.user)}@'%'`;
  s.push(`CREATE USER IF NOT EXISTS ${user} IDENTIFIED BY ${q(site.metadb.password)}`);
  s.push(`ALTER USER ${user} IDENTIFIED BY ${q(site.metadb.password)}`);
  // Grants of an earlier site on the same MetaDB (another profile) do not carry over.
  s.push(`REVOKE ALL PRIVILEGES, GRANT OPTION FROM ${user}`);
  if (opts.metaGrants === 'databases') {
    for (const db of site.databases.all) s.push(`GRANT ALL PRIVILEGES ON ${id(db)}.* TO ${user}`);
  } else {
    s.push(`GRANT ALL PRIVILEGES ON *.* TO ${user}`);
  }
  return s;
}

/** Opens a root connection to the site's MetaDB. */
export async function rootConnection(site: Site): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: site.metadb.host,
    port: site.metadb.port,
    user: site.metadb.rootUser,
    password: site.metadb.rootPassword,
    multipleStatements: true,
    connectTimeout: 5000,
  });
}

/** Drops and recreates every database of the site, as freshly installed at the old version. */
export async function seedMetaDb(site: Site, opts: Site['seed']): Promise<void> {
  const conn = await rootConnection(site);
  try {
    await conn.query(`${seedStatements(site, opts).join(';\n')};`);
  } finally {
    await conn.end();
  }
}
