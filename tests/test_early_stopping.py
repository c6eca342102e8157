"""When training stops: early stopping on held-out data, the n_iter_no_change
rule, and the warning when max_iter ends training first."""

import warnings

import numpy as np
import pytest
from conftest import registry
from sklearn import neural_network
from sklearn.exceptions import ConvergenceWarning

from sknn import MLPClassifier, MLPRegressor


@pytest.mark.parametrize("entry", registry())
def test_early_stopping_scores_held_out_data_and_keeps_the_best_epoch(entry):
    X, y = entry.make_data()
    est = entry.estimator(
        early_stopping=True, n_iter_no_change=2, max_iter=60, batch_size=32
    )
    entry.fit(est, X, y)
    scores = est.validation_scores_
    assert len(scores) == est.n_iter_ == len(est.loss_curve_)
    assert est.n_iter_ < 60  # stopped on a plateau of the held-out score
    assert est.best_validation_score_ == max(scores)
    # It stopped n_iter_no_change + 1 epochs without progress after the best.
    assert int(np.argmax(scores)) < len(scores) - 2
    if entry.kind == "transformer":
        assert max(scores) < 0  # negated reconstruction errors
    else:
        assert est.best_loss_ is None  # as scikit-learn, with early stopping
    assert scores[-1] <= max(scores)


@pytest.mark.parametrize("entry", registry())
def test_convergence_warning_at_max_iter(entry):
    X, y = entry.make_data()
    est = entry.estimator(max_iter=3)
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(3\) reached"):
        entry.fit(est, X, y)
    assert est.n_iter_ == 3


def test_early_stopping_stops_before_max_iter(binary_data):
    X, y = binary_data
    clf = MLPClassifier(
        (16,),
        early_stopping=True,
        batch_size=16,
        learning_rate_init=0.01,
        n_iter_no_change=5,
        max_iter=300,
        random_state=0,
    ).fit(X, y)
    assert clf.n_iter_ < 300
    assert len(clf.validation_scores_) == clf.n_iter_ == len(clf.loss_curve_)
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.best_validation_score_ >= 0.85
    assert clf.best_loss_ is None
    assert clf.score(X, y) >= 0.9


def test_early_stopping_in_regression(regression_data):
    X, y = regression_data
    reg = MLPRegressor(
        hidden_layer_sizes=(16,),
        early_stopping=True,
        batch_size=16,
        learning_rate_init=0.01,
        n_iter_no_change=5,
        max_iter=300,
        random_state=0,
    ).fit(X, y)
    assert reg.n_iter_ < 300
    assert reg.best_validation_score_ == max(reg.validation_scores_)
    assert reg.best_validation_score_ >= 0.8  # R² on the held-out part


@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("n_iter_no_change", [1, 3])
def test_n_iter_no_change_stops_like_sklearn(iris, n_iter_no_change, early_stopping):
    """With a tol no epoch can meet, training stops after the same number of
    epochs as sklearn: the first epoch, then n_iter_no_change + 1 misses."""
    X, y = iris
    with warnings.catch_warnings():
        # Stopping on a plateau is convergence: no ConvergenceWarning.
        warnings.simplefilter("error", ConvergenceWarning)
        params = dict(
            hidden_layer_sizes=(8,),
            tol=1e3,
            n_iter_no_change=n_iter_no_change,
            early_stopping=early_stopping,
            random_state=0,
        )
        ref = neural_network.MLPClassifier(**params).fit(X, y)
        est = MLPClassifier(**params).fit(X, y)
    assert est.n_iter_ == ref.n_iter_ == n_iter_no_change + 2


def test_a_quiet_fit_stays_quiet_when_print_is_replaced(iris, monkeypatch, capsys):
    # Ray's tqdm_ray replaces builtins.print on a driver showing progress
    # bars; the stopping message must still follow verbose, not print's
    # identity.
    import builtins

    real_print = builtins.print
    monkeypatch.setattr(builtins, "print", lambda *a, **k: real_print(*a, **k))
    X, y = iris
    MLPClassifier((8,), n_iter_no_change=2, tol=10.0).fit(X, y)
    assert capsys.readouterr().out == ""
    MLPClassifier((8,), n_iter_no_change=2, tol=10.0, verbose=True).fit(X, y)
    stopping, held = capsys.readouterr().out.splitlines()[-2:]
    assert stopping.endswith("Stopping.")
    assert held == "The model holds the weights of epoch 4, the last."


@pytest.mark.parametrize("early_stopping", [False, True])
def test_the_epoch_training_stops_on_is_logged_and_seen_by_callbacks(
    iris, early_stopping, capsys
):
    from skorch.callbacks import Callback

    epochs = []

    class CountEpochs(Callback):
        def on_epoch_end(self, net, **kwargs):
            epochs.append(len(net.history))

    X, y = iris
    clf = MLPClassifier((8,), n_iter_no_change=2, tol=10.0, verbose=True)
    clf.set_params(early_stopping=early_stopping, callbacks=[CountEpochs()])
    clf.fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    iterations = [line for line in lines if line.startswith("Iteration ")]
    # As scikit-learn: every epoch's line, then the stopping message.
    assert clf.n_iter_ == 4 == len(iterations) == len(epochs)
    stop = [i for i, line in enumerate(lines) if line.endswith("Stopping.")]
    assert stop and stop[0] > lines.index(iterations[-1])
