#!/usr/bin/env bash
# The quick subset of the suite (scripts/test-subset.sh) with the lowest
# versions pyproject.toml admits, pinned in constraints-lowest.txt, in
# ./.venv-lowest-3.11 on Python 3.11, the lowest Python it admits; CI runs it
# after scripts/test.sh. (`bash scripts/test-subset.sh 3.13 lowest`: the
# lowest versions that Python 3.13 can install.) Extra arguments go to pytest
# instead of the subset: `bash scripts/test-lowest.sh tests sknn` runs the
# whole suite on these versions.
set -euo pipefail
exec bash "$(dirname "$0")/test-subset.sh" 3.11 lowest "$@"
