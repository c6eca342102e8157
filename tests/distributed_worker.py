"""One process of the data-parallel tests (``tests/test_distributed.py``).

Launched as torchrun launches a script (``RANK``, ``WORLD_SIZE``,
``MASTER_ADDR``, ``MASTER_PORT`` in the environment), it joins the gloo
process group, fits every scenario below with ``distributed=True`` and
writes what each fitted (:func:`summary`) to ``<out>/rank<rank>.pkl``. The
test fits the same scenarios in one process (``distributed=False``) and
compares.

    python tests/distributed_worker.py OUT [SCENARIO ...]
"""

import datetime
import pickle
import sys
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from sklearn.datasets import make_classification, make_regression

from sknn import (
    Autoencoder,
    CNNAutoencoder,
    CNNClassifier,
    CNNRegressor,
    MLPClassifier,
    MLPRegressor,
    RNNClassifier,
    RNNRegressor,
    TabularClassifier,
    TabularRegressor,
)

# name -> fit(distributed) -> (fitted estimator, X it predicts on)
SCENARIOS = {}

# Scenarios whose model equals one process's, within float tolerance: no
# dropout, no batch statistics (those are each process's own).
MATCH_ONE_PROCESS = set()


def scenario(match_one_process=True):
    def register(fit):
        SCENARIOS[fit.__name__] = fit
        if match_one_process:
            MATCH_ONE_PROCESS.add(fit.__name__)
        return fit

    return register


def rows(n=240, task="classification"):
    """float64 rows (the CPU trains in float64, with the MLPs' dtype=None
    and the others' dtype="float64": tolerances stay tight)."""
    if task == "classification":
        X, y = make_classification(
            n_samples=n, n_features=8, n_informative=5, n_classes=3, random_state=0
        )
    else:
        X, y = make_regression(n_samples=n, n_features=8, noise=5.0, random_state=0)
        y = y / y.std()
    return X.astype(np.float64), y


def signals(n=160):
    """Signals of 2 channels and 16 steps whose class is their trend."""
    rng = np.random.RandomState(0)
    y = rng.randint(0, 2, n)
    steps = np.linspace(-1, 1, 16)
    X = rng.normal(0, 0.5, (n, 2, 16)) + (2 * y - 1)[:, None, None] * steps
    return X.astype(np.float64), y


MLP = dict(hidden_layer_sizes=(16,), max_iter=12, random_state=0)


@scenario()
def adam(distributed):
    X, y = rows()
    # 50 rows a batch: shares of 25 and 25; the last batch (40) too.
    clf = MLPClassifier(**MLP, alpha=0.0, batch_size=50, distributed=distributed)
    return clf.fit(X, y), X


@scenario()
def alpha(distributed):
    X, y = rows()
    # An odd batch (shares of 24 and 25) and a penalty large enough to show.
    clf = MLPClassifier(**MLP, alpha=1.0, batch_size=49, distributed=distributed)
    return clf.fit(X, y), X


@scenario()
def weighted_sgd(distributed):
    X, y = rows(task="regression")
    weight = np.random.RandomState(1).uniform(0.2, 3.0, len(y))
    reg = MLPRegressor(
        **MLP,
        solver="sgd",
        learning_rate="invscaling",
        learning_rate_init=0.05,
        alpha=0.01,
        batch_size=40,
        distributed=distributed,
    )
    return reg.fit(X, y, sample_weight=weight), X


@scenario()
def early_stopping(distributed):
    X, y = rows(400)
    clf = MLPClassifier(
        hidden_layer_sizes=(16,),
        max_iter=200,
        random_state=0,
        learning_rate_init=0.02,
        early_stopping=True,
        n_iter_no_change=3,
        batch_size=60,
        distributed=distributed,
    )
    return clf.fit(X, y), X


@scenario()
def plateau(distributed):
    X, y = rows(task="regression")
    reg = MLPRegressor(
        hidden_layer_sizes=(8,),
        max_iter=300,
        tol=1e-2,
        n_iter_no_change=2,
        random_state=0,
        batch_size=64,
        distributed=distributed,
    )
    return reg.fit(X, y), X


@scenario()
def partial_fit(distributed):
    X, y = rows(task="regression")
    reg = MLPRegressor(**MLP, batch_size=30, distributed=distributed)
    for chunk in np.array_split(np.arange(len(y)), 3):
        reg.partial_fit(X[chunk], y[chunk])
    return reg, X


@scenario()
def lbfgs(distributed):
    X, y = rows(task="regression")
    reg = MLPRegressor(
        hidden_layer_sizes=(8,),
        solver="lbfgs",
        max_iter=40,
        alpha=0.1,
        random_state=0,
        distributed=distributed,
    )
    return reg.fit(X, y), X


@scenario()
def verbose(distributed):
    X, y = rows(120)
    clf = MLPClassifier(**{**MLP, "max_iter": 3}, verbose=True, distributed=distributed)
    return clf.fit(X, y), X


@scenario()
def cnn(distributed):
    X, y = signals()
    clf = CNNClassifier(
        filters=(4,),
        normalization=None,
        max_iter=6,
        batch_size=32,
        random_state=0,
        dtype="float64",
        distributed=distributed,
    )
    return clf.fit(X, y), X


@scenario(match_one_process=False)
def cnn_batch_norm(distributed):
    X, y = signals()
    reg = CNNRegressor(
        filters=(4,), max_iter=6, batch_size=32, random_state=0, distributed=distributed
    )
    return reg.fit(X, y.astype(np.float64)), X


@scenario()
def rnn_classifier(distributed):
    X, y = signals()
    clf = RNNClassifier(
        hidden_size=8,
        max_iter=4,
        batch_size=32,
        random_state=0,
        dtype="float64",
        distributed=distributed,
    )
    return clf.fit(X.transpose(0, 2, 1), y), X.transpose(0, 2, 1)


@scenario()
def rnn_regressor(distributed):
    X, y = signals()
    reg = RNNRegressor(
        hidden_size=8,
        max_iter=4,
        batch_size=32,
        random_state=0,
        dtype="float64",
        distributed=distributed,
    )
    return reg.fit(X.transpose(0, 2, 1), y.astype(np.float64)), X.transpose(0, 2, 1)


@scenario()
def autoencoder(distributed):
    X, _ = rows()
    ae = Autoencoder(
        hidden_layer_sizes=(6,),
        n_components=3,
        max_iter=8,
        batch_size=40,
        random_state=0,
        distributed=distributed,
    )
    return ae.fit(X), X


@scenario()
def cnn_autoencoder(distributed):
    X, _ = signals()
    ae = CNNAutoencoder(
        filters=(4,),
        n_components=3,
        max_iter=4,
        batch_size=32,
        random_state=0,
        dtype="float64",
        distributed=distributed,
    )
    return ae.fit(X), X


@scenario()
def tabular_classifier(distributed):
    X, y = rows(600)
    # 600 rows: early_stopping="auto" holds out a fifth to stop on.
    clf = TabularClassifier(
        hidden_layer_sizes=(16,),
        n_ensemble=2,
        max_iter=6,
        random_state=0,
        dtype="float64",
        distributed=distributed,
    )
    return clf.fit(X, y), X


@scenario()
def tabular_regressor(distributed):
    X, y = rows(task="regression")
    reg = TabularRegressor(
        hidden_layer_sizes=(16,),
        n_ensemble=2,
        max_iter=6,
        random_state=0,
        dtype="float64",
        distributed=distributed,
    )
    return reg.fit(X, y), X


def summary(estimator, X) -> dict:
    """What a fit gave: the weights, the curves, the counts, the outputs."""
    found = {
        "state": {
            name: value.detach().cpu().numpy().copy()
            for name, value in estimator.module_.state_dict().items()
        },
        "loss": estimator.loss_,
        "n_iter": estimator.n_iter_,
        "t": estimator.t_,
    }
    if estimator.solver != "lbfgs":
        found["loss_curve"] = estimator.loss_curve_
        found["validation_scores"] = estimator.validation_scores_
    found["output"] = (
        estimator.transform(X)
        if hasattr(estimator, "transform")
        else estimator.predict(X)
    )
    # Pickled: the fitted estimator itself, as a normal one afterwards.
    found["pickle"] = pickle.dumps(estimator)
    return found


def main(out: Path, names: list[str]) -> None:
    dist.init_process_group("gloo", timeout=datetime.timedelta(seconds=60))
    try:
        rank = dist.get_rank()
        results = {}
        for name in names:
            fitted, X = SCENARIOS[name](True)
            results[name] = summary(fitted, X)
            sys.stdout.flush()
        X, y = rows(20)
        try:  # batches of 1 row cannot be split across 2 processes
            MLPClassifier(batch_size=1, max_iter=1, distributed=True).fit(X, y)
        except ValueError as error:
            results["error"] = str(error)
        (out / f"rank{rank}.pkl").write_bytes(pickle.dumps(results))
        dist.barrier()  # leave together (docs/user_guide/fit_distributed.py)
    finally:
        dist.destroy_process_group()


if __name__ == "__main__":
    torch.set_num_threads(1)
    main(Path(sys.argv[1]), sys.argv[2:] or list(SCENARIOS))
