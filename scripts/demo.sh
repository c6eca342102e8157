#!/usr/bin/env bash
# Install sknn with the example dependencies into ./.venv and run the main demo:
# sknn's networks against trees, forests, SVMs and scikit-learn's MLP.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -c constraints.txt -e ".[examples]"
"$VENV/bin/python" examples/compare_estimators.py "$@"
