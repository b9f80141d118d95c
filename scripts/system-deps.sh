#!/usr/bin/env bash
# Install the Debian packages Hocso's PDF rendering and tests need, if any is missing.
set -euo pipefail
needed=()
command -v chromium >/dev/null || needed+=(chromium)
command -v pdftotext >/dev/null || needed+=(poppler-utils)
command -v zbarimg >/dev/null || needed+=(zbar-tools)
command -v wrk >/dev/null || needed+=(wrk)  # bench/ratio.py
command -v npm >/dev/null || needed+=(nodejs npm)
command -v pg_dump >/dev/null && command -v pg_restore >/dev/null || needed+=(postgresql-client)
fc-list : family 2>/dev/null | grep -i dejavu >/dev/null || needed+=(fontconfig fonts-dejavu-core)
ldconfig -p | grep libpangoft2 >/dev/null || needed+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
if ((${#needed[@]} == 0)); then exit 0; fi
if [[ $(id -u) -ne 0 ]]; then
  echo "Missing system packages: ${needed[*]} (run: sudo apt-get install -y ${needed[*]})" >&2
  exit 1
fi
echo "Installing system packages: ${needed[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${needed[@]}" >/dev/null
