#!/usr/bin/env bash
# Install sknn with its test dependencies into ./.venv and run the whole test
# suite: lint, the tests, and the doctests of every public docstring.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -c constraints.txt -e ".[tests]"
.venv/bin/python -m ruff check sknn tests examples benchmarks
.venv/bin/python -m ruff format --check sknn tests examples benchmarks
.venv/bin/python -m pytest "$@"
