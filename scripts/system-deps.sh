#!/usr/bin/env bash
# Installs what the tests need from Debian when it is missing: the PostgreSQL server binaries
# (for the throwaway test cluster), Chromium (for the browser tests) and a Chinese font
# (fonts-wqy-microhei, for readable screenshots), nginx, curl, openssl and systemd-analyze (the deployment test puts two app processes
# behind it, tests/system/test_deploy.py). Needs root for apt.
set -euo pipefail
need=()
if ! command -v pg_ctl >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  need+=(postgresql)
fi
if [ ! -x "${GRIDGOV_CHROMIUM:-/usr/bin/chromium}" ]; then
  need+=(chromium)
fi
# A Chinese font, so that the pages' screenshots (test artefacts, the user guide's images) show text, not boxes.
if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  need+=(fonts-wqy-microhei)
fi
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  need+=(nginx)
fi
# The deployment test also fetches through nginx with curl, makes its certificate with openssl and
# checks the systemd units with systemd-analyze.
for tool in curl openssl; do
  command -v "$tool" >/dev/null 2>&1 || need+=("$tool")
done
if ! command -v systemd-analyze >/dev/null 2>&1; then
  need+=(systemd)
fi
if ! command -v runuser >/dev/null 2>&1; then
  need+=(util-linux)
fi
[ ${#need[@]} -eq 0 ] && exit 0
echo "安装测试所需的系统软件包：${need[*]}"
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian starts the nginx it installs; the tests run their own. Without systemd (a container) nothing
# would ever stop it, so stop the one the package just started.
if [[ " ${need[*]} " == *" nginx "* ]] && [ ! -d /run/systemd/system ] && [ -s /run/nginx.pid ]; then
  $SUDO /usr/sbin/nginx -s quit || true
fi
