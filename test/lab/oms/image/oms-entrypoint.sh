#!/bin/bash
# Simulated OMS service (PID 1 of the container). Behaves like OMS where an upgrade can go wrong:
# refuses a MetaDB of the wrong schema version, needs IS_UPGRADE=true to start on an older MetaDB, binds the console
# port on the host network, registers its host in cm, writes heartbeats into its region's heartbeat database, and
# logs "OMS service start successfully" as its last line once healthy.
set -u
. /usr/local/lib/oms/common.sh

WWW=/var/www
HEALTH=$WWW/oms/health
HTTPD_PID=
RUNNING=1

set_health() {
  mkdir -p "$WWW/oms"
  printf '{"success":true,"data":{"healthy":%s,"version":"%s","host":"%s"}}\n' "$1" "$OMS_VERSION" "${OMS_HOST_IP:-}" >"$HEALTH.tmp"
  mv -f "$HEALTH.tmp" "$HEALTH"
}

on_term() {
  RUNNING=0
  [ -n "$HTTPD_PID" ] && kill "$HTTPD_PID" 2>/dev/null
  log "OMS service stopped"
  exit 0
}
trap on_term TERM INT

set_health false
date +%s >/tmp/oms-started
log "OMS $OMS_VERSION starting on ${OMS_HOST_IP:-<unset>}"

# --- the run spec -------------------------------------------------------------------------------------------------
[ -n "${OMS_HOST_IP:-}" ] || die "OMS_HOST_IP is not set (docker run -e OMS_HOST_IP=<this host's IP>)"
for m in /home/admin/conf/config.yaml /home/admin/logs /home/ds/store /home/ds/run; do
  is_mount "$m" || die "$m is not mounted from the host: the container needs the config.yaml, logs, store and run mounts"
done
capeff=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
[ $(((0x${capeff:-0} >> 21) & 1)) = 1 ] || die "the container is not privileged (docker run --privileged=true)"
[ "$(ulimit -u)" = 65535 ] || die "max user processes is $(ulimit -u), not 65535 (docker run --ulimit nproc=65535:65535)"
load_conf
ip route get "$OMS_HOST_IP" 2>/dev/null | grep -q '^local ' || die "OMS_HOST_IP=$OMS_HOST_IP is not an address of this host"
printf '%s\n' "$CM_NODES" | grep -qxF "$OMS_HOST_IP" || die "OMS_HOST_IP=$OMS_HOST_IP is not listed in cm_nodes of config.yaml"

# --- the console port: one OMS per host -----------------------------------------------------------------------------
port_busy "$CONSOLE_PORT" && die "port $CONSOLE_PORT is already in use on this host: another OMS container is running here"
if [ "$CONSOLE_SSL" = true ]; then
  [ -f /etc/pki/nginx/oms_server.crt ] && [ -f /etc/pki/nginx/oms_server.key ] ||
    die "nginx_ssl_enabled is true but the certificate is not mounted at /etc/pki/nginx/oms_server.crt and /etc/pki/nginx/oms_server.key"
  command -v openssl >/dev/null || die "HTTPS certificate mounted but this simulated image was built without openssl (install openssl on the build machine)"
  (cd "$WWW" && exec openssl s_server -quiet -accept "$CONSOLE_PORT" -cert /etc/pki/nginx/oms_server.crt \
    -key /etc/pki/nginx/oms_server.key -WWW) >>"$OMS_LOG_DIR/nginx.log" 2>&1 &
  HTTPD_PID=$!
  SCHEME=https
else
  httpd -f -p "0.0.0.0:$CONSOLE_PORT" -h "$WWW" >>"$OMS_LOG_DIR/nginx.log" 2>&1 &
  HTTPD_PID=$!
  SCHEME=http
fi
sleep 0.3
kill -0 "$HTTPD_PID" 2>/dev/null || die "cannot bind port $CONSOLE_PORT: another OMS container is running on this host"
log "console listening on $SCHEME://0.0.0.0:$CONSOLE_PORT"

# --- the MetaDB -----------------------------------------------------------------------------------------------------
ok=
for _ in $(seq 1 20); do
  if err=$(sql "$RM_DB" 'SELECT 1' 2>&1 >/dev/null); then ok=1; break; fi
  sleep 1
done
[ -n "$ok" ] || die "cannot connect to the MetaDB $META_HOST:$META_PORT as $META_USER: $err"
for db in "$RM_DB" "$CM_DB" "$HB_DB"; do
  sql "$db" 'SELECT 1' >/dev/null 2>&1 || die "MetaDB database $db does not exist or is not readable"
done

versions() { printf 'rm=%s cm=%s cm_hb=%s' "$(schema_version "$RM_DB")" "$(schema_version "$CM_DB")" "$(schema_version "$HB_DB")"; }
# metadb_is VERSION: all three databases this node uses are at VERSION.
metadb_is() {
  [ "$(schema_version "$RM_DB")" = "$1" ] && [ "$(schema_version "$CM_DB")" = "$1" ] && [ "$(schema_version "$HB_DB")" = "$1" ]
}
# metadb_newer: any of them went past this version.
metadb_newer() {
  local db
  for db in "$RM_DB" "$CM_DB" "$HB_DB"; do
    ver_gt "$(schema_version "$db")" "$OMS_VERSION" && return 0
  done
  return 1
}

# Any version is an "old" OMS on a MetaDB at its own version, and an upgrade on an older one: then it needs
# IS_UPGRADE=true, and every database still older than it must be at a version its guide upgrades from.
UPGRADE=
[ "${IS_UPGRADE:-}" = true ] && UPGRADE=1
metadb_newer && die "MetaDB schema ($(versions)) is newer than this OMS $OMS_VERSION: refusing to start"
if ! metadb_is "$OMS_VERSION"; then
  [ -n "$UPGRADE" ] || die "MetaDB schema is older than $OMS_VERSION ($(versions)): start the container with -e IS_UPGRADE=true$([ "$FAMILY" = D ] || printf ' and run /root/docker_init.sh')"
  notice=$(guide_notice)
  [ -n "$FAMILY" ] || die "OMS $OMS_VERSION cannot be upgraded to ($(versions)): install it fresh${notice:+ (upgrade guide: \"$notice\")}"
  for db in "$RM_DB" "$CM_DB" "$HB_DB"; do
    v=$(schema_version "$db")
    [ "$v" = "$OMS_VERSION" ] || is_source "$v" || die "upgrading $db from ${v:-<none>} to $OMS_VERSION is not supported: OMS $OMS_VERSION upgrades only from $SOURCES${notice:+ (upgrade guide: \"$notice\")}"
  done
fi
if [ -n "$UPGRADE" ]; then
  # The data mounts must be the old container's: each holds something the previous OMS left on this host.
  lost=
  cp="/home/ds/store/checkpoint-$OMS_HOST_IP"
  if [ -f "$cp" ]; then
    log "upgrade: found store checkpoint of the previous OMS: $(tr '\n' ' ' <"$cp")"
  else
    lost="store ($cp)"
  fi
  [ -f "/home/ds/run/oms-node-$OMS_HOST_IP" ] || lost="$lost run (/home/ds/run/oms-node-$OMS_HOST_IP)"
  grep -q 'OMS service start successfully' "$OMS_LOG_DIR/oms-service.log" 2>/dev/null || lost="$lost logs ($OMS_LOG_DIR/oms-service.log)"
  if [ -n "$lost" ]; then
    MOUNTS_LOST=1
    log "ERROR: upgrade: files of the previous OMS not found in the mounts: ${lost# }: the data mounts must be the old container's"
  fi
  # Family D has no docker_init.sh: the container initializes the metadata itself on start.
  if [ "$FAMILY" = D ] && [ -z "${MOUNTS_LOST:-}" ]; then
    log "upgrade: initializing the metadata ($(versions))"
    MIGRATE_ON_START=1 OMS_LOG_NAME=oms-service.log bash /usr/local/lib/oms/migrate.sh || die "metadata initialization failed ($(versions))"
  fi
fi

# --- register the host (idempotent: the cm tables stay unchanged once every host is registered) -------------------
rg_id=$(sql "$CM_DB" "SELECT id FROM resource_group WHERE name = $(sqlstr "$REGION")") || die "cannot read $CM_DB.resource_group"
[ -n "$rg_id" ] || die "region $REGION has no resource_group in $CM_DB"
sql "$CM_DB" "INSERT INTO host (resource_group_id, ip, hostname, gmt_created, gmt_modified)
  SELECT $rg_id, $(sqlstr "$OMS_HOST_IP"), $(sqlstr "$(hostname)"), NOW(), NOW() FROM DUAL
  WHERE NOT EXISTS (SELECT 1 FROM host WHERE ip = $(sqlstr "$OMS_HOST_IP"))" || die "cannot register host $OMS_HOST_IP in $CM_DB.host"
[ -n "$UPGRADE" ] && [ -z "$(hb_init_row)" ] && log "waiting for metadata initialization: run bash /root/docker_init.sh in this container ($(versions))"

# --- main loop ------------------------------------------------------------------------------------------------------
write_checkpoint() {
  printf 'version=%s host=%s region=%s time=%s\n' "$OMS_VERSION" "$OMS_HOST_IP" "$REGION" "$(date '+%Y-%m-%dT%H:%M:%S')" \
    >"/home/ds/store/checkpoint-$OMS_HOST_IP.tmp" && mv -f "/home/ds/store/checkpoint-$OMS_HOST_IP.tmp" "/home/ds/store/checkpoint-$OMS_HOST_IP"
}

heartbeat() {
  local ipcol= ipval=
  ver_lt "$OMS_VERSION" 4.0.0 || { ipcol=', server_ip' && ipval=", $(sqlstr "$OMS_HOST_IP")"; }
  sql "$HB_DB" "INSERT INTO heatbeat_sequence (gmt_created, gmt_modified$ipcol) VALUES (NOW(), NOW()$ipval);
    INSERT INTO host_heartbeat (ip, version, gmt_heartbeat) VALUES ($(sqlstr "$OMS_HOST_IP"), '$OMS_VERSION', NOW(3))
    ON DUPLICATE KEY UPDATE version = VALUES(version), gmt_heartbeat = VALUES(gmt_heartbeat);
    $HA_SQL" 2>&1
}

# An upgrading service serves only once the metadata initialization ran with this node's config.yaml (once per
# shared config).
INIT_OK=
[ -n "$UPGRADE" ] || INIT_OK=1
ready() {
  [ -n "$INIT_OK" ] && return 0
  metadb_is "$OMS_VERSION" || return 1
  [ -n "$(hb_init_row)" ] || return 1
  INIT_OK=1
  log "metadata initialization found ($(versions))"
  return 0
}

# ha.config must stay valid JSON with every key and the type OMS expects: a bad write disables the service.
# Checked with every heartbeat (one client call per second does both).
HA_BOOL='enable enableHost enableStore enableConnector perceiveStoreClientCheckpoint'
HA_INT='checkRequestIntervalSec checkHostDownIntervalSec checkModuleExceptionIntervalSec subtopicStoreNumberThreshold refetchStoreIntervalMin clearAbnormalResourceHours'
HA_SQL="SELECT COALESCE((SELECT CASE WHEN NOT JSON_VALID(cfg_value) THEN 'not valid JSON'"
for k in $HA_BOOL; do HA_SQL="$HA_SQL WHEN COALESCE(JSON_TYPE(JSON_EXTRACT(cfg_value, '\$.$k')), 'MISSING') <> 'BOOLEAN' THEN '$k is missing or not a boolean'"; done
for k in $HA_INT; do HA_SQL="$HA_SQL WHEN COALESCE(JSON_TYPE(JSON_EXTRACT(cfg_value, '\$.$k')), 'MISSING') <> 'INTEGER' THEN '$k is missing or not an integer'"; done
HA_SQL="$HA_SQL ELSE '' END FROM $(ident "$RM_DB").oms_normal_config WHERE cfg_name = 'ha.config'), 'the row is missing')"
HA_BAD=

healthy=
fails=0
tick=0
announced_wait=
echo $$ >/home/ds/run/oms.pid
while [ "$RUNNING" = 1 ]; do
  if ! kill -0 "$HTTPD_PID" 2>/dev/null; then
    set_health false
    die "console server on port $CONSOLE_PORT exited"
  fi
  if [ -n "${MOUNTS_LOST:-}" ] || ! ready; then
    if [ -z "$INIT_OK" ] && [ -z "$announced_wait" ] && metadb_is "$OMS_VERSION"; then
      announced_wait=1
      log "ERROR: the MetaDB is at $OMS_VERSION but docker_init.sh never ran with this node's config.yaml (sha256 $CONF_SHA)"
    fi
  elif out=$(heartbeat); then
    fails=0
    if [ -n "$out" ]; then
      # Unhealthy first, then say why: whoever reads the log line must find the health already false.
      [ -n "$healthy" ] && set_health false
      healthy=
      [ "$out" != "$HA_BAD" ] && log "ERROR: system parameter ha.config in $RM_DB: $out"
      HA_BAD=$out
    elif [ -z "$healthy" ]; then
      HA_BAD=
      [ -n "$UPGRADE" ] || write_checkpoint
      printf 'version=%s\n' "$OMS_VERSION" >"/home/ds/run/oms-node-$OMS_HOST_IP"
      set_health true
      healthy=1
      log "OMS service start successfully"
    fi
  else
    fails=$((fails + 1))
    if [ "$fails" -ge 3 ] && [ -n "$healthy" ]; then
      healthy=
      set_health false
      log "ERROR: heartbeat to $HB_DB failed: $out"
    fi
  fi
  tick=$((tick + 1))
  if [ $((tick % 5)) = 0 ]; then
    if metadb_newer; then
      set_health false
      die "MetaDB schema changed under this OMS $OMS_VERSION ($(versions)): stopping"
    fi
    [ -n "$healthy" ] && write_checkpoint
  fi
  sleep 1 &
  wait $!
done
