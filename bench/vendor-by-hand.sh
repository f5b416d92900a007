#!/usr/bin/env bash
# The vendor's upgrade (and rollback) of OMS done by hand, as an operator following the multi-node guide would:
# one step after another, host after host, with ssh, docker, mysql and mysqldump. The benchmark times it beside
# omsplay's run on the same site in the same sitting (bench/by-hand.ts writes the site file this reads).
#
#   bench/vendor-by-hand.sh upgrade  SITE_FILE
#   bench/vendor-by-hand.sh rollback SITE_FILE BACKUP_DIR
#
# Every step prints `STEP <name> <epoch ms>` when it starts, and `T1`/`T2` (upgrade) or `T3`/`T4` (rollback)
# mark the outage. The site file defines:
#   SSH_KEY, SSH_KNOWN_HOSTS           the operator's key and known_hosts
#   HOSTS=("name address port region" ...)   every OMS node, in the order the guide's operator works through them
#   REGIONS=(name ...), HB_DB_<region>=cm_hb_x
#   OLD, NEW                           container names; NEW_IMAGE_TAR: the image tar on every host
#   RM, CM                             databases; MYCNF: a 0600 option file with the MetaDB login (the password never
#                                      reaches a command line, unlike the guide's `-p<password>`)
#   BACKUP_DIR                         where the dumps go (upgrade)
set -euo pipefail

mode=${1:?upgrade or rollback}
# shellcheck source=/dev/null
source "${2:?site file}"

now() { date +%s%3N; }
step() { echo "STEP $1 $(now)"; }
mark() { echo "$1 $(now)"; }
on() { # on HOSTLINE COMMAND...: run a command on a host over ssh, as root (the guide's `sudo docker ...`)
  local line=$1; shift
  local -a h; read -r -a h <<<"$line"
  ssh -q -o BatchMode=yes -o UserKnownHostsFile="$SSH_KNOWN_HOSTS" -o StrictHostKeyChecking=yes \
    -i "$SSH_KEY" -p "${h[2]}" "root@${h[1]}" "$@"
}
sql() { mysql --defaults-extra-file="$MYCNF" --batch --skip-column-names "$@"; }
first_of_region() { local r=$1 line; for line in "${HOSTS[@]}"; do read -r -a h <<<"$line"; [[ ${h[3]} == "$r" ]] && { echo "$line"; return; }; done; }
all_dbs() { echo "$RM" "$CM"; local r v; for r in "${REGIONS[@]}"; do v="HB_DB_$r"; echo "${!v}"; done; }
ha_set() { # the console's edit of ha.config, done in SQL: enable (true|false) and, when given, refetchStoreIntervalMin
  local extra=""
  [[ -n ${2:-} ]] && extra=", '\$.refetchStoreIntervalMin', $2"
  sql -e "UPDATE \`$RM\`.oms_normal_config SET cfg_value = JSON_SET(cfg_value, '\$.enable', JSON_EXTRACT('$1', '\$')$extra) WHERE cfg_name = 'ha.config'"
}
wait_healthy() { # the console answers and says healthy (the guide: log on to the console)
  local line=$1 i
  for i in $(seq 1 600); do
    if on "$line" "curl -fsS -m 5 http://127.0.0.1:8089/oms/health || curl -kfsS -m 5 https://127.0.0.1:8089/oms/health" 2>/dev/null | grep -q '"healthy" *: *true'; then return 0; fi
    sleep 1
  done
  echo "host ${line%% *} never became healthy" >&2; return 1
}

upgrade() {
  step "Disable HA"; ha_set false
  mark T1
  step "Stop old containers"
  for line in "${HOSTS[@]}"; do on "$line" docker stop "$OLD" >/dev/null; done
  step "Clean heartbeat"
  for r in "${REGIONS[@]}"; do
    v="HB_DB_$r"; max=$(sql -D "${!v}" -e "SELECT MAX(id) FROM heatbeat_sequence")
    [[ $max == NULL ]] || sql -D "${!v}" -e "DELETE FROM heatbeat_sequence WHERE id < $max"
  done
  step "Back up"
  mkdir -p "$BACKUP_DIR"
  for db in $(all_dbs); do
    mysqldump --defaults-extra-file="$MYCNF" --triggers=false "$db" >"$BACKUP_DIR/$db.sql"
    [[ -s $BACKUP_DIR/$db.sql ]] || { echo "empty dump of $db" >&2; exit 1; }
  done
  step "Load image"
  for line in "${HOSTS[@]}"; do on "$line" docker load -i "$NEW_IMAGE_TAR" >/dev/null; done
  step "Start new containers"
  for line in "${HOSTS[@]}"; do
    read -r -a h <<<"$line"
    # The guide: the same three mounts as the old container (docker inspect | grep -A5 Binds).
    binds=$(on "$line" docker inspect -f "'{{range .HostConfig.Binds}}-v {{.}} {{end}}'" "$OLD")
    on "$line" docker run -dit --net host $binds -e OMS_HOST_IP="${h[1]}" -e IS_UPGRADE=true --privileged \
      --pids-limit -1 --ulimit nproc=65535:65535 --restart always --name "$NEW" "$NEW_IMAGE" >/dev/null
  done
  step "docker_init.sh"
  for r in "${REGIONS[@]}"; do on "$(first_of_region "$r")" docker exec "$NEW" bash /root/docker_init.sh >/dev/null; done
  step "Verify"
  for line in "${HOSTS[@]}"; do wait_healthy "$line"; done
  step "Enable HA"; ha_set true 60
  mark T2
}

rollback() {
  local dir=${3:?backup dir}
  mark T3
  step "Stop new containers"
  for line in "${HOSTS[@]}"; do on "$line" docker stop "$NEW" >/dev/null; done
  step "Restore"
  for db in $(all_dbs); do
    sql -e "DROP DATABASE \`$db\`; CREATE DATABASE \`$db\`"
    sql -D "$db" <"$dir/$db.sql"
  done
  step "Remove new containers"
  for line in "${HOSTS[@]}"; do on "$line" docker rm "$NEW" >/dev/null; done
  step "Start old containers"
  for line in "${HOSTS[@]}"; do on "$line" docker start "$OLD" >/dev/null; done
  step "Verify"
  for line in "${HOSTS[@]}"; do wait_healthy "$line"; done
  mark T4
}

case $mode in
  upgrade) upgrade ;;
  rollback) rollback "$@" ;;
  *) echo "usage: $0 upgrade|rollback SITE_FILE [BACKUP_DIR]" >&2; exit 2 ;;
esac
