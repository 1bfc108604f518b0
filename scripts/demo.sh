#!/usr/bin/env bash
# README command 1: set up, start the embedded database, load the demo data, serve on :8000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/wijkgram demo "$@"
