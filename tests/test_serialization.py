"""Fitted models survive pickle, joblib and clone, and can go on training:
every public estimator (see the registry in conftest.py)."""

import pickle

import joblib
import numpy as np
import pytest
from conftest import assert_same_module, assert_same_outputs, registry
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import LRScheduler


@pytest.fixture(scope="module", params=registry())
def fitted(request):
    """A fitted estimator (batch norm and dropout included), its entry and
    its data; fitted once per module: tests must not train it further."""
    entry = request.param
    X, y = entry.make_data()
    est = entry.fit(entry.estimator(batch_norm=True, dropout=0.1), X, y)
    return entry, est, X, y


def test_pickle_round_trip(fitted):
    entry, est, X, y = fitted
    restored = pickle.loads(pickle.dumps(est))
    assert type(restored) is type(est)
    assert_same_outputs(entry, est, restored, X)
    assert_same_module(est, restored)
    assert entry.score(restored, X, y) == entry.score(est, X, y)
    assert restored.loss_curve_ == est.loss_curve_
    assert restored.n_iter_ == est.n_iter_ == entry.params["max_iter"]
    assert restored.get_params() == est.get_params()


def test_joblib_round_trip(fitted, tmp_path):
    entry, est, X, _ = fitted
    path = tmp_path / "model.joblib"
    joblib.dump(est, path)
    restored = joblib.load(path)
    assert_same_outputs(entry, est, restored, X)
    assert restored.t_ == est.t_


def test_clone_of_fitted_estimator_is_unfitted_with_same_params(fitted):
    entry, est, X, _ = fitted
    expected = entry.outputs(est, X)
    cloned = clone(est)
    assert type(cloned) is type(est)
    assert cloned.get_params() == est.get_params()
    with pytest.raises(NotFittedError):
        check_is_fitted(cloned)
    with pytest.raises(NotFittedError):
        getattr(cloned, entry.first_method)(X)
    for name in entry.fitted_attributes:
        assert not hasattr(cloned, name), name
    # The original is untouched.
    for out, before in zip(entry.outputs(est, X), expected, strict=True):
        np.testing.assert_array_equal(out, before)


def test_clone_then_fit_reproduces_the_original(fitted):
    entry, est, X, y = fitted
    refitted = entry.fit(clone(est), X, y)
    assert_same_module(est, refitted)
    assert_same_outputs(entry, est, refitted, X)


@pytest.mark.parametrize("entry", registry(kind="classifier"))
def test_pickle_round_trip_lbfgs_and_string_labels(entry):
    X, y = entry.make_data()
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = entry.estimator(solver="lbfgs").fit(X, labels)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(
        restored.classes_, ["setosa", "versicolor", "virginica"]
    )
    assert set(restored.predict(X)) <= set(labels)
    assert_same_outputs(entry, clf, restored, X)


@pytest.mark.parametrize("entry", registry())
def test_pickle_round_trip_with_early_stopping_and_callbacks(entry):
    X, y = entry.make_data()
    est = entry.estimator(
        early_stopping=True,
        # No stop on a plateau: the epoch that stops skips the user's
        # callbacks (reported), which would leave its event_lr out.
        n_iter_no_change=100,
        learning_rate="constant",  # the schedule is the callback's
        callbacks=[LRScheduler(policy="StepLR", step_size=5, gamma=0.5)],
    )
    entry.fit(est, X, y)
    restored = pickle.loads(pickle.dumps(est))
    assert_same_outputs(entry, est, restored, X)
    assert restored.validation_scores_ == est.validation_scores_
    n_epochs = entry.params["max_iter"]
    assert len(restored.validation_scores_) == restored.n_iter_ == n_epochs
    lr = entry.params["learning_rate_init"]
    expected = [lr * 0.5 ** (i // 5) for i in range(n_epochs)]
    assert restored.history_[:, "event_lr"] == pytest.approx(expected)


@pytest.mark.parametrize("entry", registry())
def test_pickled_model_continues_with_partial_fit(entry):
    """An unpickled model resumes exactly where the original would."""
    X, y = entry.make_data()
    est = entry.estimator()
    for _ in range(3):
        entry.partial_fit(est, X, y)
    restored = pickle.loads(pickle.dumps(est))
    for _ in range(2):
        entry.partial_fit(est, X, y)
        entry.partial_fit(restored, X, y)
    assert len(restored.loss_curve_) == 5
    assert restored.t_ == 5 * len(X)
    assert restored.loss_curve_ == pytest.approx(est.loss_curve_)
    assert_same_module(est, restored)
    assert_same_outputs(entry, est, restored, X)


@pytest.mark.parametrize("entry", registry())
def test_pickled_model_continues_with_warm_start(entry):
    X, y = entry.make_data()
    est = entry.fit(entry.estimator(max_iter=5, warm_start=True, tol=0.0), X, y)
    restored = pickle.loads(pickle.dumps(est))
    entry.fit(est, X, y)
    entry.fit(restored, X, y)
    assert len(restored.loss_curve_) == 10
    assert restored.n_iter_ == 5
    assert_same_module(est, restored)
    assert_same_outputs(entry, est, restored, X)
