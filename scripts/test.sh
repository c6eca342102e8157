#!/usr/bin/env bash
# Install sknn with its test and example dependencies into ./.venv and run the
# test suite: lint, the tests (the main demo's among them), and the doctests of
# every public docstring, on one process per core (pytest-xdist).
#
# Without arguments: everything but the tests that reproduce published
# figures and scikit-learn's input-handling checks on the default
# configurations (the `figures` and `exhaustive` markers), which
# `bash scripts/test.sh -m "figures or exhaustive"` runs; CI runs both.
# Extra arguments go to pytest instead (`bash scripts/test.sh -k mlp`;
# `-n 0` runs in this one process).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# An editable install writes sknn.egg-info into this checkout: installs wait
# for each other where flock(1) exists (CI installs other Pythons'
# environments meanwhile).
locked() { if command -v flock >/dev/null; then flock .install.lock "$@"; else "$@"; fi; }
locked "$VENV/bin/python" -m pip install --quiet -c constraints.txt -e ".[tests,examples]"
"$VENV/bin/python" -m ruff check sknn tests examples benchmarks scripts
"$VENV/bin/python" -m ruff format --check sknn tests examples benchmarks scripts
# The slowest 20 tests are listed at the end: the run is meant to stay within
# 10 minutes on 2 cores (README).
[ $# -gt 0 ] || set -- -m "not figures and not exhaustive" --durations=20
"$VENV/bin/python" -m pytest -n auto "$@"
