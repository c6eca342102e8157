#!/usr/bin/env bash
# Install sknn with the documentation dependencies into ./.venv and build the
# site into docs/_build/html, offline, with every Sphinx warning an error.
# Extra arguments go to sphinx-build (-E rebuilds everything).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q -c constraints.txt -e ".[docs]"
.venv/bin/sphinx-build -W --keep-going -b html "$@" docs docs/_build/html
echo "Documentation built: docs/_build/html/index.html"
