# Shared helpers of the simulated OMS image (sourced by the entrypoint and by /root/docker_init.sh).
# Reads config.yaml the way OMS does (top-level keys, cm_nodes list), talks to the MetaDB with the mariadb client.
# The MetaDB password travels in MYSQL_PWD only, never on a command line.

OMS_CONF=${OMS_CONF:-/home/admin/conf/config.yaml}
OMS_LOG_DIR=/home/admin/logs
OMS_VERSION=$(cat /etc/oms-release 2>/dev/null)
export OMS_VERSION
# The upgrade this version's guide documents (from the project's upgrade graph, written at build time):
# FAMILY (B, C, D; empty when nothing upgrades to this version) and SOURCES (the versions it upgrades from).
FAMILY=
SOURCES=
[ -f /etc/oms-upgrade ] && . /etc/oms-upgrade

# ver_cmp A B: -1, 0 or 1 comparing dotted versions numerically (an empty version is the oldest).
ver_cmp() {
  local IFS=. i x y
  local -a a=(${1:-0}) b=(${2:-0})
  for i in 0 1 2; do
    x=${a[i]:-0} y=${b[i]:-0}
    ((10#$x < 10#$y)) && { echo -1; return; }
    ((10#$x > 10#$y)) && { echo 1; return; }
  done
  echo 0
}
ver_lt() { [ "$(ver_cmp "$1" "$2")" = -1 ]; }
ver_gt() { [ "$(ver_cmp "$1" "$2")" = 1 ]; }
# is_source V: V is a version this one's guide upgrades from.
is_source() { case " $SOURCES " in *" $1 "*) return 0 ;; esac; return 1; }
# guide_notice: what this version's upgrade guide says about the versions that upgrade to it, in the vendor's words
# (oceanbase/oms-doc, branches V4.0.0 ... V4.2.2: the FAQ of 4.0.0/4.1.0, the notice of 4.1.1, the overview of 4.2.x);
# empty where we do not hold the guide's text. The containers quote it when they refuse an undocumented edge.
guide_notice() {
  local only='Currently, it is only supported to upgrade from OMS Community Edition V%s to Community Edition V%s. Upgrading from versions lower than Community Edition V%s to Community Edition V%s is not supported.'
  case "$OMS_VERSION" in
    4.0.0) echo 'OMS V3.2.2-CE, V3.3.0-CE and V3.3.1-CE can be directly upgraded to OMS V4.0.0-CE.' ;;
    4.1.0) echo 'OMS V3.2.2-CE, V3.3.0-CE, V3.3.1-CE and V4.0.0-CE can be directly upgraded to OMS V4.1.0-CE.' ;;
    4.1.1) echo 'OceanBase Migration Service (OMS) Community Edition V4.1.1 only supports direct deployment. It is not supported to upgrade to V4.1.1 from lower versions.' ;;
    4.2.0) printf "$only\n" 4.1.1 4.2.0 4.1.1 4.2.0 ;;
    4.2.1) printf "$only\n" 4.2.0 4.2.1 4.2.0 4.2.1 ;;
    4.2.2) printf "$only\n" 4.2.1 4.2.2 4.2.1 4.2.2 ;;
  esac
}
# schema_col VERSION: the column each version's schema change adds (4.2.9 -> schema_4_2_9).
schema_col() { printf 'schema_%s' "${1//./_}"; }

# log MESSAGE: plain line on stdout (docker logs; health checks compare the last line exactly) and a dated line in
# the logs mount.
log() {
  printf '%s\n' "$*"
  printf '%s [%s] %s\n' "$(date '+%Y-%m-%d %H:%M:%S')" "$OMS_VERSION" "$*" >>"$OMS_LOG_DIR/${OMS_LOG_NAME:-oms-service.log}" 2>/dev/null || true
}
die() {
  log "ERROR: $*"
  exit 1
}

# conf_get KEY: value of a top-level scalar key of config.yaml (plain, 'single' or "double" quoted). Fails when absent.
conf_get() {
  awk -v want="$1" -v q="'" '
  function unquote(v,   c, out, i, ch, n) {
    sub(/^[ \t]+/, "", v)
    c = substr(v, 1, 1)
    if (c == q) {
      v = substr(v, 2); out = ""
      while (1) {
        i = index(v, q)
        if (i == 0) return out v
        out = out substr(v, 1, i - 1)
        if (substr(v, i + 1, 1) != q) return out
        out = out q; v = substr(v, i + 2)
      }
    }
    if (c == "\"") {
      out = ""; n = length(v)
      for (i = 2; i <= n; i++) {
        ch = substr(v, i, 1)
        if (ch == "\"") return out
        if (ch == "\\") {
          i++; ch = substr(v, i, 1)
          if (ch == "n") ch = "\n"; else if (ch == "t") ch = "\t"
        }
        out = out ch
      }
      return out
    }
    sub(/[ \t]+#.*$/, "", v); sub(/[ \t\r]+$/, "", v)
    return v
  }
  index($0, want ":") == 1 { print unquote(substr($0, length(want) + 2)); found = 1; exit }
  END { if (!found) exit 1 }' "$OMS_CONF"
}

# conf_list KEY: items of a top-level list key, one per line (block "- a" items or a flow [a, b] list).
conf_list() {
  awk -v want="$1" '
  function clean(v) { gsub(/^[ \t]+|[ \t\r]+$/, "", v); gsub(/^["\047]|["\047]$/, "", v); return v }
  inlist && /^[ \t]*-[ \t]*/ { v = $0; sub(/^[ \t]*-[ \t]*/, "", v); print clean(v); next }
  inlist && /^[^ \t#]/ { exit }
  index($0, want ":") == 1 {
    v = substr($0, length(want) + 2); gsub(/^[ \t]+|[ \t\r]+$/, "", v)
    if (v ~ /^\[/) { gsub(/^\[|\]$/, "", v); n = split(v, a, ","); for (i = 1; i <= n; i++) if (clean(a[i]) != "") print clean(a[i]); exit }
    if (v != "") { print clean(v); exit }
    inlist = 1
  }' "$OMS_CONF"
}

# load_conf: the MetaDB coordinates and region keys this simulation uses.
load_conf() {
  [ -f "$OMS_CONF" ] || die "config file $OMS_CONF not found: mount the region's config.yaml at /home/admin/conf/config.yaml"
  local k
  for k in oms_meta_host oms_meta_port oms_meta_user oms_meta_password drc_rm_db drc_cm_db drc_cm_heartbeat_db cm_region cm_location; do
    conf_get "$k" >/dev/null || die "config.yaml has no key $k"
  done
  META_HOST=$(conf_get oms_meta_host)
  META_PORT=$(conf_get oms_meta_port)
  META_USER=$(conf_get oms_meta_user)
  MYSQL_PWD=$(conf_get oms_meta_password)
  export MYSQL_PWD
  RM_DB=$(conf_get drc_rm_db)
  CM_DB=$(conf_get drc_cm_db)
  HB_DB=$(conf_get drc_cm_heartbeat_db)
  REGION=$(conf_get cm_region)
  CONSOLE_PORT=$(conf_get nginx_server_port 2>/dev/null || echo 8089)
  # The console's nginx listens with ssl only when the site enables it; a certificate mounted on a site that ends
  # TLS in front of OMS (a load balancer) is left unused and the console answers plain HTTP.
  CONSOLE_SSL=$(conf_get nginx_ssl_enabled 2>/dev/null || echo false)
  CM_NODES=$(conf_list cm_nodes)
  # Nodes sharing one config.yaml share this fingerprint; docker_init.sh runs once per fingerprint.
  CONF_SHA=$(sha256sum "$OMS_CONF" | awk '{print $1}')
}

# sqlstr VALUE: VALUE as a quoted SQL string literal.
sqlstr() {
  local q="'" b='\' v
  v=${1//"$b"/"$b$b"}
  printf "'%s'" "${v//"$q"/"$q$q"}"
}
# ident NAME: NAME as a quoted SQL identifier.
ident() {
  local t='`'
  printf '`%s`' "${1//"$t"/"$t$t"}"
}

# sql DB STATEMENTS: run statements in DB; tab-separated rows without headers on stdout.
sql() {
  mariadb --protocol=TCP -h "$META_HOST" -P "$META_PORT" -u "$META_USER" --connect-timeout=5 -N -B -D "$1" -e "$2"
}

# schema_version DB: the last schema version recorded in DB (empty when the table is missing).
schema_version() {
  sql "$1" 'SELECT version FROM schema_version ORDER BY id DESC LIMIT 1' 2>/dev/null
}

# hb_initialized: whether docker_init.sh ran for this config.yaml in the region's heartbeat database.
hb_init_row() {
  sql "$HB_DB" "SELECT CONCAT(applied_by, ' at ', gmt_created) FROM schema_version WHERE version = $(sqlstr "$OMS_VERSION") AND config_sha = $(sqlstr "$CONF_SHA") LIMIT 1" 2>/dev/null
}

is_mount() { awk -v m="$1" '$5 == m { f = 1 } END { exit !f }' /proc/self/mountinfo; }
port_busy() { netstat -ltn 2>/dev/null | awk -v p="$1" '{ n = split($4, a, ":"); if (a[n] == p) f = 1 } END { exit !f }'; }
