#!/usr/bin/env bash
# Debian packages the lab needs (sshd, docker engine, MariaDB, busybox for the simulated OMS image, sudo),
# plus the benchmark's peers (ansible-core, ansible-mitogen), GNU time (its memory figures), and chromium
# (the run report is opened in it by the tests and the benchmark, through playwright-core: never a downloaded browser).
set -euo pipefail
PKGS=(openssh-server openssh-client docker.io mariadb-server mariadb-client busybox-static jq sudo iproute2 util-linux curl openssl tar ansible-core ansible-mitogen time chromium)
missing=()
for p in "${PKGS[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
