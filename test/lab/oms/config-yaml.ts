// config.yaml of a simulated OMS region, with the real key names (global keys, then the region's keys).
import type { Site, SiteRegion } from './types.js';

/** A YAML single-quoted scalar: any character is safe, ' is doubled. */
function sq(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}

/**
 * The config.yaml of one node. Nodes of a region that shares one config get byte-identical files; with per-node
 * configs, cm_url names the node itself, so the files differ.
 */
export function renderConfigYaml(site: Site, region: SiteRegion, nodeAddress: string): string {
  const nodes = region.hosts.map((n) => site.hosts.find((h) => h.name === n)?.address ?? n);
  const cmUrlHost = region.sharedConfig ? nodes[0] : nodeAddress;
  const lines = [
    '# OMS configuration (simulated site deployed by omsplay test/lab/oms)',
    `oms_meta_host: ${site.metadb.host}`,
    `oms_meta_port: ${site.metadb.port}`,
    `oms_meta_user: ${sq(site.metadb.user)}`,
    `oms_meta_password: ${sq(site.metadb.password)}`,
    `drc_rm_db: ${site.databases.rm}`,
    `drc_cm_db: ${site.databases.cm}`,
    '',
    '# region',
    `cm_url: http://${cmUrlHost}:8088`,
    `cm_location: ${region.location}`,
    `cm_region: ${region.name}`,
  ];
  if (site.regions.length > 1) lines.push(`cm_region_cn: ${sq(region.nameCn)}`);
  lines.push(
    `cm_is_default: ${region.isDefault}`,
    `drc_cm_heartbeat_db: ${region.heartbeatDb}`,
    'cm_nodes:',
    ...nodes.map((a) => `  - ${a}`),
    '',
    '# ports',
    'cm_server_port: 8088',
    `nginx_server_port: ${site.consolePort}`,
    ...(region.consoleSsl ? ['nginx_ssl_enabled: true'] : []),
    'ghana_server_port: 8090',
    'supervisor_server_port: 9000',
    'sshd_server_port: 2023',
    '',
    '# time series database',
    'tsdb_enabled: false',
    "tsdb_service: 'INFLUXDB'",
    "tsdb_url: ''",
    "tsdb_username: ''",
    "tsdb_password: ''",
    '',
  );
  return lines.join('\n');
}
