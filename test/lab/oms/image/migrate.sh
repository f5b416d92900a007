#!/bin/bash
# Simulated OMS metadata initialization: the schema change of this image's version ($OMS_VERSION) on the MetaDB.
# Families B and C run it as `bash /root/docker_init.sh` (after that script's own checks); family D's entrypoint runs
# it on start when IS_UPGRADE=true (MIGRATE_ON_START=1).
# rm and cm are shared by all regions: changed when not yet at this version. The region's heartbeat database records
# the config.yaml fingerprint: with docker_init.sh, a second run with the same config.yaml fails (nodes sharing one
# config.yaml run it once per region, as running the real script twice would damage the metadata); on start (D) it
# is skipped instead, since every node starts the same way.
# The change of each version: 4.0.0's columns (rm cluster_info.cm_api_version, cm host.server_version, cm_hb
# heatbeat_sequence.server_ip) when missing, a column named after the version (schema_4_2_9) in each database,
# cm host.server_version set to the version, and rm oms_version (from 4.1.1) set to "<version>-CE".
# Failure injection: a file /home/ds/run/FAIL_DOCKER_INIT (host: <oms_run mount>/FAIL_DOCKER_INIT) or the env
# OMS_SIM_FAIL_DOCKER_INIT makes it fail halfway; its content / value names the step to fail before:
# "rm", "cm" or "cm_hb" (default "cm_hb": rm and cm are changed, the heartbeat database is not); "cm_hb once" fails
# one run only.
set -u
OMS_LOG_NAME=${OMS_LOG_NAME:-docker_init.log}
. /usr/local/lib/oms/common.sh
V=$OMS_VERSION
on_start=${MIGRATE_ON_START:-}

[ -n "$FAMILY" ] || die "docker_init.sh: nothing upgrades to OMS $V"
[ -n "${OMS_HOST_IP:-}" ] || die "docker_init.sh: OMS_HOST_IP is not set"
load_conf
sql "$RM_DB" 'SELECT 1' >/dev/null || die "docker_init.sh: cannot connect to the MetaDB $META_HOST:$META_PORT"

fail_at=${OMS_SIM_FAIL_DOCKER_INIT:-}
once=
# FAIL_DOCKER_INIT-<version> fails only that version's migration (a later hop of a multi-hop upgrade).
marker=/home/ds/run/FAIL_DOCKER_INIT
[ -f "$marker-$V" ] && marker="$marker-$V"
if [ -f "$marker" ]; then
  read -r fail_at once <"$marker" || true
  fail_at=${fail_at:-cm_hb}
fi
case "$fail_at" in 1 | true) fail_at=cm_hb ;; esac
# The marker "STEP once" fails a single run (the marker is removed), for retry tests.
inject() {
  [ "$fail_at" = "$1" ] || return 0
  [ "$once" = once ] && rm -f "$marker"
  die "docker_init.sh: schema change of $2 failed (injected failure)"
}

log "docker_init.sh: OMS $V metadata initialization for region $REGION on $OMS_HOST_IP (config.yaml sha256 $CONF_SHA)"

done_before=$(hb_init_row)
if [ -n "$done_before" ]; then
  [ -n "$on_start" ] && { log "docker_init.sh: $HB_DB already initialized with this config.yaml by $done_before"; exit 0; }
  die "docker_init.sh: $HB_DB was already initialized with this config.yaml by $done_before; nodes of a region that share one config.yaml must run docker_init.sh only once"
fi

by=$(sqlstr "$OMS_HOST_IP")
has_column() {
  [ "$(sql "$1" "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = $(sqlstr "$2") AND column_name = $(sqlstr "$3")")" = 1 ]
}
# add_column DB TABLE COLUMN DEFINITION: when missing (nodes migrating at once may race: the loser finds it there).
add_column() {
  has_column "$1" "$2" "$3" && return 0
  sql "$1" "ALTER TABLE $2 ADD COLUMN $3 $4" 2>/dev/null || has_column "$1" "$2" "$3"
}
COL=$(schema_col "$V")

# rm: shared by all regions.
inject rm "$RM_DB"
if [ "$(schema_version "$RM_DB")" = "$V" ]; then
  log "docker_init.sh: $RM_DB already at $V"
else
  add_column "$RM_DB" cluster_info cm_api_version "varchar(16) NOT NULL DEFAULT 'v2'" || die "docker_init.sh: altering $RM_DB failed"
  [ "$V" = 4.0.0 ] || add_column "$RM_DB" cluster_info "$COL" "tinyint NOT NULL DEFAULT 1" || die "docker_init.sh: altering $RM_DB failed"
  if ! ver_lt "$V" 4.1.1; then
    sql "$RM_DB" "CREATE TABLE IF NOT EXISTS oms_version (version varchar(64) NOT NULL PRIMARY KEY, gmt_modified timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP);
      DELETE FROM oms_version; INSERT INTO oms_version (version) VALUES ('$V-CE')" || die "docker_init.sh: $RM_DB oms_version failed"
  fi
  sql "$RM_DB" "INSERT INTO schema_version (version, applied_by, gmt_created) VALUES ($(sqlstr "$V"), $by, NOW())" || die "docker_init.sh: $RM_DB version row failed"
  log "docker_init.sh: $RM_DB upgraded to $V"
fi

# cm: shared by all regions.
inject cm "$CM_DB"
if [ "$(schema_version "$CM_DB")" = "$V" ]; then
  log "docker_init.sh: $CM_DB already at $V"
else
  add_column "$CM_DB" host server_version "varchar(32) NULL" || die "docker_init.sh: altering $CM_DB failed"
  [ "$V" = 4.0.0 ] || add_column "$CM_DB" host "$COL" "tinyint NOT NULL DEFAULT 1" || die "docker_init.sh: altering $CM_DB failed"
  sql "$CM_DB" "UPDATE host SET server_version = $(sqlstr "$V")" || die "docker_init.sh: altering $CM_DB failed"
  sql "$CM_DB" "INSERT INTO schema_version (version, applied_by, gmt_created) VALUES ($(sqlstr "$V"), $by, NOW())" || die "docker_init.sh: $CM_DB version row failed"
  log "docker_init.sh: $CM_DB upgraded to $V"
fi

# cm_hb: this region's heartbeat database, once per config.yaml.
inject cm_hb "$HB_DB"
add_column "$HB_DB" heatbeat_sequence server_ip "varchar(64) NULL" || die "docker_init.sh: altering $HB_DB failed"
[ "$V" = 4.0.0 ] || add_column "$HB_DB" heatbeat_sequence "$COL" "tinyint NOT NULL DEFAULT 1" || die "docker_init.sh: altering $HB_DB failed"
sql "$HB_DB" "INSERT INTO schema_version (version, config_sha, applied_by, gmt_created) VALUES ($(sqlstr "$V"), $(sqlstr "$CONF_SHA"), $by, NOW())" ||
  die "docker_init.sh: $HB_DB version row failed"
log "docker_init.sh: $HB_DB upgraded to $V"
log "docker_init.sh: metadata initialization finished for region $REGION"
