#!/usr/bin/env bash
# Run the benchmarks and print their numbers (README: "Benchmarks").
#   scripts/bench.sh            every benchmark found in bench/
#   scripts/bench.sh load ...   one of them, with its own arguments
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
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
