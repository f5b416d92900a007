#!/bin/bash
# Simulated OMS 4.0.0 metadata initialization (the procedure's `bash /root/docker_init.sh`).
# Applies the 4.0.0 schema change to rm and cm (shared by all regions: applied when not yet there) and to this
# region's heartbeat database, recording the config.yaml fingerprint. Nodes that share one config.yaml must run it
# once: a second run with the same config.yaml fails, as running the real script twice would damage the metadata.
# Failure injection: a file /home/ds/run/FAIL_DOCKER_INIT (host: <oms_run mount>/FAIL_DOCKER_INIT) or the env
# OMS_SIM_FAIL_DOCKER_INIT makes it fail halfway; its content / value names the step to fail before:
# "rm", "cm" or "cm_hb" (default "cm_hb": rm and cm are changed, the heartbeat database is not); "cm_hb once" fails
# one run only.
set -u
OMS_LOG_NAME=docker_init.log
. /usr/local/lib/oms/common.sh

[ "$OMS_VERSION" = 4.0.0 ] || die "docker_init.sh: this image is OMS $OMS_VERSION"
[ -n "${OMS_HOST_IP:-}" ] || die "docker_init.sh: OMS_HOST_IP is not set"
load_conf
sql "$RM_DB" 'SELECT 1' >/dev/null || die "docker_init.sh: cannot connect to the MetaDB $META_HOST:$META_PORT"

fail_at=${OMS_SIM_FAIL_DOCKER_INIT:-}
once=
if [ -f /home/ds/run/FAIL_DOCKER_INIT ]; then
  read -r fail_at once </home/ds/run/FAIL_DOCKER_INIT || true
  fail_at=${fail_at:-cm_hb}
fi
case "$fail_at" in 1 | true) fail_at=cm_hb ;; esac
# The marker "STEP once" fails a single run (the marker is removed), for retry tests.
inject() {
  [ "$fail_at" = "$1" ] || return 0
  [ "$once" = once ] && rm -f /home/ds/run/FAIL_DOCKER_INIT
  die "docker_init.sh: schema change of $2 failed (injected failure)"
}

log "docker_init.sh: OMS 4.0.0 metadata initialization for region $REGION on $OMS_HOST_IP (config.yaml sha256 $CONF_SHA)"

done_before=$(hb_init_row)
[ -z "$done_before" ] || die "docker_init.sh: $HB_DB was already initialized with this config.yaml by $done_before; nodes of a region that share one config.yaml must run docker_init.sh only once"

by=$(sqlstr "$OMS_HOST_IP")
has_column() {
  [ "$(sql "$1" "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = $(sqlstr "$2") AND column_name = $(sqlstr "$3")")" = 1 ]
}

# rm: shared by all regions.
inject rm "$RM_DB"
if [ "$(schema_version "$RM_DB")" = 4.0.0 ]; then
  log "docker_init.sh: $RM_DB already at 4.0.0"
else
  has_column "$RM_DB" cluster_info cm_api_version ||
    sql "$RM_DB" "ALTER TABLE cluster_info ADD COLUMN cm_api_version varchar(16) NOT NULL DEFAULT 'v2'" || die "docker_init.sh: altering $RM_DB failed"
  sql "$RM_DB" "INSERT INTO schema_version (version, applied_by, gmt_created) VALUES ('4.0.0', $by, NOW())" || die "docker_init.sh: $RM_DB version row failed"
  log "docker_init.sh: $RM_DB upgraded to 4.0.0"
fi

# cm: shared by all regions.
inject cm "$CM_DB"
if [ "$(schema_version "$CM_DB")" = 4.0.0 ]; then
  log "docker_init.sh: $CM_DB already at 4.0.0"
else
  has_column "$CM_DB" host server_version ||
    sql "$CM_DB" "ALTER TABLE host ADD COLUMN server_version varchar(32) NULL; UPDATE host SET server_version = '4.0.0'" || die "docker_init.sh: altering $CM_DB failed"
  sql "$CM_DB" "INSERT INTO schema_version (version, applied_by, gmt_created) VALUES ('4.0.0', $by, NOW())" || die "docker_init.sh: $CM_DB version row failed"
  log "docker_init.sh: $CM_DB upgraded to 4.0.0"
fi

# cm_hb: this region's heartbeat database, once per config.yaml.
inject cm_hb "$HB_DB"
has_column "$HB_DB" heatbeat_sequence server_ip ||
  sql "$HB_DB" "ALTER TABLE heatbeat_sequence ADD COLUMN server_ip varchar(64) NULL" || die "docker_init.sh: altering $HB_DB failed"
sql "$HB_DB" "INSERT INTO schema_version (version, config_sha, applied_by, gmt_created) VALUES ('4.0.0', $(sqlstr "$CONF_SHA"), $by, NOW())" ||
  die "docker_init.sh: $HB_DB version row failed"
log "docker_init.sh: $HB_DB upgraded to 4.0.0"
log "docker_init.sh: metadata initialization finished for region $REGION"
