#!/usr/bin/env bash
# Install sknn with its test and example dependencies into ./.venv and run the
# whole test suite: lint, the tests (the main demo's among them), and the
# doctests of every public docstring.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -c constraints.txt -e ".[tests,examples]"
"$VENV/bin/python" -m ruff check sknn tests examples benchmarks scripts
"$VENV/bin/python" -m ruff format --check sknn tests examples benchmarks scripts
"$VENV/bin/python" -m pytest "$@"
