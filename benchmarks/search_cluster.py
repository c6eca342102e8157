"""A hyperparameter search on a dask cluster against the same search in one
process.

The search of docs/user_guide/scaling.rst, made larger: ``GridSearchCV`` over
``MLPClassifier(max_iter=100)`` on the digits (1,797 rows scaled to [0, 1]),
``hidden_layer_sizes`` in {(64,), (256,)} and ``alpha`` in {1e-4, 1e-3,
1e-2}, 3-fold: 18 fits and the refit. Timed side by side, ``--repeats`` times:

- ``n_jobs=1``: every fit in this process, sknn choosing its threads;
- joblib's ``"dask"`` backend on a ``LocalCluster`` of 1 and of 2 worker
  processes with one thread each, started once before the timings (their
  start-up is reported apart); and of 2 workers started without dask's
  ``MALLOC_TRIM_THRESHOLD_=65536`` (see docs/user_guide/scaling.rst).

Usage::

    python benchmarks/search_cluster.py [--repeats 3]

Results go to stdout and to ``benchmarks/results/search_cluster.json``;
docs/user_guide/scaling.rst quotes them.
"""

import argparse
import json
import os
import statistics
import time
import warnings
from pathlib import Path

import dask
import joblib
import numpy as np
from distributed import Client, LocalCluster
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from sknn import MLPClassifier

RESULTS = Path(__file__).parent / "results"
GRID = {"hidden_layer_sizes": [(64,), (256,)], "alpha": [1e-4, 1e-3, 1e-2]}


def start_cluster(n_workers, trim):
    """A LocalCluster of ``n_workers`` processes with one thread each, and
    its client; ``trim=False`` starts the workers without dask's
    ``MALLOC_TRIM_THRESHOLD_=65536``, under which glibc returns freed
    memory at once and every batch's tensors are mapped afresh."""
    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ"))
    if not trim:
        environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
        cluster = LocalCluster(
            n_workers=n_workers, threads_per_worker=1, dashboard_address=None
        )
    return cluster, Client(cluster, set_as_default=False)


def search(n_jobs):
    return GridSearchCV(
        MLPClassifier(max_iter=100, random_state=0), GRID, cv=3, n_jobs=n_jobs
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)

    clusters, startup = {}, {}
    for key in ((1, True), (2, True), (2, False)):
        start = time.perf_counter()
        clusters[key] = start_cluster(*key)
        startup[key] = time.perf_counter() - start

    def on_dask(key):
        client = clusters[key][1]
        with client.as_current(), joblib.parallel_config(backend="dask"):
            return search(-1).fit(X, y)

    runs = {
        "n_jobs=1, one process": lambda: search(1).fit(X, y),
        "dask, 1 worker": lambda: on_dask((1, True)),
        "dask, 2 workers": lambda: on_dask((2, True)),
        "dask, 2 workers, no trim": lambda: on_dask((2, False)),
    }
    times = {label: [] for label in runs}
    best = {}
    try:
        for run in runs.values():
            run()  # warm-up: imports, torch's first optimizer in each worker
        for _ in range(args.repeats):
            for label, run in runs.items():
                start = time.perf_counter()
                fitted = run()
                times[label].append(time.perf_counter() - start)
                best[label] = fitted.best_params_
    finally:
        for cluster, client in clusters.values():
            client.close()
            cluster.close()

    reference = statistics.median(times["n_jobs=1, one process"])
    rows = []
    for label, values in times.items():
        median = statistics.median(values)
        rows.append({"run": label, "median_s": median, "ratio": median / reference})
        print(f"{label:24s} {median:7.2f} s  {median / reference:5.2f}x")
    print(f"cluster start-up: {max(startup.values()):.1f} s at most")
    assert len({repr(b) for b in best.values()}) == 1, best
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "search_cluster.json"
    out.write_text(
        json.dumps(
            {
                "cpus": os.cpu_count(),
                "repeats": args.repeats,
                "rows": rows,
                "startup_s": max(startup.values()),
                "best_params": repr(best["dask, 2 workers"]),
            },
            indent=2,
        )
    )
    print(f"written to {out}")


if __name__ == "__main__":
    main()
