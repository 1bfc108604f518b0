#!/usr/bin/env bash
# README command 2: set up (including Chromium and Meilisearch), then ruff, mypy and pytest.
# Extra arguments go to pytest, e.g. scripts/test.sh -k search -x
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
echo "== ruff"
.venv/bin/ruff check .
# The code is in ruff's format; `.venv/bin/ruff format .` fixes a file this names.
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy
echo "== pytest"
.venv/bin/pytest "$@"
