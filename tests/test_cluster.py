"""Hyperparameter searches on a cluster: joblib's dask backend on a real
``dask.distributed.LocalCluster`` of worker processes, and Ray's joblib
backend on a local Ray instance, each started and closed by the tests. The
same search gives the same results as ``n_jobs=1``."""

import contextlib
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass

import distributed
import joblib
import numpy as np
import pytest
import ray
import ray.util.joblib
import torch
from conftest import run_docs_page
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


@dataclass
class Cluster:
    """A joblib backend on worker processes that the fixture started."""

    backend: str
    # Runs a function once in each of two worker processes; their results.
    run: Callable[[Callable], list]
    # Whether the processes ``run`` reaches are those a search's tasks run in
    # (dask's workers), or processes of the same kind started for each call
    # (Ray's joblib backend starts a pool of actor processes per search).
    persistent: bool
    # dask's LocalCluster (None for Ray).
    local: distributed.LocalCluster | None = None


@contextlib.contextmanager
def _dask():
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
        yield Cluster("dask", lambda f: list(client.run(f).values()), True, local)


def _ray_environment(env: pytest.MonkeyPatch):
    """A new local Ray instance, quiet and offline, whatever this process's
    environment says: no usage reports; token authentication (Ray's default
    for a new cluster, whose ports listen on every interface) with a token
    in the environment rather than in ~/.ray/auth_token; no OMP_NUM_THREADS,
    which Ray's workers would inherit instead of setting their own; this
    folder on PYTHONPATH, for the workers to import this module's classes by
    name as dask's (spawned with this process's ``sys.path``) do.

    The token stays in this process's environment for the session: Ray's
    driver keeps the first token it read, which a later ``ray.init`` (the
    docs' Scaling out page) must find again."""
    os.environ.setdefault("RAY_AUTH_TOKEN", secrets.token_hex(32))
    env.setenv("RAY_USAGE_STATS_ENABLED", "0")
    for name in ("RAY_ADDRESS", "RAY_AUTH_MODE", "OMP_NUM_THREADS"):
        env.delenv(name, raising=False)
    env.setenv("PYTHONPATH", os.path.dirname(__file__), prepend=os.pathsep)


@contextlib.contextmanager
def _ray():
    """A local Ray instance of two CPUs, without the dashboard; joblib's
    ``"ray"`` backend starts a pool of two actor processes per search."""

    def run(f):
        with joblib.parallel_config(backend="ray", n_jobs=2):
            return joblib.Parallel()(joblib.delayed(f)() for _ in range(2))

    with pytest.MonkeyPatch.context() as env:
        _ray_environment(env)
        ray.init(
            address="local",
            num_cpus=2,
            include_dashboard=False,
            log_to_driver=False,
            # Hides the notice that token authentication is on, and the pool's
            # warning that it ignores the multiprocessing context joblib
            # passes.
            logging_level=logging.ERROR,
        )
        try:
            ray.util.joblib.register_ray()
            yield Cluster("ray", run, False)
        finally:
            ray.shutdown()


# One dask cluster and one Ray instance for the whole run: every test that
# needs one is in this module (the docs' Scaling out page's too), and the
# module runs whole on one pytest-xdist worker (conftest.py's
# SHARED_FIXTURE_MODULES).


@pytest.fixture(scope="module")
def dask_cluster():
    with _dask() as started:
        yield started


@pytest.fixture(scope="module")
def ray_cluster():
    with _ray() as started:
        yield started


@pytest.fixture(scope="module", params=["dask", "ray"])
def cluster(request):
    return request.getfixturevalue(f"{request.param}_cluster")


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


def _probed():
    """A small MLP whose epochs record where they trained, and its folds."""
    model = MLPClassifier((32,), max_iter=5, random_state=0, callbacks=[ThreadProbe()])
    return model, StratifiedKFold(2, shuffle=True, random_state=0)


@pytest.fixture(scope="module")
def in_one_process(digits):
    """The searches and the cross-validation with ``n_jobs=1``, each fitted
    once, when a test first asks for it, for every backend."""
    X, y = digits
    fitted = {}

    def get(name):
        if name not in fitted:
            if name == "cross_validate":
                model, cv = _probed()
                fitted[name] = cross_validate(model, X, y, cv=cv, return_estimator=True)
            else:
                fitted[name] = _searches()[name].set_params(n_jobs=1).fit(X, y)
        return fitted[name]

    return get


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_a_search_on_the_workers_equals_the_search_in_one_process(
    cluster, digits, in_one_process, name
):
    X, y = digits
    serial = in_one_process(name)
    on_cluster = _searches()[name].set_params(n_jobs=-1)
    with joblib.parallel_config(backend=cluster.backend):
        on_cluster.fit(X, y)
    assert on_cluster.best_params_ == serial.best_params_
    for key in ("mean_test_score", "std_test_score", "rank_test_score"):
        np.testing.assert_array_equal(
            on_cluster.cv_results_[key], serial.cv_results_[key]
        )
    assert on_cluster.cv_results_["params"] == serial.cv_results_["params"]
    # The refitted best model is the serial one, and predicts as it does.
    np.testing.assert_array_equal(on_cluster.predict(X), serial.predict(X))


def test_fitted_estimators_come_back_from_the_workers_trained_on_their_threads(
    cluster, digits, in_one_process
):
    X, y = digits
    model, cv = _probed()
    serial = in_one_process("cross_validate")
    with joblib.parallel_config(backend=cluster.backend):
        on_cluster = cross_validate(
            model, X, y, cv=cv, return_estimator=True, n_jobs=-1
        )
    np.testing.assert_array_equal(on_cluster["test_score"], serial["test_score"])
    trained_in = set()
    for here, there in zip(serial["estimator"], on_cluster["estimator"], strict=True):
        assert type(there) is MLPClassifier
        np.testing.assert_array_equal(there.predict(X), here.predict(X))
        np.testing.assert_array_equal(there.coefs_[0], here.coefs_[0])
        # Trained in one worker process, on the one thread it was given.
        probe = dict(there.net_.callbacks_)["ThreadProbe_0"]
        assert [threads for _, threads in probe.epochs_] == [1] * 5
        pids = {pid for pid, _ in probe.epochs_}
        assert len(pids) == 1 and os.getpid() not in pids
        trained_in |= pids
    if cluster.persistent:
        workers = set(cluster.run(os.getpid))
        assert len(workers) == 2 and os.getpid() not in workers
        assert trained_in <= workers
    else:
        # A pool of its own, one process for each fold.
        assert len(trained_in) == 2


def _threads():
    """OMP_NUM_THREADS in this process, and torch's intra-op threads."""
    return os.environ.get("OMP_NUM_THREADS"), torch.get_num_threads()


def test_a_worker_trains_on_the_threads_it_is_given(cluster, digits, monkeypatch):
    """A step of (256, 256) on 200 rows would take two threads here (the
    control, on an idle machine); each worker process gives its tasks one
    thread (OMP_NUM_THREADS=1 in its process: dask's nanny sets it, and Ray
    sets it to the CPUs a task holds, at least 1, where it is unset; the
    actors of Ray's joblib pool hold none), and sknn trains on that one."""
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

    assert cluster.run(_threads) == [("1", 1), ("1", 1)]
    cv = StratifiedKFold(2, shuffle=True, random_state=0)
    with joblib.parallel_config(backend=cluster.backend):
        result = cross_validate(model, X, y, cv=cv, return_estimator=True, n_jobs=-1)
    for fitted in result["estimator"]:
        epochs = dict(fitted.net_.callbacks_)["ThreadProbe_0"].epochs_
        assert [threads for _, threads in epochs] == [1, 1]


def test_the_scaling_out_page_runs_on_the_clusters(
    dask_cluster, ray_cluster, monkeypatch
):
    """The page's code as written, on this module's clusters: its
    ``LocalCluster`` is the running one, which has the workers it asks for,
    and its ``ray.init`` and ``ray.shutdown`` find Ray running and leave it
    so. Its searches give the results of one process."""

    def local_cluster(**kwargs):
        assert kwargs["n_workers"] == len(dask_cluster.local.workers) == 2
        assert kwargs["threads_per_worker"] == 1
        return contextlib.nullcontext(dask_cluster.local)

    def ray_init(**kwargs):
        assert ray.is_initialized()
        assert kwargs["num_cpus"] == ray.cluster_resources()["CPU"] == 2

    monkeypatch.setattr(distributed, "LocalCluster", local_cluster)
    monkeypatch.setattr(ray, "init", ray_init)
    monkeypatch.setattr(ray, "shutdown", lambda: None)
    page = run_docs_page("user_guide/scaling.rst", monkeypatch)
    assert page.search.best_params_ == page.serial.best_params_
    assert page.on_ray.best_params_ == page.serial.best_params_
    assert page.search.best_estimator_.n_iter_ == 30
