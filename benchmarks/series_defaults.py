"""How the series estimators' defaults were chosen, and how they compare with
the field: the eight classification series and the two regression series
bundled in the ``aeon`` wheel (``pip install --no-deps aeon==1.6.0``), with
the archive's train/test splits (read by :mod:`defaults`, which this study
extends), and 3 seeds of every model that draws random numbers.

Classification (accuracy): ACSF1, ArrowHead, BasicMotions, GunPoint,
ItalyPowerDemand, JapaneseVowels (variable length), OSULeaf and
PickupGestureWiimoteZ (variable length). Regression (RMSE, as aeon's
regression benchmarks; lower is better): Covid3Month and CardanoSentiment.

Models:

- ``sknn-series`` (:class:`sknn.SeriesClassifier` / ``SeriesRegressor``
  with its defaults) and its variants, ``"sknn-series:alpha=1.0"``;
- ``sknn-series-crops``: the same, trained on each series and two crops of
  it (its first and its last 90 % of steps, same label and weight): the
  study's deterministic augmentation, which keeps a weight of 2 equal to
  two copies;
- ``sknn-cnn`` and ``sknn-rnn``: the architecture estimators' defaults;
- the references on the same splits: ``rf`` (scikit-learn's random forest of
  500 trees on the flattened series, zero-padded), ``svc`` (SVC/SVR),
  ``sklearn-mlp``, ``minirocket`` (MiniRocket and a ridge model with its
  regularisation chosen by cross-validation, written independently in
  ``series_references.py``) and ``inceptiontime`` (one InceptionTime network,
  its published recipe cut to ``series_references.INCEPTION_EPOCHS``).

Every fit goes in a JSONL cache (``results/series_runs.jsonl``), so that a
run only adds what is missing; the fit times are of this machine's 2 cores,
one fit at a time.

Usage::

    python benchmarks/series_defaults.py                      # every model
    python benchmarks/series_defaults.py --models sknn-series "sknn-series:alpha=1.0"
    python benchmarks/series_defaults.py --summary-only
"""

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import _cache
import numpy as np
from defaults import Split, parse_model, series_split
from series_references import MiniRocketRidge, inception_time
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.svm import SVC, SVR

RESULTS = Path(__file__).parent / "results" / "series_runs.jsonl"
CLASSIFICATION = [
    "ACSF1",
    "ArrowHead",
    "BasicMotions",
    "GunPoint",
    "ItalyPowerDemand",
    "JapaneseVowels",
    "OSULeaf",
    "PickupGestureWiimoteZ",
]
REGRESSION = ["Covid3Month", "CardanoSentiment"]
SEEDS = (0, 1, 2)

# InceptionTime's published accuracies on these splits (Ismail Fawaz et al.,
# 2020, and the UCR/UEA archive's results pages): the targets.
INCEPTION_PUBLISHED = {
    "ACSF1": 0.92,
    "ArrowHead": 0.85,
    "BasicMotions": 1.00,
    "GunPoint": 1.00,
    "ItalyPowerDemand": 0.965,
    "JapaneseVowels": 0.97,
    "OSULeaf": 0.94,
    "PickupGestureWiimoteZ": 0.76,
}

DETERMINISTIC = {"svc", "minirocket"}  # one fit: no random numbers (or fixed)


def regression(task: str) -> bool:
    return task in REGRESSION


def split_of(task: str) -> Split:
    split = series_split(task)
    if regression(task):
        split.y_train = split.y_train.astype(float)
        split.y_test = split.y_test.astype(float)
    return split


def _references(task: str, seed: int):
    reg = regression(task)
    return {
        "rf": (RandomForestRegressor if reg else RandomForestClassifier)(
            n_estimators=500, n_jobs=1, random_state=seed
        ),
        "svc": SVR() if reg else SVC(),
        "sklearn-mlp": (MLPRegressor if reg else MLPClassifier)(random_state=seed),
        "minirocket": MiniRocketRidge(regression=reg, seed=seed),
    }


def sknn_model(name: str, params: dict, task: str, seed: int):
    from sknn import (
        CNNClassifier,
        CNNRegressor,
        RNNClassifier,
        RNNRegressor,
        SeriesClassifier,
        SeriesRegressor,
    )

    pick = {
        "sknn-series": (SeriesClassifier, SeriesRegressor),
        "sknn-series-crops": (SeriesClassifier, SeriesRegressor),
        "sknn-cnn": (CNNClassifier, CNNRegressor),
        "sknn-rnn": (RNNClassifier, RNNRegressor),
    }[name]
    return pick[regression(task)](random_state=seed, **params)


def sknn_inputs(name: str, split: Split):
    """The series as a user passes them to each estimator: lists of
    ``(n_channels, length_i)`` arrays to the series estimator, lists of
    ``(length_i, n_channels)`` to the RNN, zero-padded ``(n, channels,
    length)`` arrays to the CNN (one signal per row when univariate)."""
    if name.startswith("sknn-series"):
        return [s.T for s in split.train], [s.T for s in split.test]
    if name == "sknn-rnn":
        return list(split.train), list(split.test)
    X_train, X_test = split.arrays()
    if X_train.shape[1] == 1:
        return X_train[:, 0], X_test[:, 0]
    return X_train, X_test


def with_crops(X: list, y: np.ndarray) -> tuple[list, np.ndarray]:
    """Each (channels, length) series, then its first and its last 90 %
    of steps (at least 9 of them), with its label."""
    crops = []
    for s in X:
        keep = max(9, round(0.9 * s.shape[-1]))
        crops += [s, s[..., :keep], s[..., -keep:]]
    return crops, np.repeat(y, 3)


def run_one(task: str, spec: str, seed: int) -> dict:
    split = split_of(task)
    name, params = parse_model(spec)
    start = time.perf_counter()
    if name.startswith("sknn-"):
        X_train, X_test = sknn_inputs(name, split)
        model = sknn_model(name, params, task, seed)
        if name == "sknn-cnn" and np.ndim(X_train) == 3:
            model.set_params(input_shape=X_train.shape[1:])
        y_train = split.y_train
        if name == "sknn-series-crops":
            X_train, y_train = with_crops(X_train, y_train)
        model.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        predicted = model.predict(X_test)
    elif name == "inceptiontime":
        X_train, X_test = split.arrays()
        predicted = inception_time(
            X_train, split.y_train, X_test, regression(task), seed
        )
        seconds = time.perf_counter() - start
    else:
        X_train, X_test = split.arrays()
        model = _references(task, seed)[name]
        if name != "minirocket":
            X_train, X_test = (a.reshape(len(a), -1) for a in (X_train, X_test))
        model.fit(X_train, split.y_train)
        seconds = time.perf_counter() - start
        predicted = model.predict(X_test)
    record = {
        "task": task,
        "model": spec,
        "config": config(spec, task),
        "seed": seed,
        "fit_seconds": seconds,
    }
    if regression(task):
        error = np.asarray(predicted, dtype=float) - split.y_test
        record["rmse"] = float(np.sqrt(np.mean(error**2)))
    else:
        record["accuracy"] = float(np.mean(predicted == split.y_test))
    return record


def config(spec: str, task: str) -> str:
    """What a model is, whatever its spec's spelling: for the sknn estimators
    all their parameters, so that cached fits of the defaults are not taken
    for those of new defaults."""
    name, params = parse_model(spec)
    if not name.startswith("sknn-"):
        return spec
    try:
        values = sknn_model(name, params, task, 0).get_params()
    except TypeError:  # a classifier's parameter, on a regression task
        return spec
    for key in ("random_state", "verbose", "device", "callbacks"):
        values.pop(key)
    return name + ":" + ",".join(f"{k}={v!r}" for k, v in sorted(values.items()))


def record_key(record: dict) -> tuple:
    return record["task"], record["config"], record["seed"]


def run(tasks: list[str], specs: list[str], path: Path = RESULTS, seeds=SEEDS) -> dict:
    records = _cache.read_records(path, record_key)
    for task in tasks:
        for spec in specs:
            name = parse_model(spec)[0]
            for seed in (0,) if name in DETERMINISTIC else seeds:
                if (task, config(spec, task), seed) in records:
                    continue
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    record = run_one(task, spec, seed)
                _cache.append_record(record, path)
                records[record_key(record)] = record
                score = record.get("accuracy", record.get("rmse"))
                print(
                    f"{task:22s} {spec:36s} seed {seed}: {score:.3f} in "
                    f"{record['fit_seconds']:.1f} s",
                    flush=True,
                )
    return records


def summary(records: dict, tasks: list[str], specs: list[str]) -> str:
    """Markdown: the mean score over seeds per task and model, the mean over
    the tasks (accuracy) and the longest mean fit time."""
    classifying = not any(regression(t) for t in tasks)
    lines = [
        "| model | "
        + " | ".join(tasks)
        + (" | mean |" if classifying else " |")
        + " longest fit |",
        "|---" * (len(tasks) + (3 if classifying else 2)) + "|",
    ]
    metric = "accuracy" if classifying else "rmse"
    for spec in specs:
        cells, means, longest = [], [], 0.0
        for task in tasks:
            mine = [
                r for k, r in records.items() if k[:2] == (task, config(spec, task))
            ]
            if not mine:
                cells.append("")
                continue
            mean = statistics.mean(r[metric] for r in mine)
            means.append(mean)
            cells.append(f"{mean:.3f}" if classifying else f"{mean:.4f}")
            longest = max(longest, statistics.mean(r["fit_seconds"] for r in mine))
        overall = (
            f" {statistics.mean(means):.3f} |"
            if classifying and len(means) == len(tasks)
            else (" |" if classifying else "")
        )
        lines.append(
            f"| {spec} | " + " | ".join(cells) + f" |{overall} {longest:.0f} s |"
        )
    if classifying:
        published = [INCEPTION_PUBLISHED.get(t) for t in tasks]
        if all(published):
            lines.append(
                "| InceptionTime (published) | "
                + " | ".join(f"{p:.3f}" for p in published)
                + f" | {statistics.mean(published):.3f} | |"
            )
    return "\n".join(lines)


DEFAULT_MODELS = [
    "sknn-series",
    "sknn-cnn",
    "rf",
    "svc",
    "sklearn-mlp",
    "minirocket",
]


def main(argv=None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=DEFAULT_MODELS)
    parser.add_argument("--tasks", default=",".join(CLASSIFICATION + REGRESSION))
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=list(SEEDS), help="of random models"
    )
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--summary-only", action="store_true")
    args = parser.parse_args(argv)
    tasks = args.tasks.split(",")
    records = _cache.read_records(args.results, record_key)
    if not args.summary_only:
        records = run(tasks, args.models, args.results, tuple(args.seeds))
    text = "\n\n".join(
        summary(records, group, args.models)
        for group in (
            [t for t in tasks if not regression(t)],
            [t for t in tasks if regression(t)],
        )
        if group
    )
    print(text)
    return text


if __name__ == "__main__":
    sys.exit(main() and 0)
