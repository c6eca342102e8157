"""Hyperparameter searches on a cluster: joblib's dask backend on a real
``dask.distributed.LocalCluster`` of worker processes, started and closed by
the test. The same search gives the same results as ``n_jobs=1``."""

import os

import distributed
import joblib
import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import (
    GridSearchCV,
    RandomizedSearchCV,
    StratifiedKFold,
    cross_validate,
)
from skorch.callbacks import Callback

from sknn import CNNClassifier, MLPClassifier


class ThreadProbe(Callback):
    """Records the process and the intra-op threads each epoch trained on."""

    def initialize(self):
        self.epochs_ = []
        return self

    def on_epoch_end(self, net, **kwargs):
        self.epochs_.append((os.getpid(), torch.get_num_threads()))


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes with one thread each, on loopback."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as local,
        distributed.Client(local) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X[:600] / 16.0).astype(np.float32), y[:600]


def _searches():
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    mlp = GridSearchCV(
        MLPClassifier(max_iter=15, random_state=0),
        {"hidden_layer_sizes": [(16,), (64,)], "alpha": [1e-4, 1e-1]},
        cv=cv,
    )
    cnn = RandomizedSearchCV(
        CNNClassifier(input_shape=(1, 8, 8), max_iter=4, random_state=0),
        {"learning_rate_init": [1e-4, 1e-3, 3e-3], "batch_size": [32, 64]},
        n_iter=3,
        cv=cv,
        random_state=0,
    )
    return {"mlp": mlp, "cnn": cnn}


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_a_search_on_dask_workers_equals_the_search_in_one_process(
    cluster, digits, name
):
    X, y = digits
    serial = _searches()[name].set_params(n_jobs=1).fit(X, y)
    on_dask = _searches()[name].set_params(n_jobs=-1)
    with joblib.parallel_config(backend="dask"):
        on_dask.fit(X, y)
    assert on_dask.best_params_ == serial.best_params_
    for key in ("mean_test_score", "std_test_score", "rank_test_score"):
        np.testing.assert_array_equal(on_dask.cv_results_[key], serial.cv_results_[key])
    assert on_dask.cv_results_["params"] == serial.cv_results_["params"]
    # The refitted best model is the serial one, and predicts as it does.
    np.testing.assert_array_equal(on_dask.predict(X), serial.predict(X))


def test_fitted_estimators_come_back_from_the_workers_trained_on_their_threads(
    cluster, digits
):
    X, y = digits
    model = MLPClassifier((32,), max_iter=5, random_state=0, callbacks=[ThreadProbe()])
    cv = StratifiedKFold(2, shuffle=True, random_state=0)
    serial = cross_validate(model, X, y, cv=cv, return_estimator=True)
    with joblib.parallel_config(backend="dask"):
        on_dask = cross_validate(model, X, y, cv=cv, return_estimator=True, n_jobs=-1)
    np.testing.assert_array_equal(on_dask["test_score"], serial["test_score"])
    workers = set(cluster.run(os.getpid).values())
    assert len(workers) == 2 and os.getpid() not in workers
    for here, there in zip(serial["estimator"], on_dask["estimator"], strict=True):
        assert type(there) is MLPClassifier
        np.testing.assert_array_equal(there.predict(X), here.predict(X))
        np.testing.assert_array_equal(there.coefs_[0], here.coefs_[0])
        # Trained on a worker, on the one thread the worker was given.
        probe = dict(there.net_.callbacks_)["ThreadProbe_0"]
        assert [threads for _, threads in probe.epochs_] == [1] * 5
        assert {pid for pid, _ in probe.epochs_} <= workers


def test_a_worker_trains_on_the_threads_it_is_given(cluster, digits, monkeypatch):
    """A step of (256, 256) on 200 rows would take two threads here (the
    control, on an idle machine); a dask worker gives each task one thread
    (OMP_NUM_THREADS=1 in its process), and sknn trains on that one."""
    X, y = digits
    model = MLPClassifier((256, 256), max_iter=2, callbacks=[ThreadProbe()])
    monkeypatch.setattr("sknn._device.free_cores", lambda: 2)
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        here = model.fit(X, y)
    finally:
        torch.set_num_threads(before)
    assert [t for _, t in dict(here.net_.callbacks_)["ThreadProbe_0"].epochs_] == [2, 2]

    assert set(cluster.run(torch.get_num_threads).values()) == {1}
    cv = StratifiedKFold(2, shuffle=True, random_state=0)
    with joblib.parallel_config(backend="dask"):
        result = cross_validate(model, X, y, cv=cv, return_estimator=True, n_jobs=-1)
    for fitted in result["estimator"]:
        epochs = dict(fitted.net_.callbacks_)["ThreadProbe_0"].epochs_
        assert [threads for _, threads in epochs] == [1, 1]
