"""Training in several calls, as scikit-learn's MLPs do it: warm_start and
partial_fit, for every public estimator (see the registry in conftest.py)."""

import numpy as np
import pytest
import torch
from conftest import module_state, registry
from sklearn.exceptions import ConvergenceWarning

from sknn._training import TrainingExtras

CLASSIFIERS = registry(kind="classifier")


# ---------------------------------------------------------------- warm_start
@pytest.mark.parametrize("entry", registry())
def test_warm_start_continues_training(entry):
    X, y = entry.make_data()
    # A constant rate: a cosine schedule ends at max_iter without a warning.
    est = entry.estimator(
        max_iter=5, warm_start=True, tol=0.0, learning_rate="constant"
    )
    with pytest.warns(ConvergenceWarning):
        entry.fit(est, X, y)
    first_curve = list(est.loss_curve_)
    first_state = module_state(est)
    with pytest.warns(ConvergenceWarning):
        entry.fit(est, X, y)
    # As scikit-learn: n_iter_ counts this call's epochs, the curve goes on.
    assert est.n_iter_ == 5
    assert len(est.loss_curve_) == 10
    assert est.loss_curve_[:5] == pytest.approx(first_curve)
    assert est.t_ == 10 * len(X)
    # It went on from the weights it had: the loss kept decreasing.
    assert est.loss_curve_[5] < first_curve[0]
    assert any(
        not torch.equal(value, first_state[name])
        for name, value in module_state(est).items()
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("entry", registry())
def test_refit_without_warm_start_starts_over(entry):
    X, y = entry.make_data()
    est = entry.estimator(max_iter=5)
    first = list(entry.fit(est, X, y).loss_curve_)
    second = entry.fit(est, X, y).loss_curve_
    assert est.n_iter_ == 5
    assert len(second) == 5
    assert second == pytest.approx(first)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("entry", CLASSIFIERS)
def test_warm_start_refuses_fewer_classes(entry):
    X, y = entry.make_data()
    est = entry.estimator(max_iter=2, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="warm_start can only be used where `y` has"):
        est.fit(X[y < 2], y[y < 2])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("entry", CLASSIFIERS)
def test_warm_start_refuses_new_classes(entry):
    X, y = entry.make_data()
    est = entry.estimator(max_iter=2, warm_start=True).fit(X[y < 2], y[y < 2])
    message = (
        r"warm_start can only be used where `y` has the same classes as in the "
        r"previous call to fit. Previously got \[0 1\], `y` has \[0 1 2\]$"
    )
    with pytest.raises(ValueError, match=message):
        est.fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("entry", CLASSIFIERS)
def test_partial_fit_refuses_other_classes_than_the_first_calls(entry):
    X, y = entry.make_data()
    est = entry.partial_fit(entry.estimator(), X, y, classes=[0, 1, 2])
    message = (
        r"`classes=\[0, 1, 2, 3\]` is not the same as on last call to "
        r"partial_fit, was: array\(\[0, 1, 2\]\)$"
    )
    with pytest.raises(ValueError, match=message):
        entry.partial_fit(est, X, y, classes=[0, 1, 2, 3])
    entry.partial_fit(est, X, y, classes=[2, 0, 1])  # the same, in any order


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_class_errors_are_scikit_learns_word_for_word():
    from sklearn.neural_network import MLPClassifier as SklearnMLP

    from sknn import MLPClassifier

    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(40, 3)), np.arange(40) % 3

    def messages(cls):
        found = []
        for action in (
            lambda: (
                cls(max_iter=2, warm_start=True).fit(X, y).fit(X, np.arange(40) % 4)
            ),
            lambda: cls(max_iter=2, warm_start=True).fit(X, y).fit(X[y < 2], y[y < 2]),
            lambda: (
                cls()
                .partial_fit(X, y, classes=[0, 1, 2])
                .partial_fit(X, y, classes=[0, 1, 2, 5])
            ),
        ):
            with pytest.raises(ValueError) as error:
                action()
            found.append(str(error.value))
        return found

    assert messages(MLPClassifier) == messages(SklearnMLP)


# --------------------------------------------------------------- partial_fit
@pytest.mark.parametrize("entry", registry())
def test_partial_fit_runs_one_epoch_per_call(entry):
    X, y = entry.make_data()
    est = entry.estimator()
    for call in range(1, 4):
        entry.partial_fit(est, X, y)
        assert len(est.loss_curve_) == call
        assert est.n_iter_ == 1  # as scikit-learn: the epochs of this call
        assert est.t_ == call * len(X)


@pytest.mark.parametrize("entry", registry())
def test_partial_fit_learns_from_mini_batches(entry):
    X, y = entry.make_data()
    X_test, y_test = entry.make_data(seed=1)
    rng = np.random.RandomState(0)
    est = entry.estimator()
    for _ in range(15):
        batch = rng.choice(len(X), size=40, replace=False)
        entry.partial_fit(est, X[batch], None if y is None else y[batch])
    assert len(est.loss_curve_) == 15
    assert est.t_ == 15 * 40
    assert entry.score(est, X_test, y_test) >= entry.learnt_score(X_test, y_test)


@pytest.mark.parametrize("entry", registry())
def test_partial_fit_refuses_early_stopping(entry):
    """As scikit-learn's MLPs: an error. Where early stopping may be "auto"
    (the networks with studied defaults), partial_fit does not exist with
    early_stopping=True."""
    X, y = entry.make_data()
    est = entry.estimator(early_stopping=True)
    if issubclass(entry.cls, TrainingExtras):
        assert not hasattr(est, "partial_fit")
        with pytest.raises(AttributeError, match="no attribute 'partial_fit'") as error:
            est.partial_fit(X, y)
        assert "only available with early_stopping=False" in str(error.value.__cause__)
        return
    with pytest.raises(ValueError, match="partial_fit does not support early_stopp"):
        entry.partial_fit(est, X, y)


@pytest.mark.parametrize("entry", registry())
def test_partial_fit_refuses_lbfgs(entry):
    """As scikit-learn's MLPs: with L-BFGS, partial_fit does not exist."""
    X, y = entry.make_data()
    est = entry.estimator(solver="lbfgs")
    assert not hasattr(est, "partial_fit")
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'") as info:
        entry.partial_fit(est, X, y)
    assert "stochastic solver" in str(info.value.__cause__)


@pytest.mark.parametrize("entry", CLASSIFIERS)
def test_partial_fit_classes_may_be_missing_from_a_batch(entry):
    X, y = entry.make_data()
    est = entry.estimator()
    est.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])
    np.testing.assert_array_equal(est.classes_, [0, 1, 2])
    assert est.predict_proba(X).shape == (len(X), 3)
    est.partial_fit(X[y == 2], y[y == 2])
    assert len(est.loss_curve_) == 2
    assert set(est.predict(X)) <= {0, 1, 2}


@pytest.mark.parametrize("entry", CLASSIFIERS)
def test_partial_fit_requires_classes_on_first_call(entry):
    X, y = entry.make_data()
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        entry.estimator().partial_fit(X, y)


@pytest.mark.parametrize("entry", CLASSIFIERS)
def test_partial_fit_refuses_labels_outside_classes(entry):
    X, y = entry.make_data()
    with pytest.raises(ValueError, match=r"labels \[2\] that are not in classes"):
        entry.estimator().partial_fit(X, y, classes=[0, 1])
    est = entry.estimator().partial_fit(X[y < 2], y[y < 2], classes=[0, 1])
    with pytest.raises(ValueError, match=r"`y` has classes not in `self\.classes_`"):
        est.partial_fit(X, y)
