#!/bin/bash
# Simulated `bash /root/docker_init.sh` of families B and C (family D's images have none).
# C (4.2.9) adds the guide's two conditions: the container must have been up for the site's required wait (the guide
# says `sleep 300`; the simulated site's wait is in /home/ds/run/SIM_INIT_WAIT_SECONDS, 300 when absent), and the rm
# database must say, in oms_version, that the old version is at least 4.1.1 — otherwise the vendor's message
# "Version before 4.1.1 is not allowed to upgrade" (the guide's fix-up: create oms_version, write the old version).
set -u
OMS_LOG_NAME=docker_init.log
. /usr/local/lib/oms/common.sh

if [ "$FAMILY" = C ]; then
  wait_s=$(cat /home/ds/run/SIM_INIT_WAIT_SECONDS 2>/dev/null || echo 300)
  # No start mark yet: the service has only just started.
  started=$(cat /tmp/oms-started 2>/dev/null || date +%s)
  up=$(($(date +%s) - started))
  [ "$up" -ge "$wait_s" ] || die "docker_init.sh: OMS $OMS_VERSION has been up for ${up}s only; wait ${wait_s}s after the container starts before running docker_init.sh"
  load_conf
  old=$(sql "$RM_DB" 'SELECT version FROM oms_version ORDER BY gmt_modified DESC LIMIT 1' 2>/dev/null)
  old=${old%%-*}
  if [ -z "$old" ] || ver_lt "$old" 4.1.1; then
    die "Version before 4.1.1 is not allowed to upgrade"
  fi
  log "docker_init.sh: upgrading from $old (rm oms_version)"
fi
exec bash /usr/local/lib/oms/migrate.sh
