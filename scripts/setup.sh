#!/usr/bin/env bash
# Install everything wijkgram needs on Debian 12, and nothing twice.
#   scripts/setup.sh          system packages (PostgreSQL 15 + PostGIS + pgRouting, osmium, osm2pgsql) and .venv
#   scripts/setup.sh --test   also what the tests need: Chromium, npm and the Meilisearch binary
# Runs as root (CI, containers) or as a user with sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

packages=(postgresql-15 postgresql-15-postgis-3 postgresql-15-pgrouting postgresql-contrib
          python3 python3-venv python3-dev build-essential osmium-tool osm2pgsql curl ca-certificates)
[ "$want_test" = 1 ] && packages+=(chromium npm)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# npm may come from elsewhere than Debian (nodesource, nvm); any working npm will do.
if [ "$want_test" = 1 ] && command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/npm}")
fi
missing=($(printf '%s\n' "${missing[@]}" | sed '/^$/d'))

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "setup: need root to install ${missing[*]}; run: apt-get install ${missing[*]}" >&2; exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The virtualenv, reinstalled only when pyproject.toml changed.
stamp=.venv/.wijkgram-installed
sum=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
  echo "setup: creating .venv and installing wijkgram"
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e '.[dev]'
  echo "$sum" > "$stamp"
fi

# The page texts: compile the gettext catalogues (web/locale/*/LC_MESSAGES/messages.mo). Without
# them the app compiles the .po in memory at start-up, so this only saves that moment.
.venv/bin/pybabel -q compile -d web/locale -D messages

if [ "$want_test" = 1 ]; then
  scripts/install-meilisearch.sh
fi
echo "setup: ready"
