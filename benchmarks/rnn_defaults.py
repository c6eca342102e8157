"""How the RNN estimators' architecture defaults were chosen: accuracy of each
choice on four sequence tasks, one change at a time from the defaults.

Tasks (held-out accuracy, fixed splits and seeds):

order    a spike and a plateau of random signs in noise; class 1 when the
         spike comes first (2,000 sequences of 24 steps)
parity   whether a binary sequence of 8 steps holds an odd number of ones
         (2,000 sequences)
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

from sknn import RNNClassifier

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


def parity_task(n=2000, length=8, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randint(0, 2, size=(n, length)).astype(float)
    return X, X.sum(1).astype(int) % 2


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


TASKS = {
    "order": order_task,
    "parity": parity_task,
    "digits": digits_task,
    "frequency": frequency_task,
}


def run(quick=False, seeds=(0,)):
    rows = []
    for task, make in TASKS.items():
        X, y = make()
        if quick:
            X, y = X[:200], y[:200]
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.25, random_state=0, stratify=y
        )
        for variant, params in VARIANTS.items():
            scores, times = [], []
            for seed in seeds:
                model = RNNClassifier(random_state=seed, **params)
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
                    "accuracy": statistics.mean(scores),
                    "fit_seconds": statistics.median(times),
                }
            )
            print(
                f"{task:10s} {variant:18s} acc {rows[-1]['accuracy']:.3f} "
                f"fit {rows[-1]['fit_seconds']:.1f} s",
                flush=True,
            )
    return rows


def table(rows) -> str:
    tasks = list(TASKS)
    lines = ["| variant | " + " | ".join(tasks) + " | mean | fit time |"]
    lines.append("|" + "---|" * (len(tasks) + 3))
    for variant in VARIANTS:
        mine = {r["task"]: r for r in rows if r["variant"] == variant}
        accuracies = [mine[t]["accuracy"] for t in tasks]
        seconds = sum(mine[t]["fit_seconds"] for t in tasks)
        lines.append(
            f"| {variant} | "
            + " | ".join(f"{a:.3f}" for a in accuracies)
            + f" | {statistics.mean(accuracies):.3f} | {seconds:.0f} s |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    rows = run(quick=args.quick)
    print()
    print(table(rows))
    if not args.quick:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "rnn_defaults.json").write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
