#!/usr/bin/env bash
# Install sknn with the documentation dependencies into ./.venv and build the
# site into docs/_build/html, offline, with every Sphinx warning an error.
# Extra arguments go to sphinx-build (-E rebuilds everything).
# PYTHON picks the Python that creates the environment, VENV where it goes:
# `PYTHON=/usr/bin/python3 VENV=.venv-system bash scripts/docs.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -c constraints.txt -e ".[docs]"
# The time-series example reads the archive's series bundled in the aeon
# wheel, without importing aeon, whose pins (pandas < 3.1) clash with ours:
# its files only.
"$VENV/bin/python" -m pip install --quiet --no-deps aeon==1.6.0
"$VENV/bin/sphinx-build" -W --keep-going -b html "$@" docs docs/_build/html
echo "Documentation built: docs/_build/html/index.html"
