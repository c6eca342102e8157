"""A hyperparameter search on a dask cluster, or on Ray, against the same
search in one process.

The search of docs/user_guide/scaling.rst, made larger: ``GridSearchCV`` over
``MLPClassifier(max_iter=100)`` on the digits (1,797 rows scaled to [0, 1]),
``hidden_layer_sizes`` in {(64,), (256,)} and ``alpha`` in {1e-4, 1e-3,
1e-2}, 3-fold: 18 fits and the refit. Timed side by side, ``--repeats`` times:

- ``n_jobs=1``: every fit in this process, sknn choosing its threads;
- ``--backend dask`` (the default): joblib's ``"dask"`` backend on a
  ``LocalCluster`` of 1 and of 2 worker processes with one thread each,
  started once before the timings (their start-up is reported apart); and of
  2 workers started without dask's ``MALLOC_TRIM_THRESHOLD_=65536`` (see
  docs/user_guide/scaling.rst);
- ``--backend ray``: Ray's joblib backend (``ray.util.joblib``) on a local
  Ray instance of 2 CPUs, started once before the timings (reported apart);
  the backend starts a pool of 2 actor processes for each search, which the
  times include.

Usage::

    python benchmarks/search_cluster.py [--backend dask|ray] [--repeats 3]

Results go to stdout and to ``benchmarks/results/search_cluster.json``: the
dask runs at its top level, the Ray runs under its ``"ray"`` key (each
backend's run keeps the other's results); docs/user_guide/scaling.rst quotes
them.
"""

import argparse
import json
import logging
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


def start_ray():
    """A local Ray instance of 2 CPUs, without the dashboard, and joblib's
    ``"ray"`` backend registered."""
    import ray
    from ray.util.joblib import register_ray

    register_ray()
    ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.ERROR)
    return ray


def search(n_jobs):
    return GridSearchCV(
        MLPClassifier(max_iter=100, random_state=0), GRID, cv=3, n_jobs=n_jobs
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["dask", "ray"], default="dask")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)

    clusters, startup = {}, {}
    if args.backend == "dask":
        for key in ((1, True), (2, True), (2, False)):
            start = time.perf_counter()
            clusters[key] = start_cluster(*key)
            startup[key] = time.perf_counter() - start
        close = [c.close for pair in clusters.values() for c in reversed(pair)]
    else:
        start = time.perf_counter()
        ray = start_ray()
        startup["ray"] = time.perf_counter() - start
        close = [ray.shutdown]

    def on_dask(key):
        client = clusters[key][1]
        with client.as_current(), joblib.parallel_config(backend="dask"):
            return search(-1).fit(X, y)

    def on_ray():
        with joblib.parallel_config(backend="ray"):
            return search(-1).fit(X, y)

    runs = {"n_jobs=1, one process": lambda: search(1).fit(X, y)}
    if args.backend == "dask":
        runs["dask, 1 worker"] = lambda: on_dask((1, True))
        runs["dask, 2 workers"] = lambda: on_dask((2, True))
        runs["dask, 2 workers, no trim"] = lambda: on_dask((2, False))
    else:
        runs["ray, 2 workers"] = on_ray
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
        for step in close:
            step()

    reference = statistics.median(times["n_jobs=1, one process"])
    rows = []
    for label, values in times.items():
        median = statistics.median(values)
        rows.append({"run": label, "median_s": median, "ratio": median / reference})
        spread = f"({min(values):.2f}-{max(values):.2f} s)"
        print(f"{label:24s} {median:7.2f} s  {median / reference:5.2f}x  {spread}")
    print(f"cluster start-up: {max(startup.values()):.1f} s at most")
    assert len({repr(b) for b in best.values()}) == 1, best
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "search_cluster.json"
    result = {
        "cpus": os.cpu_count(),
        "repeats": args.repeats,
        "rows": rows,
        "startup_s": max(startup.values()),
        "best_params": repr(best[f"{args.backend}, 2 workers"]),
    }
    stored = json.loads(out.read_text()) if out.exists() else {}
    if args.backend == "ray":
        stored["ray"] = result
    else:
        stored = {**result, **{k: v for k, v in stored.items() if k == "ray"}}
    out.write_text(json.dumps(stored, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
