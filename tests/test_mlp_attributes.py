"""The MLPs' fitted attributes are scikit-learn's: names, types, shapes and
values, down to the optimum of the convex case."""

import numpy as np
import pytest
import torch
from sklearn import neural_network
from sklearn.exceptions import ConvergenceWarning
from skorch.history import History

from sknn import MLPClassifier, MLPRegressor
from sknn.modules import MLP


def _fit_pair(kind, data, **params):
    sk_cls, sknn_cls = {
        "classifier": (neural_network.MLPClassifier, MLPClassifier),
        "regressor": (neural_network.MLPRegressor, MLPRegressor),
    }[kind]
    X, y = data
    return sk_cls(**params).fit(X, y), sknn_cls(**params).fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "kind, data_fixture",
    [
        ("classifier", "binary_data"),
        ("classifier", "iris"),
        ("classifier", "multilabel_data"),
        ("regressor", "regression_data"),
        ("regressor", "multioutput_regression_data"),
    ],
)
def test_fitted_attributes_match_sklearn(kind, data_fixture, request):
    """Names, types and shapes of the fitted attributes are sklearn's."""
    data = request.getfixturevalue(data_fixture)
    ref, est = _fit_pair(kind, data, hidden_layer_sizes=(7, 5), max_iter=5)

    assert est.n_features_in_ == ref.n_features_in_
    assert est.n_layers_ == ref.n_layers_ == 4
    assert est.n_outputs_ == ref.n_outputs_
    assert est.out_activation_ == ref.out_activation_
    if kind == "classifier":
        np.testing.assert_array_equal(est.classes_, ref.classes_)
    assert isinstance(est.coefs_, list) and isinstance(est.intercepts_, list)
    assert [c.shape for c in est.coefs_] == [c.shape for c in ref.coefs_]
    assert [b.shape for b in est.intercepts_] == [b.shape for b in ref.intercepts_]
    assert all(isinstance(c, np.ndarray) for c in est.coefs_ + est.intercepts_)

    assert est.n_iter_ == ref.n_iter_ == 5
    assert len(est.loss_curve_) == est.n_iter_
    assert est.loss_ == pytest.approx(est.loss_curve_[-1])
    assert est.best_loss_ == pytest.approx(min(est.loss_curve_))
    assert est.validation_scores_ is None and ref.validation_scores_ is None
    assert est.best_validation_score_ is None and ref.best_validation_score_ is None
    assert est.t_ == ref.t_ == 5 * len(data[0])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "hidden_layer_sizes", [10, [5, 3], np.array([6]), ()], ids=repr
)
def test_hidden_layer_sizes_forms_like_sklearn(iris, hidden_layer_sizes):
    """An int, a list, an array or () (no hidden layer) give sklearn's layers."""
    ref, est = _fit_pair(
        "classifier", iris, hidden_layer_sizes=hidden_layer_sizes, max_iter=2
    )
    assert est.n_layers_ == ref.n_layers_
    assert [c.shape for c in est.coefs_] == [c.shape for c in ref.coefs_]


@pytest.mark.parametrize(
    "kind, target",
    [
        ("classifier", "multiclass"),
        ("classifier", "binary"),
        ("classifier", "multilabel"),
        ("regressor", "squared_error"),
        ("regressor", "poisson"),
    ],
)
def test_convex_case_reaches_sklearns_optimum(iris, count_data, kind, target):
    """Without hidden layers the problem is convex (a penalised GLM): both
    libraries must reach the same minimum of the same loss, which checks that
    the losses and the L2 penalty are scaled exactly as sklearn's."""
    X, y = iris
    params = dict(hidden_layer_sizes=(), solver="lbfgs", alpha=1.0, tol=1e-10)
    params.update(max_iter=2000, random_state=0)
    if target == "binary":
        y = (y > 0).astype(int)
    elif target == "multilabel":
        y = np.eye(3, dtype=int)[y]
    elif target == "squared_error":
        y = X[:, 0] - 2 * X[:, 1] + 0.1 * np.sin(10 * X[:, 2])
        params["loss"] = "squared_error"
    elif target == "poisson":
        X, y = count_data
        params["loss"] = "poisson"
    ref, est = _fit_pair(kind, (X, y), **params)
    assert est.loss_ == pytest.approx(ref.loss_, rel=1e-6)
    np.testing.assert_allclose(est.coefs_[0], ref.coefs_[0], atol=5e-3)
    method = "predict_proba" if kind == "classifier" else "predict"
    np.testing.assert_allclose(
        getattr(est, method)(X), getattr(ref, method)(X), atol=1e-3
    )


def test_coefs_are_the_layers_of_the_network(iris):
    """coefs_[i] @ ... reproduces predict_proba: same order and orientation."""
    X, y = iris
    clf = MLPClassifier((7, 5), solver="lbfgs", max_iter=50, random_state=0)
    clf.fit(X, y)
    hidden = X
    for W, b in zip(clf.coefs_[:-1], clf.intercepts_[:-1], strict=True):
        hidden = np.maximum(hidden @ W + b, 0)
    logits = hidden @ clf.coefs_[-1] + clf.intercepts_[-1]
    proba = np.exp(logits - logits.max(axis=1, keepdims=True))
    proba /= proba.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(proba, clf.predict_proba(X), rtol=1e-5, atol=1e-8)


def test_lbfgs_has_sklearns_attributes(iris):
    """lbfgs sets no per-epoch curves, exactly like sklearn."""
    X, y = iris
    ref, est = _fit_pair(
        "classifier", (X, y), hidden_layer_sizes=(8,), solver="lbfgs", max_iter=50
    )
    for name in [
        "loss_curve_",
        "best_loss_",
        "validation_scores_",
        "best_validation_score_",
    ]:
        assert hasattr(est, name) == hasattr(ref, name), name
    assert est.n_iter_ <= 50
    assert est.loss_ < 0.5


def test_module_and_history_types(iris):
    X, y = iris
    clf = MLPClassifier((8,), max_iter=3, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    assert isinstance(clf.module_, torch.nn.Module)
    assert isinstance(clf.module_, MLP)
    assert isinstance(clf.history_, History)
    assert len(clf.history_) == clf.n_iter_ == 3
    assert clf.history_[:, "train_loss"] == pytest.approx(clf.loss_curve_)
