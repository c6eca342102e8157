"""The user's skorch callbacks, and the training log that ``verbose`` prints,
for every public estimator (see the registry in conftest.py)."""

import contextlib
import io
import re
import warnings

import numpy as np
import pytest
import torch
from conftest import REGISTRY, registry
from sklearn.exceptions import ConvergenceWarning
from skorch.callbacks import Callback, Freezer, LRScheduler, PassthroughScoring

import sknn

# What the copies of EpochCounter saw: (id of the copy, epochs counted).
EPOCHS: list = []


class EpochCounter(Callback):
    """A user callback that counts the epochs it sees, and records each
    count in EPOCHS (the estimator trains with a copy of it)."""

    def __init__(self, n_epochs=0):
        self.n_epochs = n_epochs

    def on_epoch_end(self, net, **kwargs):
        self.n_epochs += 1
        EPOCHS.append((id(self), self.n_epochs))


@pytest.fixture
def epochs():
    EPOCHS.clear()
    yield EPOCHS
    EPOCHS.clear()


# ---------------------------------------------------------------- callbacks
@pytest.mark.parametrize("entry", registry())
def test_user_lr_scheduler_is_used_and_not_mutated(entry):
    X, y = entry.make_data()
    scheduler = LRScheduler(policy="StepLR", step_size=1, gamma=0.5)
    est = entry.estimator(
        solver="sgd",
        learning_rate="constant",  # the schedule is the callback's
        learning_rate_init=0.1,
        max_iter=4,
        callbacks=[scheduler],
    )
    with pytest.warns(ConvergenceWarning):
        entry.fit(est, X, y)
    assert est.history_[:, "event_lr"] == pytest.approx([0.1, 0.05, 0.025, 0.0125])
    assert not hasattr(scheduler, "lr_scheduler_")  # the fit used a copy
    assert est.callbacks[0] is scheduler


@pytest.mark.parametrize("entry", registry())
def test_user_callback_is_copied_for_every_fit(entry, epochs):
    X, y = entry.make_data()
    counter = EpochCounter()
    est = entry.estimator(max_iter=3, callbacks=[("counter", counter)])
    for _ in range(2):
        with pytest.warns(ConvergenceWarning):
            entry.fit(est, X, y)
    first, second = epochs[:3], epochs[3:]
    # A fresh copy each fit, counting from zero, not cumulative.
    assert [n for _, n in first] == [n for _, n in second] == [1, 2, 3]
    assert len({copy for copy, _ in first}) == len({copy for copy, _ in second}) == 1
    assert first[0][0] != second[0][0]
    assert id(counter) not in {copy for copy, _ in epochs}
    assert counter.n_epochs == 0
    assert est.callbacks[0][1] is counter


@pytest.mark.parametrize("entry", registry())
def test_unnamed_user_callback_runs(entry, epochs):
    X, y = entry.make_data()
    est = entry.estimator(max_iter=2, callbacks=[EpochCounter()])
    with pytest.warns(ConvergenceWarning):
        entry.fit(est, X, y)
    assert [n for _, n in epochs] == [1, 2]
    entry.partial_fit(est, X, y)  # partial_fit goes on with the fit's copy
    assert [n for _, n in epochs] == [1, 2, 3]


@pytest.mark.parametrize("entry", registry())
def test_freezing_every_parameter_is_a_clear_error(entry):
    X, y = entry.make_data()
    est = entry.estimator(max_iter=2, callbacks=[Freezer("*")])
    with pytest.raises(
        ValueError,
        match=r"No parameter is left to train at epoch 1: the callbacks "
        r"\['Freezer_0'\] froze every one .* Freeze only some",
    ):
        entry.fit(est, X, y)


class InitialWeights(Callback):
    """Keeps a copy of the weights the fit starts from."""

    def on_train_begin(self, net, **kwargs):
        self.weights_ = {
            k: v.detach().clone() for k, v in net.module_.named_parameters()
        }


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_frozen_parameters_stay_and_the_others_train(solver):
    """With every solver, the L2 penalty included (L-BFGS adds its gradient
    itself): the frozen weights keep their values."""
    X, y = REGISTRY[sknn.MLPClassifier].make_data()
    est = sknn.MLPClassifier(
        hidden_layer_sizes=(8,),
        solver=solver,
        alpha=0.1,
        max_iter=5,
        random_state=0,
        callbacks=[("start", InitialWeights()), Freezer("hidden.*")],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    start = dict(est.net_.callbacks_)["start"].weights_  # the fit's copy's
    for name, value in est.module_.named_parameters():
        if name.startswith("hidden."):
            torch.testing.assert_close(value, start[name], rtol=0, atol=0)
        else:
            assert not torch.equal(value, start[name]), name


@pytest.mark.parametrize("entry", registry())
def test_passthrough_scoring_of_validation_batches_is_refused(entry):
    """sknn scores held-out data in one pass: there are no validation
    batches to average (skorch would raise a KeyError on
    valid_batch_size, or record nothing)."""
    X, y = entry.make_data()
    est = entry.estimator(max_iter=2, callbacks=[PassthroughScoring("train_loss")])
    with pytest.raises(
        ValueError,
        match=r"PassthroughScoring\('train_loss'\) at position 0, which averages "
        r"a score of the validation batches .* pass on_train=True",
    ):
        entry.fit(est, X, y)


class DoubleLoss(Callback):
    """Records a score of each training batch: twice its loss."""

    def on_batch_end(self, net, batch=None, training=False, loss=None, **kwargs):
        if training:
            net.history.record_batch("double_loss", 2 * loss.item())


@pytest.mark.parametrize("entry", registry())
def test_passthrough_scoring_of_training_batches_works(entry):
    X, y = entry.make_data()
    passthrough = PassthroughScoring("double_loss", on_train=True)
    est = entry.estimator(max_iter=2, callbacks=[DoubleLoss(), passthrough])
    with pytest.warns(ConvergenceWarning):
        entry.fit(est, X, y)
    assert est.history_[:, "double_loss"] == pytest.approx(
        [2 * loss for loss in est.history_[:, "train_loss"]]
    )


# ------------------------------------------------------------------ logging
@pytest.mark.parametrize("entry", registry())
def test_verbose_prints_sklearns_iteration_lines(entry, capsys):
    X, y = entry.make_data()
    est = entry.estimator(max_iter=3, verbose=True)
    with pytest.warns(ConvergenceWarning):
        entry.fit(est, X, y)
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.strip()]
    assert len(lines) == 3
    for i, (line, loss) in enumerate(zip(lines, est.loss_curve_, strict=True)):
        assert line.startswith(f"Iteration {i + 1}, loss = ")
        assert float(line.split("=")[1]) == pytest.approx(loss, abs=1e-7)


@pytest.mark.parametrize("entry", registry())
def test_verbose_prints_validation_score_with_early_stopping(entry, capsys):
    X, y = entry.make_data()
    est = entry.estimator(max_iter=2, verbose=True, early_stopping=True)
    with pytest.warns(ConvergenceWarning):
        entry.fit(est, X, y)
    out = capsys.readouterr().out
    assert out.count("Validation score:") == 2
    assert "Iteration 2, loss = " in out


@pytest.mark.parametrize("entry", registry())
def test_silent_by_default(entry, capsys):
    X, y = entry.make_data()
    with pytest.warns(ConvergenceWarning):
        entry.fit(entry.estimator(max_iter=2), X, y)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


@pytest.mark.parametrize("entry", registry())
def test_verbose_prints_scikit_learns_lines_and_nothing_else(entry, capsys):
    """Any truthy verbose (scikit-learn's examples pass 10): its lines on
    stdout, nothing on stderr (no progress bar)."""
    X, y = entry.make_data()
    est = entry.estimator(max_iter=2, verbose=10)
    with pytest.warns(ConvergenceWarning):
        entry.fit(est, X, y)
    captured = capsys.readouterr()
    assert captured.err == ""
    lines = captured.out.splitlines()
    assert len(lines) == 2
    assert all(re.fullmatch(r"Iteration \d, loss = \d+\.\d{8}", line) for line in lines)


@pytest.mark.parametrize("early_stopping", [False, True])
def test_the_stopping_lines_are_scikit_learns(early_stopping, capsys):
    from sklearn.datasets import load_iris
    from sklearn.neural_network import MLPClassifier as SklearnMLP

    from sknn import MLPClassifier

    X, y = load_iris(return_X_y=True)
    params = dict(
        n_iter_no_change=2, tol=0.5, early_stopping=early_stopping, random_state=0
    )

    def output(cls):
        model = cls(verbose=True, **params).fit(X, y)
        return capsys.readouterr().out.splitlines(), model

    (ours, clf), (theirs, _) = output(MLPClassifier), output(SklearnMLP)
    assert ours[-2] == theirs[-1]  # the stopping line, word for word
    assert ours[-2].endswith("for 2 consecutive epochs. Stopping.")
    assert len(ours) == len(theirs) + 1  # stopped after as many epochs
    assert [line.split(" ")[0] for line in ours[:-1]] == [
        line.split(" ")[0] for line in theirs
    ]
    # Then sknn's line: the epoch whose weights the model holds.
    if early_stopping:
        best = int(np.argmax(clf.validation_scores_)) + 1
        assert ours[-1] == (
            f"The model holds the weights of epoch {best}, of the best "
            f"validation score ({clf.best_validation_score_:f})."
        )
    else:
        assert ours[-1] == (
            f"The model holds the weights of epoch {clf.n_iter_}, the last."
        )


@pytest.mark.parametrize("entry", registry())
def test_progress_bar_advances_once_an_epoch(entry, capsys):
    X, y = entry.make_data()
    est = entry.estimator(max_iter=3, progress_bar=True)
    with pytest.warns(ConvergenceWarning):
        entry.fit(est, X, y)
    captured = capsys.readouterr()
    assert captured.out == ""  # verbose=False: no scikit-learn lines
    assert "3/3" in captured.err and "epoch" in captured.err
    assert "loss=" in captured.err
    assert "batch" not in captured.err.replace("batch_size", "")  # fast epochs


def test_progress_bar_shows_the_validation_score_and_slow_epochs_batches(capsys):
    from sklearn.datasets import load_iris

    from sknn import MLPClassifier
    from sknn._progress import EpochProgress

    X, y = load_iris(return_X_y=True)
    # Every epoch counts as slow: the batches get a bar from the second on.
    bar = ("progress_bar", EpochProgress(batch_seconds=0.0))
    clf = MLPClassifier(max_iter=3, early_stopping=True, batch_size=20, callbacks=[bar])
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    err = capsys.readouterr().err
    assert "3/3" in err and "validation score=" in err
    assert "/7 [" in err and "batch/s" in err  # 135 training rows, batches of 20


# The early-stopping score of each estimator, as the progress bar names it.
SCORE_NAMES = {
    "MLPClassifier": "accuracy",
    "CNNClassifier": "negative log-loss",
    "RNNClassifier": "negative log-loss",
    "TabularClassifier": "negative log-loss",
    "SeriesClassifier": "negative log-loss",
    "MLPRegressor": "R²",
    "CNNRegressor": "R²",
    "RNNRegressor": "R²",
    "TabularRegressor": "R²",
    "SeriesRegressor": "R²",
    "Autoencoder": "negative reconstruction MSE",
    "CNNAutoencoder": "negative reconstruction MSE",
}


@pytest.mark.parametrize("entry", registry())
def test_progress_bar_ends_on_the_kept_epoch_when_early_stopping_ends(entry, capsys):
    """It says early stopping ended training, which epoch the model holds,
    and that epoch's figures, its score named."""
    X, y = entry.make_data()
    est = entry.estimator(
        max_iter=20,
        early_stopping=True,
        n_iter_no_change=1,
        tol=1e9,  # no epoch makes progress: stops after the third
        progress_bar=True,
    )
    entry.fit(est, X, y)
    assert est.n_iter_ == 3
    last = re.split(r"[\r\n]", capsys.readouterr().err.strip())[-1]
    kept = int(np.argmax(est.validation_scores_)) + 1
    loss = est.history_[kept - 1, "train_loss"]
    name = SCORE_NAMES[entry.name]
    assert last.startswith("early stopping:")
    assert "3/20" in last
    assert (
        f"kept epoch={kept}, loss={loss:.4g}, "
        f"validation {name}={est.best_validation_score_:.4g}]"
    ) in last


@pytest.mark.parametrize("entry", registry())
def test_verbose_lines_and_the_progress_bar_never_share_a_line(entry):
    """In a terminal both streams show together: each log line is cleared
    of the bar before, and the bar drawn again after (tqdm.write)."""
    X, y = entry.make_data()
    est = entry.estimator(
        max_iter=20,
        early_stopping=True,
        n_iter_no_change=1,
        tol=1e9,
        verbose=True,
        progress_bar=True,
    )
    both = io.StringIO()
    with contextlib.redirect_stdout(both), contextlib.redirect_stderr(both):
        entry.fit(est, X, y)
    pieces = re.split(r"[\r\n]", both.getvalue())
    logged = [p for p in pieces if re.search("Iteration|Validation|model holds", p)]
    assert len(logged) == 3 + 3 + 2  # 3 epochs; stopping and the kept epoch
    for line in logged:
        assert re.fullmatch(
            r"Iteration \d, loss = \d+\.\d{8}|Validation score: -?\d+\.\d{6}"
            r"|Validation score did not improve .* Stopping\."
            r"|The model holds the weights of epoch \d, .*\.",
            line,
        ), line
