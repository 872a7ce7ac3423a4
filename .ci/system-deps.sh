#!/usr/bin/env bash
# Installs what the tests need from Debian when it is missing: Chromium (browser tests) and the
# PostgreSQL server binaries (database tests start their own server), npm (axe-core) and a Java
# runtime (ODK Validate, bundled with pyxform, checks our XLSForm exports). Needs root to install.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql)
command -v npm >/dev/null 2>&1 || need+=(npm)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "missing: ${need[*]} - install them (apt-get install ${need[*]}) or run make test as root" >&2
  exit 1
fi
echo "installing ${need[*]} from Debian"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
