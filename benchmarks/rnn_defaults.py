"""How the RNN estimators' architecture defaults were chosen: the score of
each choice on four sequence tasks, one change at a time from the defaults.

Tasks (held-out accuracy, R² for forecasting; fixed splits and seeds):

order    a spike and a plateau of random signs in noise; class 1 when the
         spike comes first (2,000 sequences of 24 steps)
forecast a noisy square wave, 3 values ahead of windows of 24 (R², the
         windows after the first 75% of the series)
digits   scikit-learn's digits read row by row: 8 steps of 8 pixels
frequency  noisy sine waves of 3 frequency bands, 10 to 40 steps long
         (variable length, 1,200 sequences)

Usage::

    python benchmarks/rnn_defaults.py            # writes results/rnn_defaults.json
    python benchmarks/rnn_defaults.py --quick    # tiny: checks the script runs
"""

import argparse
import json
import statistics
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sknn import RNNClassifier, RNNRegressor

RESULTS = Path(__file__).parent / "results"

VARIANTS = {
    "defaults": {},
    "cell=lstm": {"cell": "lstm"},
    "cell=rnn": {"cell": "rnn"},
    "hidden_size=32": {"hidden_size": 32},
    "hidden_size=128": {"hidden_size": 128},
    "bidirectional": {"bidirectional": True},
    "pooling=mean": {"pooling": "mean"},
    "pooling=max": {"pooling": "max"},
    "pooling=attention": {"pooling": "attention"},
}


def order_task(n=2000, length=24, seed=0):
    """A spike and a 3-step plateau of random signs in noise, a few steps
    apart; class 1 when the spike comes first."""
    rng = np.random.RandomState(seed)
    X = 0.3 * rng.normal(size=(n, length))
    y = rng.randint(0, 2, n)
    for row, label in zip(X, y, strict=True):
        gap = rng.randint(1, 4)
        start = rng.randint(0, length - 3 - gap)
        spike, plateau = (start, start + gap + 1) if label else (start + gap + 2, start)
        row[spike] += 3.0 * rng.choice([-1, 1])
        row[plateau : plateau + 3] += 1.5 * rng.choice([-1, 1])
    return X, y


def forecast_task(n=1600, seed=0):
    """A noisy square wave in windows of 24 values; 3 values ahead to predict."""
    rng = np.random.RandomState(seed)
    t = np.arange(n + 26)
    series = np.sign(np.sin(t / 8)) + 0.2 * rng.normal(size=t.size)
    windows = np.lib.stride_tricks.sliding_window_view(series, 27)
    return windows[:, :24], windows[:, 24:]


def digits_task():
    X, y = load_digits(return_X_y=True)
    return (X / 16).reshape(-1, 8, 8), y


def frequency_task(n=1200, seed=0):
    rng = np.random.RandomState(seed)
    y = rng.randint(0, 3, n)
    X = []
    for label in y:
        length = rng.randint(10, 41)
        period = (4, 7, 11)[label] * rng.uniform(0.85, 1.15)
        t = np.arange(length) + rng.uniform(0, 20)
        X.append(np.sin(2 * np.pi * t / period) + 0.5 * rng.normal(size=length))
    return X, y


# name: (data, estimator, split kept in time order for forecasting)
TASKS = {
    "order": (order_task, RNNClassifier),
    "digits": (digits_task, RNNClassifier),
    "frequency": (frequency_task, RNNClassifier),
    "forecast": (forecast_task, RNNRegressor),
}


def run(tasks, quick=False, seeds=(0,)):
    rows = []
    for task in tasks:
        make, estimator = TASKS[task]
        X, y = make()
        if quick:
            X, y = X[:200], y[:200]
        classify = estimator is RNNClassifier
        X_train, X_test, y_train, y_test = train_test_split(
            X,
            y,
            test_size=0.25,
            random_state=0 if classify else None,
            shuffle=classify,
            stratify=y if classify else None,
        )
        for variant, params in VARIANTS.items():
            scores, times = [], []
            for seed in seeds:
                model = estimator(random_state=seed, **params)
                if quick:
                    model.set_params(max_iter=2, hidden_size=8)
                start = time.perf_counter()
                model.fit(X_train, y_train)
                times.append(time.perf_counter() - start)
                scores.append(model.score(X_test, y_test))
            rows.append(
                {
                    "task": task,
                    "variant": variant,
                    "score": statistics.mean(scores),
                    "fit_seconds": statistics.median(times),
                }
            )
            print(
                f"{task:10s} {variant:18s} score {rows[-1]['score']:.3f} "
                f"fit {rows[-1]['fit_seconds']:.1f} s",
                flush=True,
            )
    return rows


def table(rows) -> str:
    tasks = [task for task in TASKS if any(r["task"] == task for r in rows)]
    lines = ["| variant | " + " | ".join(tasks) + " | mean | fit time |"]
    lines.append("|" + "---|" * (len(tasks) + 3))
    for variant in VARIANTS:
        mine = {r["task"]: r for r in rows if r["variant"] == variant}
        scores = [mine[t]["score"] for t in tasks]
        seconds = sum(mine[t]["fit_seconds"] for t in tasks)
        lines.append(
            f"| {variant} | "
            + " | ".join(f"{a:.3f}" for a in scores)
            + f" | {statistics.mean(scores):.3f} | {seconds:.0f} s |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", choices=list(TASKS), default=list(TASKS))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    rows = run(args.tasks, quick=args.quick)
    if not args.quick:
        # Tasks run alone replace their rows in the saved results.
        path = RESULTS / "rnn_defaults.json"
        if path.exists():
            saved = json.loads(path.read_text())
            rows = [r for r in saved if r["task"] not in args.tasks] + rows
        RESULTS.mkdir(exist_ok=True)
        path.write_text(json.dumps(rows, indent=2) + "\n")
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
