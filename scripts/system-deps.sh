#!/usr/bin/env bash
# Install the Debian packages Hocso's PDF rendering and tests need, if any is missing.
# nginx and openssl are for the deployment test (tests/deployment), which runs its own nginx on
# loopback ports: the system nginx Debian would start on port 80 is kept from starting.
set -euo pipefail
needed=()
command -v chromium >/dev/null || needed+=(chromium)
command -v pdftotext >/dev/null || needed+=(poppler-utils)
command -v zbarimg >/dev/null || needed+=(zbar-tools)
command -v wrk >/dev/null || needed+=(wrk)  # bench/ratio.py
command -v npm >/dev/null || needed+=(nodejs npm)
command -v openssl >/dev/null || needed+=(openssl)
[[ -x /usr/sbin/nginx ]] || needed+=(nginx)
command -v redis-server >/dev/null || needed+=(redis-server)
command -v pg_dump >/dev/null && command -v pg_restore >/dev/null || needed+=(postgresql-client)
fc-list : family 2>/dev/null | grep -i dejavu >/dev/null || needed+=(fontconfig fonts-dejavu-core)
ldconfig -p | grep libpangoft2 >/dev/null || needed+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
if ((${#needed[@]} == 0)); then exit 0; fi
if [[ $(id -u) -ne 0 ]]; then
  echo "Missing system packages: ${needed[*]} (run: sudo apt-get install -y ${needed[*]})" >&2
  exit 1
fi
echo "Installing system packages: ${needed[*]}"
# Services these packages bring (nginx on :80, redis on :6379) must not start: the tests run
# their own on free ports. policy-rc.d tells invoke-rc.d and deb-systemd-invoke so.
created_policy=""
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  created_policy=1
fi
trap '[[ -n $created_policy ]] && rm -f /usr/sbin/policy-rc.d' EXIT
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${needed[@]}" >/dev/null
if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
  systemctl disable --now nginx >/dev/null 2>&1 || true
fi
