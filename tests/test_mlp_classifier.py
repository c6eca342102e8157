"""MLPClassifier: the targets it takes, the labels and probabilities it
returns, and what its architecture options and weights do to it."""

import numpy as np
import pytest
import torch
from sklearn import neural_network

from sknn import MLPClassifier
from sknn.modules import ACTIVATIONS


# --------------------------------------------------------------------- targets
def test_binary_classification(binary_data):
    X, y = binary_data
    clf = MLPClassifier((16,), solver="lbfgs", random_state=0).fit(X, y)
    assert clf.score(X, y) >= 0.95
    np.testing.assert_array_equal(clf.classes_, [0, 1])
    assert clf.n_outputs_ == 1
    assert clf.out_activation_ == "logistic"
    assert clf.predict_proba(X).shape == (200, 2)


def test_multiclass_classification(iris):
    X, y = iris
    clf = MLPClassifier((16,), solver="lbfgs", random_state=0).fit(X, y)
    assert clf.score(X, y) >= 0.97
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.n_outputs_ == 3
    assert clf.out_activation_ == "softmax"
    assert clf.predict_proba(X).shape == (150, 3)


def test_multilabel_indicator_target(multilabel_data):
    X, Y = multilabel_data
    clf = MLPClassifier((32,), solver="lbfgs", max_iter=300, random_state=0)
    clf.fit(X, Y)
    pred = clf.predict(X)
    assert pred.shape == Y.shape
    assert set(np.unique(pred)) <= {0, 1}
    assert (pred == Y).mean() >= 0.9  # per-label (Hamming) accuracy
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.n_outputs_ == 3
    assert clf.out_activation_ == "logistic"
    proba = clf.predict_proba(X)
    assert proba.shape == Y.shape
    # One independent probability per label, consistent with predict.
    np.testing.assert_array_equal(proba > 0.5, pred.astype(bool))


@pytest.mark.parametrize(
    "labels",
    [
        np.array(["setosa", "versicolor", "virginica"]),
        np.array(["b", "a", "c"], dtype=object),
        np.array([30, -1, 7]),
        np.array([3.0, -1.0, 7.0]),
        np.array([10, 20]),
        np.array(["no", "yes"]),
        np.array([False, True]),
    ],
    ids=["str", "object", "int", "float", "int-binary", "str-binary", "bool"],
)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_predict_returns_original_labels(iris, labels):
    """predict returns the user's labels, of the user's type, not indices."""
    X, y = iris
    if len(labels) == 2:
        X, y = X[y < 2], y[y < 2]
    y_labels = labels[y]
    clf = MLPClassifier((16,), solver="lbfgs", random_state=0).fit(X, y_labels)
    np.testing.assert_array_equal(clf.classes_, np.unique(labels))
    pred = clf.predict(X)
    ref = neural_network.MLPClassifier((2,), max_iter=1).fit(X, y_labels)
    assert pred.dtype == ref.predict(X).dtype
    assert set(pred) <= set(labels)
    assert np.mean(pred == y_labels) >= 0.95


@pytest.mark.parametrize("n_classes", [2, 3])
def test_predict_proba_rows_sum_to_one_in_classes_order(iris, n_classes):
    X, y = iris
    X, y = X[y < n_classes], y[y < n_classes]
    # Labels whose sorted order differs from their order of appearance.
    labels = np.array(["zebra", "ant", "moose"])[y]
    clf = MLPClassifier((16,), solver="lbfgs", random_state=0).fit(X, labels)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), n_classes)
    assert np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))
    # Column j is the probability of classes_[j]: high on the samples of that class.
    for j, label in enumerate(clf.classes_):
        assert proba[labels == label, j].mean() > 0.8


@pytest.mark.parametrize("n_classes", [2, 3])
def test_predict_log_proba_is_log_of_predict_proba(iris, n_classes):
    X, y = iris
    X, y = X[y < n_classes], y[y < n_classes]
    clf = MLPClassifier((16,), solver="lbfgs", random_state=0).fit(X, y)
    log_proba = clf.predict_log_proba(X)
    assert log_proba.shape == (len(X), n_classes)
    assert np.all(log_proba <= 0)
    np.testing.assert_allclose(np.exp(log_proba), clf.predict_proba(X), rtol=1e-6)


def test_multilabel_log_proba_is_consistent_with_proba_as_scikit_learns():
    """Per label, as scikit-learn: the log of predict_proba, the same argmax,
    and 0.5 as predict's threshold."""
    from sklearn.neural_network import MLPClassifier as SklearnMLP

    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 4))
    Y = np.c_[X[:, 0] > 0, X[:, 1] > 0, X[:, 0] + X[:, 2] > 0].astype(int)
    for cls in (MLPClassifier, SklearnMLP):
        clf = cls((16,), solver="lbfgs", max_iter=50, random_state=0).fit(X, Y)
        proba, log_proba = clf.predict_proba(X), clf.predict_log_proba(X)
        assert log_proba.shape == proba.shape == Y.shape
        np.testing.assert_allclose(np.exp(log_proba), proba, rtol=1e-6)
        assert (log_proba.argmax(axis=1) == proba.argmax(axis=1)).all()
        np.testing.assert_array_equal(clf.predict(X), proba > 0.5)


# ------------------------------------------------------------------ inference
def test_predict_in_chunks_matches_row_by_row():
    """Long inputs are predicted chunk by chunk, with the same results."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(5000, 3))
    y = (X[:, 0] > 0).astype(int)
    clf = MLPClassifier((4,), solver="lbfgs", max_iter=20, random_state=0).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (5000, 2)
    np.testing.assert_allclose(proba[-100:], clf.predict_proba(X[-100:]))
    np.testing.assert_array_equal(clf.predict(X)[:100], clf.predict(X[:100]))


# --------------------------------------------------------- architecture
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_every_activation_learns(iris, activation):
    X, y = iris
    clf = MLPClassifier((16,), activation=activation, solver="lbfgs", random_state=0)
    assert clf.fit(X, y).score(X, y) >= 0.95
    assert clf.module_.activation == activation


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_dropout_trains_and_is_off_at_prediction(iris):
    X, y = iris
    clf = MLPClassifier(
        (32,), dropout=0.3, learning_rate_init=0.01, max_iter=100, random_state=0
    ).fit(X, y)
    assert any(isinstance(m, torch.nn.Dropout) for m in clf.module_.modules())
    assert clf.score(X, y) >= 0.93
    # Dropout is only active while training: predictions are deterministic.
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_batch_norm_trains_and_predicts_single_rows(iris):
    X, y = iris
    clf = MLPClassifier(
        (16,),
        normalization="batch",
        learning_rate_init=0.01,
        max_iter=100,
        random_state=0,
    ).fit(X, y)
    assert any(isinstance(m, torch.nn.BatchNorm1d) for m in clf.module_.modules())
    assert clf.score(X, y) >= 0.95
    # Running statistics at prediction: one row is scored like in a batch (to
    # float32 rounding on a GPU, where a single row takes other kernels).
    np.testing.assert_allclose(
        clf.predict_proba(X[:1]), clf.predict_proba(X)[:1], rtol=1e-5
    )


# ------------------------------------------------------------------ weights
def _overlapping_binary():
    """Two overlapping classes with equal counts: weights tip the balance."""
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(-0.5, 1, size=(100, 2)), rng.normal(0.5, 1, size=(100, 2))]
    return X, np.r_[np.zeros(100, dtype=int), np.ones(100, dtype=int)]


def test_sample_weight_shifts_predictions_to_heavy_class():
    X, y = _overlapping_binary()
    params = dict(hidden_layer_sizes=(8,), solver="lbfgs", random_state=0)
    plain = MLPClassifier(**params).fit(X, y)
    heavy_ones = MLPClassifier(**params).fit(X, y, sample_weight=np.where(y, 10, 1))
    assert heavy_ones.predict(X).mean() > plain.predict(X).mean() + 0.1


def test_class_weight_dict_shifts_predictions():
    """(That it equals the same sample weights: test_sample_weight.py.)"""
    X, y = _overlapping_binary()
    params = dict(hidden_layer_sizes=(8,), solver="lbfgs", random_state=0)
    plain = MLPClassifier(**params).fit(X, y)
    weighted = MLPClassifier(class_weight={0: 1, 1: 10}, **params).fit(X, y)
    assert weighted.predict(X).mean() > plain.predict(X).mean() + 0.1


def test_class_weight_balanced_raises_minority_recall():
    X, y = _overlapping_binary()
    keep = np.r_[np.arange(0, 100, 5), np.arange(100, 200)]  # 20 zeros, 100 ones
    X, y = X[keep], y[keep]
    params = dict(hidden_layer_sizes=(8,), solver="lbfgs", random_state=0)
    plain = MLPClassifier(**params).fit(X, y)
    balanced = MLPClassifier(class_weight="balanced", **params).fit(X, y)
    minority = y == 0
    plain_recall = np.mean(plain.predict(X[minority]) == 0)
    balanced_recall = np.mean(balanced.predict(X[minority]) == 0)
    assert balanced_recall > plain_recall + 0.1
