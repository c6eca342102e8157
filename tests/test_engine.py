"""The shared training engine: batches, epochs without batch hooks, threads."""

import copy
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from conftest import registry
from sklearn.exceptions import ConvergenceWarning
from skorch.callbacks import Callback

from sknn import MLPClassifier, MLPRegressor
from sknn._data import ArrayDataset, BatchLoader
from sknn.modules import MLP


def _dataset(n, sparse=False):
    X = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    X = sp.csr_matrix(X) if sparse else torch.from_numpy(X)
    return ArrayDataset(X, torch.arange(n))


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("shuffle", [False, True])
def test_batches_cover_every_row_once_per_epoch(shuffle, sparse):
    loader = BatchLoader(_dataset(103, sparse), batch_size=10, shuffle=shuffle)
    rows = torch.cat([y for _, y in loader])
    assert sorted(rows.tolist()) == list(range(103))
    if not shuffle:
        assert rows.tolist() == list(range(103))


def test_a_last_batch_of_one_row_joins_the_previous_one():
    loader = BatchLoader(_dataset(21), batch_size=10)
    assert [len(y) for _, y in loader] == [10, 11]
    assert len(loader) == 2


def test_large_data_is_gathered_per_batch_without_a_copy(monkeypatch):
    monkeypatch.setattr("sknn._data.PRESHUFFLE_MAX_BYTES", 0)
    dataset = _dataset(50)
    monkeypatch.setattr(dataset, "take", None)  # a whole copy would fail
    torch.manual_seed(0)
    rows = torch.cat([y for _, y in BatchLoader(dataset, 8, shuffle=True)])
    assert sorted(rows.tolist()) == list(range(50))
    assert rows.tolist() != list(range(50))


def test_batches_carry_sample_weights_in_a_dict():
    dataset = ArrayDataset(torch.zeros(4, 2), torch.arange(4), torch.ones(4))
    X, y = dataset[1:3]
    assert set(X) == {"X", "sample_weight"}
    assert X["X"].shape == (2, 2) and y.tolist() == [1, 2]


class BatchCounter(Callback):
    """A callback that acts on single batches (the skorch protocol)."""

    def initialize(self):
        self.batches_ = 0
        return self

    def on_batch_end(self, net, batch=None, training=False, **kwargs):
        self.batches_ += training


def test_epochs_without_batch_hooks_record_the_same_history(iris):
    X, y = iris
    plain = MLPClassifier((8,), max_iter=5, batch_size=32, random_state=0)
    hooked = MLPClassifier(
        (8,), max_iter=5, batch_size=32, random_state=0, callbacks=[BatchCounter()]
    )
    plain.fit(X, y)
    hooked.fit(X, y)
    assert not plain.net_.batch_hooks_ and hooked.net_.batch_hooks_
    assert plain.loss_curve_ == pytest.approx(hooked.loss_curve_)
    assert plain.t_ == hooked.t_ == 5 * len(X)
    assert len(plain.history_[-1, "batches"]) == len(hooked.history_[-1, "batches"])
    counter = dict(hooked.net_.callbacks_)["BatchCounter_0"]
    assert counter.batches_ == 5 * 5  # 150 rows in batches of 32


def test_losses_read_once_per_epoch_record_what_reads_per_batch_record(monkeypatch):
    # On a GPU the batch losses are read once per epoch, a few hundred at a
    # time; on the CPU each as it comes. Both record the same history.
    from sknn import _engine

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(700, 3)), rng.integers(0, 2, 700)  # 350 batches

    def batch_losses(model):
        return [b["train_loss"] for row in model.history_ for b in row["batches"]]

    settings = dict(hidden_layer_sizes=(4,), batch_size=2, max_iter=2, random_state=0)
    at_once = MLPClassifier(**settings).fit(X, y)
    monkeypatch.setattr(_engine, "reads_at_once", lambda device: False)
    deferred = MLPClassifier(**settings).fit(X, y)
    assert len(batch_losses(at_once)) == 2 * 350
    assert batch_losses(deferred) == batch_losses(at_once)
    assert deferred.loss_curve_ == at_once.loss_curve_


class ThreadProbe(Callback):
    def initialize(self):
        self.threads_ = []
        return self

    def on_epoch_end(self, net, **kwargs):
        self.threads_.append(torch.get_num_threads())


@pytest.mark.parametrize(
    "hidden, batch_size, expected",
    [((8,), 16, 1), ((8,), 150, 1), ((256, 256), 128, 2)],
    ids=["small batches", "small network", "large steps"],
)
def test_threads_follow_the_work_of_a_step_and_the_setting_is_restored(
    iris, monkeypatch, hidden, batch_size, expected
):
    """One thread per FLOPS_PER_THREAD of work in a step: a small network on
    150 rows gets one thread as small batches do; (256, 256) on 128 rows of 4
    features (52 million operations) gets two, torch's setting here."""
    monkeypatch.setattr("sknn._device.free_cores", lambda: 2)  # an idle machine
    X, y = iris
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        clf = MLPClassifier(
            hidden,
            max_iter=2,
            batch_size=batch_size,
            callbacks=[("probe", ThreadProbe())],
            device="cpu",  # the rule is for the CPU's intra-op threads
        ).fit(X, y)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
    assert dict(clf.net_.callbacks_)["probe"].threads_ == [expected] * 2


def test_threads_never_exceed_the_free_cores_or_torchs_setting(monkeypatch):
    """On a loaded machine, a step that would gain from more threads takes
    only the cores nothing else runs on: threads waiting for busy cores at
    every kernel cost far more than they gain."""
    from sknn._device import FLOPS_PER_THREAD, training_threads

    before = torch.get_num_threads()
    torch.set_num_threads(4)
    try:

        def never():
            raise AssertionError("one thread at most by the work: no core count")

        monkeypatch.setattr("sknn._device.free_cores", never)
        assert training_threads(lambda: 1e3) == 1
        monkeypatch.setattr("sknn._device.free_cores", lambda: 4)
        assert training_threads(lambda: 2.5 * FLOPS_PER_THREAD) == 2
        assert training_threads(lambda: 100 * FLOPS_PER_THREAD) == 4  # the setting
        monkeypatch.setattr("sknn._device.free_cores", lambda: 1)
        assert training_threads(lambda: 100 * FLOPS_PER_THREAD) == 1  # loaded

        def uncounted():
            raise AssertionError("torch is set to one thread: nothing to count")

        torch.set_num_threads(1)
        assert training_threads(uncounted) == 1
    finally:
        torch.set_num_threads(before)


@pytest.mark.skipif(not Path("/proc/loadavg").exists(), reason="Linux's /proc")
@pytest.mark.parametrize("own", [1, 3])
def test_free_cores_counts_what_other_processes_run(monkeypatch, tmp_path, own):
    """Free cores: those of the CPU set, less the threads of other processes
    that run or wait to run now (/proc/loadavg's fourth field less this
    process's threads in state R: torch's workers still spinning after a
    parallel region are not load)."""
    import builtins

    from sknn import _device

    monkeypatch.setattr(_device, "own_running_threads", lambda: own)
    monkeypatch.setattr(_device.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    real_open = builtins.open

    def fake_open(path, *args, **kwargs):
        if path == "/proc/loadavg":
            loadavg = tmp_path / "loadavg"
            loadavg.write_text(f"2.50 1.20 0.80 {own + 2}/412 12345\n")
            return real_open(loadavg, *args, **kwargs)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    assert _device.free_cores() == 2  # 4 cores, 2 threads of others running
    monkeypatch.setattr(_device.os, "sched_getaffinity", lambda pid: {0})
    assert _device.free_cores() == 1  # never fewer than one


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="Linux's /proc")
def test_own_running_threads_counts_the_caller():
    from sknn._device import own_running_threads

    assert own_running_threads() >= 1


def test_the_work_of_a_step_is_counted_from_the_module():
    """Forward and backward of a batch through a (10, 10) network on 20
    features: 3 x 2 x (20*10 + 10*10 + 10*1) operations per row."""
    X = np.random.RandomState(0).normal(size=(64, 20)).astype(np.float32)
    y = np.arange(64) % 2
    clf = MLPClassifier((10, 10), max_iter=1, batch_size=32).fit(X, y)
    dataset = ArrayDataset(torch.from_numpy(X), torch.from_numpy(y).float()[:, None])
    assert clf.net_.step_flops(dataset, 32) == 3 * 2 * (200 + 100 + 10) * 32


class _EveryBatch(Callback):
    """Listens to every batch: the step takes skorch's full path."""

    def on_batch_end(self, net, **kwargs):
        pass


def _fit_both_paths(entry, **params):
    X, y = entry.make_data()
    weights = {}
    if entry.kind != "transformer":  # weighted losses and batch statistics
        weights["sample_weight"] = np.random.RandomState(0).uniform(0.5, 2, len(X))
    states = []
    for callbacks in (None, [_EveryBatch()]):
        est = entry.estimator(max_iter=3, random_state=0, callbacks=callbacks, **params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            entry.fit(est, X, y, **weights)
        assert est.net_.batch_hooks_ == (callbacks is not None)
        curve = [row["train_loss"] for row in est.history_]
        states.append((est.module_.state_dict(), curve))
    return states


@pytest.mark.parametrize("solver", ["adam", "adamw", "sgd", "lbfgs"])
@pytest.mark.parametrize("entry", registry())
def test_the_minimal_step_gives_the_full_paths_weights_bit_for_bit(entry, solver):
    """Epochs no callback follows batch by batch take the minimal step; with a
    batch callback, skorch's whole per-batch chain. Same weights, bit for
    bit, and the same learning curve, for every estimator and solver."""
    extra = {"batch_size": 20}
    if solver == "sgd":
        extra["momentum"] = 0.9
    (fast, fast_curve), (full, full_curve) = _fit_both_paths(
        entry, solver=solver, **({} if solver == "lbfgs" else extra)
    )
    assert fast.keys() == full.keys()
    for name in fast:
        assert torch.equal(fast[name], full[name]), name
    assert fast_curve == full_curve


def test_fast_predict_path_matches_validated_input(iris):
    X, y = iris
    clf = MLPClassifier((8,), solver="lbfgs", random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(X.tolist()))
    np.testing.assert_array_equal(
        clf.predict(X[:1]), clf.predict(np.asfortranarray(X[:1]))
    )
    X_bad = X[:2].copy()
    X_bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clf.predict(X_bad)
    with pytest.raises(ValueError, match="4 features"):
        clf.predict(X[:, :3])


INITIAL_WEIGHTS: dict = {}


class InitialWeights(Callback):
    """Keeps a copy of the network's weights as training begins, in
    INITIAL_WEIGHTS (the estimator trains with a copy of the callback)."""

    def __init__(self, key):
        self.key = key

    def on_train_begin(self, net, **kwargs):
        INITIAL_WEIGHTS[self.key] = copy.deepcopy(net.module_.state_dict())


@pytest.mark.parametrize(
    "solver, reference",
    [
        ("adam", lambda params: torch.optim.Adam(params, lr=0.01, fused=False)),
        (
            "adamw",
            # Decoupled decay of the weights only, as the L2 penalty.
            lambda params: torch.optim.AdamW(
                [
                    {"params": [p for p in params if p.ndim > 1]},
                    {"params": [p for p in params if p.ndim == 1], "weight_decay": 0},
                ],
                lr=0.01,
                weight_decay=0.5,
                fused=False,
            ),
        ),
        (
            "sgd",
            lambda params: torch.optim.SGD(
                params, lr=0.01, momentum=0.9, nesterov=True, foreach=False
            ),
        ),
    ],
    ids=["adam", "adamw", "sgd"],
)
def test_the_engine_steps_as_torchs_plain_optimizers(iris, solver, reference):
    """The engine's optimizers (fused kernels on the CPU, and for Adam(W) the
    direct fused step from the second step on) train the network to the
    weights that torch's plain, one-parameter-at-a-time optimizers reach on
    the same loss: scikit-learn's half squared error plus its L2 penalty
    (AdamW: decoupled weight decay of the same weights instead)."""
    X, target = iris[0][:, :3], iris[0][:, 3]
    alpha = 0.5
    reg = MLPRegressor(
        hidden_layer_sizes=(6, 4),
        solver=solver,
        alpha=alpha,
        learning_rate_init=0.01,
        batch_size=len(X),  # one step per epoch
        shuffle=False,
        max_iter=5,
        tol=0.0,
        random_state=0,
        device="cpu",
        callbacks=[InitialWeights(solver)],
    )
    with pytest.warns(ConvergenceWarning):
        reg.fit(X, target)

    module = MLP(3, 1, (6, 4)).double()
    module.load_state_dict(INITIAL_WEIGHTS.pop(solver))
    optimizer = reference(list(module.parameters()))
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(target)
    n = len(X)
    for _ in range(5):
        optimizer.zero_grad()
        loss = (0.5 * (module(X_t)[:, 0] - y_t) ** 2).mean()
        if solver != "adamw":
            penalty = sum(p.square().sum() for p in module.parameters() if p.ndim > 1)
            loss = loss + 0.5 * alpha * penalty / n
        loss.backward()
        optimizer.step()
    for name, param in module.named_parameters():
        torch.testing.assert_close(
            reg.module_.state_dict()[name], param.detach(), rtol=1e-9, atol=1e-12
        )
    assert reg.loss_curve_[-1] > 0


@pytest.mark.parametrize(
    "loss",
    ["squared_error", "absolute_error", "huber", "poisson", "binary", "multiclass"],
)
def test_mean_reduction_is_the_mean_of_the_per_sample_losses(loss):
    from sknn._losses import classification_loss, regression_loss

    rng = torch.Generator().manual_seed(0)
    raw = torch.randn(7, 3, generator=rng, dtype=torch.float64)
    if loss == "multiclass":
        criterion, y = classification_loss(True), torch.tensor([0, 1, 2, 0, 1, 2, 0])
    elif loss == "binary":
        criterion = classification_loss(False)
        y = (torch.rand(7, 3, generator=rng) > 0.5).double()
    else:
        criterion = regression_loss(loss)
        y = torch.rand(7, 3, generator=rng, dtype=torch.float64) * 3
    per_sample = criterion(raw, y, reduction="none")
    assert per_sample.shape == (7,)
    assert criterion(raw, y, reduction="mean").item() == pytest.approx(
        per_sample.mean().item()
    )


def test_a_last_batch_under_a_quarter_of_batch_size_joins_the_previous_one():
    assert [len(y) for _, y in BatchLoader(_dataset(50), batch_size=16)] == [16, 16, 18]
    assert [len(y) for _, y in BatchLoader(_dataset(52), batch_size=16)] == [
        16,
        16,
        16,
        4,
    ]


@pytest.mark.parametrize("weighted", [False, True])
def test_l2_penalty_value_and_gradient_are_sklearns(iris, weighted):
    """The penalty 0.5 * alpha * ||W||^2 / n (n: the weighted batch size) is
    in the loss, and its gradient alpha * W / n in the step, though the engine
    adds the gradient itself rather than through autograd."""
    X, target = iris[0][:, :3], iris[0][:, 3]
    weight = np.linspace(0.5, 2.0, len(X)) if weighted else np.ones(len(X))
    fit_weight = weight if weighted else None
    params = dict(solver="sgd", momentum=0.0, learning_rate_init=0.1, alpha=3.0)
    reg = MLPRegressor(hidden_layer_sizes=(4,), batch_size=len(X), shuffle=False)
    reg.set_params(random_state=0, device="cpu", **params)  # float64 arithmetic
    reg.partial_fit(X, target, sample_weight=fit_weight)
    before = {k: v.clone() for k, v in reg.module_.state_dict().items()}

    # The same step by hand: autograd through the whole penalised loss.
    module = copy.deepcopy(reg.module_).train()
    X_t, y_t, w_t = (torch.from_numpy(a) for a in (X, target, weight))
    n = w_t.sum()
    penalty = sum(p.square().sum() for p in module.parameters() if p.ndim > 1)
    errors = 0.5 * (module(X_t)[:, 0] - y_t) ** 2
    loss = (errors * w_t).sum() / n + 0.5 * params["alpha"] * penalty / n
    loss.backward()

    reg.partial_fit(X, target, sample_weight=fit_weight)
    assert reg.loss_curve_[-1] == pytest.approx(loss.item(), rel=1e-12)
    for name, param in module.named_parameters():
        expected = before[name] - params["learning_rate_init"] * param.grad
        torch.testing.assert_close(reg.module_.state_dict()[name], expected)


@pytest.mark.parametrize("solver", ["adam", "adamw"])
def test_every_parameters_step_count_is_the_number_of_steps(iris, solver):
    """The minimal steps count a group's steps once and give every
    parameter the count at the end of each epoch: the optimizer's state (in
    saved models, for partial_fit) is torch's."""
    X, y = iris
    clf = MLPClassifier((8, 8), solver=solver, batch_size=32, max_iter=3).fit(X, y)
    steps = [state["step"] for state in clf.net_.optimizer_.state.values()]
    assert len(steps) == 6 and all(float(step) == 3 * 5 for step in steps)
    clf.partial_fit(X, y)
    steps = [state["step"] for state in clf.net_.optimizer_.state.values()]
    assert all(float(step) == 4 * 5 for step in steps)  # 5 batches an epoch


def test_sparse_rows_are_densified_a_batch_or_a_bounded_chunk_at_a_time(monkeypatch):
    """Sparse X stays sparse: training densifies one batch at a time, and
    predict and the held-out scoring chunks of at most DENSE_CHUNK_VALUES
    values (here 50 rows of 40 features)."""
    densified = []
    for cls in {sp.csr_matrix, getattr(sp, "csr_array", sp.csr_matrix)}:
        real = cls.toarray

        def recording(self, *args, _real=real, **kwargs):
            densified.append(self.shape[0])
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(cls, "toarray", recording)
    monkeypatch.setattr("sknn._data.DENSE_CHUNK_VALUES", 50 * 40)
    X = sp.random(600, 40, density=0.1, format="csr", random_state=0)
    y = np.asarray(X.sum(axis=1)).ravel() > np.median(np.asarray(X.sum(axis=1)))
    clf = MLPClassifier((8,), batch_size=32, max_iter=2, early_stopping=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    # Batches of 32 (the last one of 540 rows: 28), held-out chunks of 50.
    assert densified and max(densified) <= 50
    assert sum(densified) == 2 * 540 + 2 * 60
    densified.clear()
    assert clf.predict(X).shape == (600,)
    assert max(densified) <= 50 and sum(densified) == 600
