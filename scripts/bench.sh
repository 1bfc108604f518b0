#!/usr/bin/env bash
# Run the benchmarks and print their numbers (README: "Benchmarks").
#   scripts/bench.sh            every benchmark found in bench/
#   scripts/bench.sh load ...   one of them, with its own arguments
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
# The load benchmark drives the server with wrk, a compiled generator (Debian package).
if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  echo "bench: installing wrk"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends wrk >/dev/null \
    || { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null; }
fi
if [ $# -gt 0 ]; then
  name=$1; shift
  exec .venv/bin/python -m "bench.$name" "$@"
fi
for module in bench/*.py; do
  name=$(basename "$module" .py)
  case "$name" in __init__|scale) continue ;; esac
  echo "== bench.$name"
  .venv/bin/python -m "bench.$name"
done
