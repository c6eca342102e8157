"""How training ends when it cannot go on: a diverging loss, and a Ctrl-C.

A diverging fit stops at the end of the epoch whose loss or weights became
non-finite and returns to the last epoch that ended finite. An interrupt
returns to the last epoch that ended, keeps the history in step with the
weights, and says which epoch the model holds.
"""

import re
import signal
import warnings

import numpy as np
import pytest
import torch
from conftest import registry
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.pipeline import make_pipeline
from skorch.callbacks import Callback, EarlyStopping

from sknn import (
    Autoencoder,
    CNNClassifier,
    MLPClassifier,
    MLPRegressor,
    RNNRegressor,
)

NON_FINITE = (
    "Solver produced non-finite parameter weights. The input data may contain "
    "large values and need to be preprocessed."
)


def diverging_data():
    """Inputs of scale 10: plain SGD at these rates blows up within a few
    epochs (measured: the loss reaches inf at epoch 3 to 5)."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 5)) * 10
    return X, X @ rng.normal(size=5)


def weights(model) -> list:
    return [t.detach().clone() for t in model.module_.state_dict().values()]


def same(a, b) -> bool:
    return len(a) == len(b) and all(map(torch.equal, a, b))


# -------------------------------------------------------------- divergence
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_diverging_fit_stops_at_once_and_keeps_the_last_finite_epoch():
    X, y = diverging_data()
    params = dict(solver="sgd", learning_rate_init=0.05, max_iter=50, random_state=0)
    model = MLPRegressor(**params)
    with pytest.raises(ValueError, match=re.escape(NON_FINITE)):
        model.fit(X, y)
    diverged = model.net_.diverged_at_
    assert diverged == model.n_iter_ < 50  # stopped at once, not after max_iter
    assert not np.isfinite(model.loss_curve_[-1])
    assert np.isfinite(model.loss_curve_[:-1]).all()
    # The weights are those a fit of the finite epochs ends with, exactly.
    finite = MLPRegressor(**{**params, "max_iter": diverged - 1})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        finite.fit(X, y)
    assert same(weights(model), weights(finite))
    assert np.isfinite(model.predict(X)).all()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_with_early_stopping_a_diverging_fit_warns_and_keeps_the_best_epoch():
    X, y = diverging_data()
    model = MLPRegressor(
        solver="sgd", learning_rate_init=0.05, max_iter=50, early_stopping=True,
        random_state=0,
    )  # fmt: skip
    with pytest.warns(ConvergenceWarning, match="diverged at epoch") as record:
        model.fit(X, y)
    diverged = model.net_.diverged_at_
    assert model.n_iter_ == diverged < 50
    scores = model.validation_scores_
    best = 1 + int(np.nanargmax(scores))
    message = str(record[0].message)
    assert f"diverged at epoch {diverged}:" in message
    assert f"weights of epoch {best}, the best on the validation data" in message
    assert np.isfinite(model.predict(X)).all()
    # The best epoch's weights, exactly: those of a fit that ends there.
    reference = MLPRegressor(**{**model.get_params(), "max_iter": best})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference.fit(X, y)
    assert same(weights(model), weights(reference))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_diverging_partial_fit_returns_to_where_the_call_started():
    X, y = diverging_data()
    model = MLPRegressor(solver="sgd", learning_rate_init=0.05, random_state=0)
    before = None
    with pytest.raises(ValueError, match=re.escape(NON_FINITE)):
        for _ in range(50):
            before = weights(model) if hasattr(model, "net_") else None
            model.partial_fit(X, y)
    assert before is not None and same(weights(model), before)
    assert np.isfinite(model.predict(X)).all()


# Fits that blow up within a few epochs of plain SGD (measured), one per
# architecture beyond the MLP's: the estimator, and its data.
DIVERGING = {
    "CNNClassifier": lambda rng: (
        CNNClassifier(
            solver="sgd",
            learning_rate_init=1e6,
            max_iter=20,
            random_state=0,
            filters=(4,),
            hidden_layer_sizes=(8,),
            normalization=None,
        ),
        rng.normal(size=(40, 1, 8, 8)) * 1e3,
        np.arange(40) % 2,
    ),
    "RNNRegressor": lambda rng: (
        RNNRegressor(
            solver="sgd",
            learning_rate_init=10.0,
            max_iter=20,
            random_state=0,
            hidden_size=8,
            clip_grad_norm=None,
        ),
        rng.normal(size=(40, 5, 2)).astype(np.float32),
        rng.normal(size=40).astype(np.float32) * 1e3,
    ),
    "Autoencoder": lambda rng: (
        Autoencoder(
            solver="sgd",
            learning_rate_init=1e6,
            max_iter=20,
            random_state=0,
            hidden_layer_sizes=(8,),
            n_components=2,
        ),
        rng.normal(size=(40, 6)) * 1e3,
        None,
    ),
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name", DIVERGING)
def test_every_architecture_stops_a_diverging_fit_with_finite_weights(name):
    model, X, y = DIVERGING[name](np.random.RandomState(0))
    with pytest.raises(ValueError, match=re.escape(NON_FINITE)):
        model.fit(X, y)
    assert model.n_iter_ == model.net_.diverged_at_ < 20
    state = model.module_.state_dict().values()
    assert all(torch.isfinite(t).all() for t in state if t.is_floating_point())


# --------------------------------------------------------------- interrupts
class CtrlC(Callback):
    """Sends this process a real SIGINT at the first batch of epoch ``epoch``
    (0: never), as a Ctrl-C in the middle of training would."""

    def __init__(self, epoch=0):
        self.epoch = epoch

    def on_batch_begin(self, net, training=True, **kwargs):
        if training and len(net.history) == self.epoch:
            signal.raise_signal(signal.SIGINT)


def classification_data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 6))
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


def test_ctrl_c_keeps_the_last_finished_epoch_and_says_so():
    X, y = classification_data()
    params = dict(max_iter=20, random_state=0)
    model = MLPClassifier(callbacks=[CtrlC(epoch=4)], **params)
    with pytest.warns(UserWarning, match="interrupted") as record:
        model.fit(X, y)
    message = str(record[0].message)
    assert "during epoch 4." in message and "weights of epoch 3;" in message
    # n_iter_, the learning curve and the history agree: 3 epochs ended.
    assert model.n_iter_ == 3 == len(model.loss_curve_) == len(model.history_)
    assert all("train_loss" in row for row in model.history_)
    # ... and the weights are those of an uninterrupted 3-epoch fit.
    reference = MLPClassifier(callbacks=[CtrlC()], **{**params, "max_iter": 3})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference.fit(X, y)
    assert same(weights(model), weights(reference))
    assert model.score(X, y) == reference.score(X, y)
    # The model goes on training as any other.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.set_params(callbacks=None, warm_start=True, max_iter=2).fit(X, y)
    assert model.n_iter_ == 2 and len(model.loss_curve_) == 5


def test_ctrl_c_with_early_stopping_keeps_the_best_epoch():
    X, y = classification_data()
    model = MLPClassifier(
        early_stopping=True, max_iter=30, callbacks=[CtrlC(epoch=12)], random_state=0
    )
    with pytest.warns(UserWarning, match="interrupted") as record:
        model.fit(X, y)
    assert model.n_iter_ == 11 == len(model.validation_scores_)
    best = 1 + int(np.argmax(model.validation_scores_))
    message = str(record[0].message)
    assert f"weights of epoch {best}, the best on the validation data" in message


def test_ctrl_c_before_the_first_epoch_ends_leaves_nothing_fitted():
    X, y = classification_data()
    model = MLPClassifier(max_iter=5, callbacks=[CtrlC(epoch=1)], random_state=0)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y)
    with pytest.raises(NotFittedError):
        model.predict(X)


def test_ctrl_c_in_partial_fit_returns_to_where_the_call_started():
    X, y = classification_data()
    model = MLPClassifier(callbacks=[CtrlC(epoch=2)], random_state=0)
    model.partial_fit(X, y, classes=[0, 1])
    before, history = weights(model), len(model.history_)
    with pytest.raises(KeyboardInterrupt):
        model.partial_fit(X, y)
    assert same(weights(model), before) and len(model.history_) == history == 1
    assert np.array_equal(model.classes_, [0, 1])
    assert model.predict(X).shape == y.shape


def test_callbacks_that_stop_training_are_not_taken_for_a_ctrl_c():
    """skorch's EarlyStopping ends training by raising KeyboardInterrupt, as
    sknn's own stopping rule does: no interrupt warning, nothing rolled back."""
    X, y = classification_data()
    stopper = EarlyStopping(monitor="train_loss", patience=1, threshold=10.0)
    model = MLPClassifier(max_iter=50, callbacks=[stopper], random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(X, y)
    assert model.n_iter_ == len(model.history_) < 50
    assert model.net_.interrupted_at_ is None


def test_the_sigint_handler_is_restored_after_fit():
    X, y = classification_data()
    before = signal.getsignal(signal.SIGINT)
    MLPClassifier(max_iter=2, random_state=0).fit(X, y)
    assert signal.getsignal(signal.SIGINT) is before


def test_the_rollback_copy_is_not_kept_after_training():
    """It serves one training call: after it, neither the model nor its
    pickle holds the copy."""
    import pickle

    X, y = classification_data()
    model = MLPClassifier(max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    rollback = dict(model.net_.callbacks_)["last_good_epoch"]
    assert len(pickle.dumps(rollback)) < 1000


# ----------------------------------------------- where the warnings point
def _warnings_of(call) -> list:
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        call()
    return record


@pytest.mark.parametrize("entry", registry())
def test_convergence_warnings_point_at_the_users_line(entry):
    """Not at scikit-learn's fit wrapper (sklearn/base.py), a Pipeline or
    sknn: at the line that called fit, fit_transform, or a Pipeline's fit."""
    X, y = entry.make_data()
    Xy = (X,) if y is None else (X, y)
    calls = {
        "fit": lambda: entry.estimator(max_iter=2).fit(*Xy),
        "pipeline": lambda: make_pipeline(entry.estimator(max_iter=2)).fit(*Xy),
        "lbfgs": lambda: entry.estimator(max_iter=2, solver="lbfgs").fit(*Xy),
        "fit_transform": lambda: entry.estimator(max_iter=2).fit_transform(*Xy),
    }
    if entry.kind != "transformer":
        del calls["fit_transform"]
    for how, call in calls.items():
        record = _warnings_of(call)
        assert [w.category for w in record] == [ConvergenceWarning], how
        assert record[0].filename == __file__, (how, record[0].filename)


def test_the_warnings_of_an_interrupted_fit_point_at_the_users_line():
    X, y = classification_data()
    model = MLPClassifier(max_iter=20, callbacks=[CtrlC(epoch=2)], batch_size=10**4)
    record = _warnings_of(lambda: model.fit(X, y))
    messages = sorted(str(w.message)[:30] for w in record)
    assert messages == [
        "Got `batch_size` larger than s",
        "Training was interrupted (Keyb",
    ]
    assert [w.filename for w in record] == [__file__, __file__]
