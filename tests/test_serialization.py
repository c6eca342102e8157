"""Fitted models survive pickle, joblib, skops and clone, load on another
device, hold neither training data nor extra copies of their weights, and
can go on training: every public estimator (see the registry in
conftest.py). Callbacks holding resources (TensorBoard) can be passed."""

import os
import pickle
import subprocess
import sys

import joblib
import numpy as np
import pytest
import skops.io
import torch
from conftest import assert_same_module, assert_same_outputs, registry
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import cross_val_score
from sklearn.utils.validation import check_is_fitted
from skops.io.exceptions import UntrustedTypesFoundException
from skorch.callbacks import Callback, LRScheduler, TensorBoard
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from torch.utils.tensorboard import SummaryWriter

import sknn


@pytest.fixture(scope="module", params=registry())
def fitted(request):
    """A fitted estimator (batch norm and dropout included), its entry and
    its data; fitted once per module: tests must not train it further."""
    entry = request.param
    X, y = entry.make_data()
    est = entry.fit(entry.estimator(normalization="batch", dropout=0.1), X, y)
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


# ------------------------------------------------------------ a lean file
def _row_bytes(entry, est, X) -> set:
    """Each sample of X, as the user gave it and as the network reads it,
    in both float widths: what a file holding training rows would contain."""
    fed = est._validated(X)
    rows = set()
    for samples in (np.asarray(X, dtype=np.float64), np.asarray(fed)):
        for sample in samples.reshape(len(samples), -1):
            for dtype in (np.float32, np.float64):
                rows.add(sample.astype(dtype).tobytes())
    return rows


@pytest.mark.parametrize("entry", registry())
def test_pickle_of_early_stopping_fit_holds_none_of_the_training_rows(entry):
    X, y = entry.make_data()
    est = entry.fit(entry.estimator(early_stopping=True), X, y)
    assert est.validation_scores_ is not None  # a split was held out
    data = pickle.dumps(est)
    leaked = [row for row in _row_bytes(entry, est, X) if row in data]
    assert leaked == []


def test_pickle_holds_the_weights_once(fitted):
    _, est, _, _ = fitted
    data = pickle.dumps(est)
    for name, tensor in est.module_.state_dict().items():
        if tensor.ndim >= 2:  # weight matrices and kernels: unique bytes
            assert data.count(tensor.numpy().tobytes()) == 1, name


@pytest.mark.parametrize(
    "solver, copies",
    # The weights, and the optimizer's moments that partial_fit resumes
    # from: SGD's momentum, Adam's two; L-BFGS has no partial_fit.
    [("lbfgs", 1), ("sgd", 2), ("adam", 3)],
)
def test_pickle_size_is_the_weights_and_the_moments_partial_fit_needs(solver, copies):
    X, y = load_digits(return_X_y=True)
    est = sknn.MLPClassifier(solver=solver, max_iter=20, random_state=0)
    est.fit(X / 16, y)
    weights = sum(t.numpy().nbytes for t in est.module_.state_dict().values())
    size = len(pickle.dumps(est))
    # The rest (the history of 20 epochs of 9 batches, the parameters) is
    # a few kilobytes.
    assert copies * weights < size < copies * weights + 16_000


# ------------------------------------------------- loading on another device
def _as_if_trained_on(est, device: str) -> dict:
    """``est``'s saved state, as a model trained on ``device`` saves it:
    the device, and that device's generator state."""
    state = est.__getstate__()
    state["_net_state"]["device"] = device
    state["_rng_state"] = (state["_rng_state"][0], np.zeros(16, dtype=np.uint8))
    return state


def _load(cls, state):
    """What pickle does with a saved state."""
    restored = cls.__new__(cls)
    restored.__setstate__(state)
    return restored


@pytest.mark.parametrize("device", ["cuda:0", "mps"])
@pytest.mark.parametrize("entry", registry())
def test_model_trained_on_an_accelerator_loads_on_the_cpu(entry, device, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    X, y = entry.make_data()
    est = entry.partial_fit(entry.estimator(), X, y)
    state = _as_if_trained_on(est, device)
    with pytest.warns(
        UserWarning,
        match=f"trained on {device}, which this machine does not have: it was "
        "loaded on the CPU",
    ) as caught:
        restored = _load(type(est), state)
    assert "To train it further" not in str(caught[0].message)  # device="auto"
    assert {p.device.type for p in restored.module_.parameters()} == {"cpu"}
    assert restored.net_.device == torch.device("cpu")
    assert restored._rng_state[1] is None  # the accelerator's generator
    assert_same_outputs(entry, est, restored, X)
    # It trains on as the original (trained on this CPU) does.
    entry.partial_fit(est, X, y)
    entry.partial_fit(restored, X, y)
    assert_same_module(est, restored)


def test_model_trained_on_cuda_with_device_cuda_says_how_to_train_further(
    monkeypatch,
):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    X, y = load_digits(return_X_y=True)
    est = sknn.MLPClassifier(max_iter=3, random_state=0).fit(X, y)
    state = _as_if_trained_on(est, "cuda:0")
    state["device"] = "cuda"  # the parameter it was trained with
    with pytest.warns(UserWarning, match="set device='cpu' or 'auto'"):
        restored = _load(sknn.MLPClassifier, state)
    np.testing.assert_array_equal(restored.predict(X), est.predict(X))
    with pytest.raises(ValueError, match="CUDA is not available"):
        restored.partial_fit(X, y)
    restored.set_params(device="cpu").partial_fit(X, y)
    assert len(restored.loss_curve_) == 4


_LOAD_WITHOUT_CUDA = """
import pickle, sys, warnings
import numpy as np
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    model = pickle.load(open(sys.argv[1], "rb"))
X = np.load(sys.argv[2])
np.save(sys.argv[3], model.predict_proba(X))
print([str(w.message) for w in caught])
"""


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_model_trained_on_cuda_loads_in_a_process_without_cuda(tmp_path):
    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)
    est = sknn.MLPClassifier(max_iter=5, device="cuda", random_state=0).fit(X, y)
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(est))
    np.save(tmp_path / "X.npy", X)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            _LOAD_WITHOUT_CUDA,
            path,
            tmp_path / "X.npy",
            tmp_path / "proba.npy",
        ],
        env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "which this machine does not have: it was loaded on the CPU" in out
    proba = np.load(tmp_path / "proba.npy")
    np.testing.assert_allclose(proba, est.predict_proba(X), atol=1e-5)


# ------------------------------------------------------------------- skops
def test_skops_round_trip_trusting_only_sknn_types(fitted):
    entry, est, X, _ = fitted
    data = skops.io.dumps(est)
    untrusted = skops.io.get_untrusted_types(data=data)
    assert untrusted and all(name.startswith("sknn.") for name in untrusted)
    restored = skops.io.loads(data, trusted=untrusted)
    assert type(restored) is type(est)
    assert_same_outputs(entry, est, restored, X)
    assert_same_module(est, restored)
    assert restored.get_params() == est.get_params()
    assert restored.loss_curve_ == est.loss_curve_
    assert restored.history_ == est.history_


@pytest.mark.parametrize("entry", registry())
def test_skops_model_continues_with_partial_fit(entry):
    X, y = entry.make_data()
    est = entry.partial_fit(entry.estimator(), X, y)
    data = skops.io.dumps(est)
    restored = skops.io.loads(data, trusted=skops.io.get_untrusted_types(data=data))
    entry.partial_fit(est, X, y)
    entry.partial_fit(restored, X, y)
    assert restored.t_ == est.t_ == 2 * len(X)
    assert_same_module(est, restored)


def test_skops_refuses_a_file_that_would_run_other_code():
    X, y = load_digits(return_X_y=True)
    est = sknn.MLPClassifier(max_iter=2, random_state=0).fit(X, y)
    trusted = skops.io.get_untrusted_types(data=skops.io.dumps(est))
    est._planted = os.system  # what a malicious file would call on load
    data = skops.io.dumps(est)
    assert "posix.system" in skops.io.get_untrusted_types(data=data)
    with pytest.raises(UntrustedTypesFoundException, match=r"posix\.system"):
        skops.io.loads(data, trusted=trusted)


# ------------------------------------------------- callbacks with resources
class _LineWriter(Callback):
    """Writes a line per epoch to ``sink`` (an open file: a resource that
    cannot be copied or pickled) and counts its epochs."""

    def __init__(self, sink):
        self.sink = sink

    def initialize(self):
        self.epochs_ = 0
        return self

    def on_epoch_end(self, net, **kwargs):
        self.epochs_ += 1
        self.sink.write(f"{net.history[-1, 'train_loss']}\n")


def test_callbacks_holding_a_resource_share_it_and_never_their_state(tmp_path):
    X, y = load_digits(return_X_y=True)
    with open(tmp_path / "log.txt", "w") as sink:
        est = sknn.MLPClassifier(max_iter=3, callbacks=[_LineWriter(sink)])
        est.fit(X, y)
        first = dict(est.net_.callbacks_)["_LineWriter_0"]
        cross_val_score(est, X, y, cv=2)
        est.fit(X, y)
        second = dict(est.net_.callbacks_)["_LineWriter_0"]
        assert first is not second and first.sink is second.sink is sink
        assert first.epochs_ == second.epochs_ == 3  # counted apart
        assert not hasattr(est.callbacks[0], "epochs_")  # the parameter's
        with pytest.raises(
            TypeError,
            match=r"its callbacks parameter holds "
            r"_LineWriter, which holds a resource .* "
            r"set_params\(callbacks=None\)",
        ):
            pickle.dumps(est)
    assert len((tmp_path / "log.txt").read_text().splitlines()) == 4 * 3
    # Taken out, the model saves, and predicts as before.
    restored = pickle.loads(pickle.dumps(est.set_params(callbacks=None)))
    np.testing.assert_array_equal(restored.predict(X), est.predict(X))


def test_tensorboard_callback_logs_each_fit(tmp_path):
    X, y = load_digits(return_X_y=True)
    writer = SummaryWriter(tmp_path)
    est = sknn.MLPClassifier(
        max_iter=4, early_stopping=True, callbacks=[TensorBoard(writer)]
    )
    est.fit(X, y)
    cross_val_score(est, X, y, cv=2)
    runs = sorted(tmp_path.glob("events.out.tfevents.*"))
    assert len(runs) == 3  # the writer reopens after each fit has closed it
    for run in runs:
        events = EventAccumulator(str(run))
        events.Reload()
        assert [e.step for e in events.Scalars("Loss/train_loss")] == [1, 2, 3, 4]
        assert len(events.Scalars("Loss/valid_score")) == 4
