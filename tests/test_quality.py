"""sknn's MLPs are at least as accurate as scikit-learn's with the same settings.

Both sides get the same preprocessing, architecture, number of epochs, seed
and folds; run ``pytest -s tests/test_quality.py`` to see the figures.
"""

import pytest
from sklearn import neural_network
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes, load_digits
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sknn

# Every test here measures the published comparison (CHANGES: quality against
# scikit-learn's MLP), the figures it prints with -s.
pytestmark = pytest.mark.figures


def _cv_score(model, X, y, scoring=None):
    return cross_val_score(model, X, y, cv=5, scoring=scoring).mean()


def test_classifier_accuracy_on_digits_matches_sklearn(record_property):
    X, y = load_digits(return_X_y=True)
    settings = dict(hidden_layer_sizes=(64,), max_iter=50, random_state=0)
    ours = _cv_score(
        make_pipeline(StandardScaler(), sknn.MLPClassifier(**settings)), X, y
    )
    theirs = _cv_score(
        make_pipeline(StandardScaler(), neural_network.MLPClassifier(**settings)),
        X,
        y,
    )
    print(f"digits 5-fold accuracy: sknn {ours:.4f}, sklearn {theirs:.4f}")
    record_property("sknn_accuracy", float(ours))
    record_property("sklearn_accuracy", float(theirs))
    assert ours >= 0.9
    assert ours >= theirs, f"sknn {ours:.4f} < sklearn {theirs:.4f}"


def test_regressor_r2_on_diabetes_matches_sklearn(record_property):
    X, y = load_diabetes(return_X_y=True)
    settings = dict(hidden_layer_sizes=(64,), max_iter=200, random_state=0)

    def model(mlp):
        # Scaled inputs and a scaled target, as any MLP needs.
        return TransformedTargetRegressor(
            make_pipeline(StandardScaler(), mlp), transformer=StandardScaler()
        )

    ours = _cv_score(model(sknn.MLPRegressor(**settings)), X, y, scoring="r2")
    theirs = _cv_score(
        model(neural_network.MLPRegressor(**settings)), X, y, scoring="r2"
    )
    print(f"diabetes 5-fold R²: sknn {ours:.4f}, sklearn {theirs:.4f}")
    record_property("sknn_r2", float(ours))
    record_property("sklearn_r2", float(theirs))
    assert ours >= 0.4
    assert ours >= theirs, f"sknn {ours:.4f} < sklearn {theirs:.4f}"
