"""Fitted models survive pickle, joblib and clone, and can go on training."""

import pickle

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import LRScheduler

from sknn import MLPClassifier, MLPRegressor


def _fitted(cls, data, **params):
    X, y = data
    params = {"hidden_layer_sizes": (8,), "max_iter": 20, "random_state": 0, **params}
    return cls(**params).fit(X, y)


def _outputs(est, X):
    """Every prediction method of the estimator, as arrays."""
    methods = ["predict", "predict_proba", "predict_log_proba"]
    return [getattr(est, m)(X) for m in methods if hasattr(est, m)]


def _assert_same_predictions(a, b, X):
    for out_a, out_b in zip(_outputs(a, X), _outputs(b, X), strict=True):
        np.testing.assert_array_equal(out_a, out_b)


@pytest.fixture(params=["classifier", "regressor"])
def fitted(request, iris, regression_data):
    """A fitted estimator (batch norm and dropout included) and its data."""
    if request.param == "classifier":
        data, cls = iris, MLPClassifier
    else:
        data, cls = regression_data, MLPRegressor
    return _fitted(cls, data, batch_norm=True, dropout=0.1), data


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_pickle_round_trip(fitted):
    est, (X, y) = fitted
    restored = pickle.loads(pickle.dumps(est))
    _assert_same_predictions(est, restored, X)
    assert restored.score(X, y) == est.score(X, y)
    assert restored.loss_curve_ == est.loss_curve_
    assert restored.n_iter_ == est.n_iter_
    for a, b in zip(restored.coefs_, est.coefs_, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_joblib_round_trip(fitted, tmp_path):
    est, (X, _) = fitted
    path = tmp_path / "model.joblib"
    joblib.dump(est, path)
    _assert_same_predictions(est, joblib.load(path), X)


def test_pickle_round_trip_lbfgs_and_string_labels(iris):
    X, y = iris
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = _fitted(MLPClassifier, (X, labels), solver="lbfgs")
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.classes_, clf.classes_)
    _assert_same_predictions(clf, restored, X)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_pickle_round_trip_with_early_stopping_and_callbacks(iris):
    X, _ = iris
    clf = _fitted(
        MLPClassifier,
        iris,
        early_stopping=True,
        callbacks=[LRScheduler(policy="StepLR", step_size=5, gamma=0.5)],
    )
    restored = pickle.loads(pickle.dumps(clf))
    _assert_same_predictions(clf, restored, X)
    assert restored.validation_scores_ == clf.validation_scores_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_clone_of_fitted_estimator_is_unfitted_with_same_params(fitted):
    est, (X, _) = fitted
    cloned = clone(est)
    assert type(cloned) is type(est)
    assert cloned.get_params() == est.get_params()
    with pytest.raises(NotFittedError):
        check_is_fitted(cloned)
    with pytest.raises(NotFittedError):
        cloned.predict(X)
    assert not hasattr(cloned, "coefs_")
    # The original is untouched.
    assert est.predict(X).shape[0] == len(X)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_clone_then_fit_reproduces_the_original(iris):
    X, y = iris
    clf = _fitted(MLPClassifier, iris)
    _assert_same_predictions(clf, clone(clf).fit(X, y), X)


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_pickled_model_continues_with_partial_fit(cls, iris, regression_data):
    """An unpickled model resumes exactly where the original would."""
    X, y = iris if cls is MLPClassifier else regression_data
    kwargs = {"classes": np.unique(y)} if cls is MLPClassifier else {}
    est = cls(hidden_layer_sizes=(8,), random_state=0)
    for _ in range(3):
        est.partial_fit(X, y, **kwargs)
    restored = pickle.loads(pickle.dumps(est))
    for _ in range(2):
        est.partial_fit(X, y)
        restored.partial_fit(X, y)
    assert len(restored.loss_curve_) == 5
    assert restored.t_ == 5 * len(X)
    assert restored.loss_curve_ == pytest.approx(est.loss_curve_)
    _assert_same_predictions(est, restored, X)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_pickled_model_continues_with_warm_start(iris):
    X, y = iris
    clf = _fitted(MLPClassifier, iris, max_iter=5, warm_start=True)
    restored = pickle.loads(pickle.dumps(clf))
    clf.fit(X, y)
    restored.fit(X, y)
    assert len(restored.loss_curve_) == 10
    _assert_same_predictions(clf, restored, X)
