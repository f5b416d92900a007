#!/usr/bin/env bash
# Cold start-up of the built CLI (issue 15, "Engine start-up"): `node -e 0` as the floor, `omsplay --version`,
# `omsplay validate` of the shipped upgrade playbook against a three-host, two-region inventory, and a run of one
# local `command` task. Each is a new process; hyperfine (Debian package `hyperfine`) takes the timings, and
# valgrind (Debian package `valgrind`, when installed) counts the instructions each executes once: a figure that
# does not move with the machine's load, where wall and CPU times on a shared 2-core machine do.
#   bash bench/startup.sh [OUT.md] [RUNS] [OTHER_CHECKOUT]
# OUT.md: write a table there (median, min, CPU, instructions); RUNS: default 20 after 3 warm-ups; OTHER_CHECKOUT:
# a built checkout of another version (e.g. before a change), measured in the same sitting right after this one.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-}
runs=${2:-20}
other=${3:-}
command -v hyperfine >/dev/null || apt-get install -y --no-install-recommends hyperfine >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/key"   # validate checks that the key file exists; it never reads it
cat >"$tmp/inv.yml" <<YAML
vars: {oms_old_container: oms-old, oms_new_container: oms-new, oms_target_version: 4.0.0-CE,
       oms_image_tar: /data/oms/oms-4.0.0-ce.tar.gz, oms_backup_dir: /var/backups/oms}
connection: {user: root, key_file: $tmp/key}
regions:
  hangzhou: {hosts: {oms-hz-1: {address: 10.0.0.11}, oms-hz-2: {address: 10.0.0.12}}}
  shanghai: {hosts: {oms-sh-1: {address: 10.0.1.11}}}
groups: {oms: {hosts: [oms-hz-1, oms-hz-2, oms-sh-1]}}
YAML
printf 'regions: {local: {hosts: {ctl: {connection: local}}}}\n' >"$tmp/local.yml"
printf -- '- name: one task\n  hosts: all\n  tasks:\n    - name: nothing\n      command: ["true"]\n' >"$tmp/one.yml"
export OMSPLAY_HOME="$tmp/home"
node bin/omsplay.js validate playbooks/upgrade.yml -i "$tmp/inv.yml" >/dev/null
node bin/omsplay.js run "$tmp/one.yml" -i "$tmp/local.yml" --plain >/dev/null
names=('node -e 0')
lines=('node -e 0')
for repo in "$PWD" ${other:+"$other"}; do
  tag=''
  [ "$repo" != "$PWD" ] && tag=" [$(basename "$repo")]"
  names+=("omsplay --version$tag" "omsplay validate upgrade.yml (3 hosts)$tag" "omsplay run, one local task$tag")
  lines+=("node $repo/bin/omsplay.js --version"
    "node $repo/bin/omsplay.js validate $repo/playbooks/upgrade.yml -i $tmp/inv.yml"
    "node $repo/bin/omsplay.js run $tmp/one.yml -i $tmp/local.yml --plain")
done
cmds=()
for i in "${!names[@]}"; do cmds+=(-n "${names[$i]}" "${lines[$i]}"); done
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
hyperfine --warmup 3 --runs "$runs" -N --export-json "$tmp/times.json" "${cmds[@]}"
: >"$tmp/instructions"
if command -v valgrind >/dev/null; then
  for i in "${!names[@]}"; do
    # shellcheck disable=SC2086
    n=$(valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null ${lines[$i]} 2>&1 >/dev/null | sed -n 's/.*I *refs: *//p' | tr -d ,)
    echo "${names[$i]}	$n" >>"$tmp/instructions"
  done
fi
if [ -n "$out" ]; then
  node -e '
    const fs = require("fs");
    const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")).results;
    const ins = new Map(fs.readFileSync(process.argv[2], "utf8").split("\n").filter(Boolean).map((l) => l.split("\t")));
    const ms = (s) => (s * 1000).toFixed(0);
    const floor = Number(ins.get("node -e 0"));
    const m = (n) => (n ? `${(n / 1e6).toFixed(0)} M (+${((n - floor) / 1e6).toFixed(0)} M)` : "—");
    const rows = r.map((x) => `| ${x.command} | ${ms(x.median)} | ${ms(x.min)} | ${ms(x.user + x.system)} | ${m(Number(ins.get(x.command)))} |`);
    console.log(["| command | median ms | min ms | CPU ms (user+sys, mean) | instructions (over node -e 0) |", "|---|---:|---:|---:|---:|", ...rows].join("\n"));
  ' "$tmp/times.json" "$tmp/instructions" >"$tmp/table.md"
  { echo "node $(node --version), $(nproc) cores, $runs runs each after 3 warm-ups (hyperfine -N), load average $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"; echo; cat "$tmp/table.md"; } >"$out"
fi
