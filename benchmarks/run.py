"""Side-by-side speed benchmark: sknn vs a plain PyTorch loop vs skorch vs sklearn.

Every case runs all competitors in this one process, interleaved, several
times; the table reports the median time of each and its ratio to the plain
PyTorch loop (these machines are shared and noisy: ratios measured side by
side are what count), plus the accuracy each reached on held-out data, so
that speed is never bought with quality.

Cases
-----
a  training, 50,000 x 64 features, 10 classes, hidden (256, 256), batch 256,
   Adam, 10 epochs
b  training, 2,000 x 64, 10 classes, hidden (64, 64), batch 32, Adam, 30 epochs
c  predict and predict_proba latency, 1 row and 5,000 rows (case b's model)
d  the other estimators against a plain loop with the same module, on the
   digits, batch 64, 20 epochs: CNNClassifier on 8x8 images, filters (32, 64);
   RNNClassifier reading them row by row (8 steps of 8 pixels), GRU of 64;
   Autoencoder(n_components=16) on their rows and CNNAutoencoder(n_components=16)
   on the images (acc: reconstruction R²)
e  how training grows with data: case a's network, 1 epoch, at 10k, 100k and
   1M rows, with the peak memory of each fit (each fit runs in a fresh process
   so that its peak is its own): ``memory`` is the fit's peak resident memory
   beyond what the process held before, plus the data, over the data plus the
   model (1.00x = no copy of anything)

Usage::

    python benchmarks/run.py                 # every case, 3 repeats
    python benchmarks/run.py --cases b c --repeats 5
    python benchmarks/run.py --quick         # tiny sizes: checks the script runs
    python benchmarks/run.py --cases e --sizes 10000 100000

Results go to stdout as a table and to ``benchmarks/results/latest.json``.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import sklearn
import skorch
import torch
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SklearnMLP
from torch import nn

import sknn
from sknn import (
    Autoencoder,
    CNNAutoencoder,
    CNNClassifier,
    MLPClassifier,
    RNNClassifier,
)
from sknn.modules import CNN, MLP, RNN, ConvAutoencoder, DenseAutoencoder

RESULTS = Path(__file__).parent / "results"

TRAINING_CASES = {
    "a": dict(n_samples=50_000, hidden=(256, 256), batch_size=256, epochs=10),
    "b": dict(n_samples=2_000, hidden=(64, 64), batch_size=32, epochs=30),
}
QUICK = dict(n_samples=1_000, hidden=(32,), batch_size=64, epochs=2)


def make_data(n_samples, seed=0):
    X, y = make_classification(
        n_samples=int(n_samples * 1.25),
        n_features=64,
        n_informative=32,
        n_classes=10,
        random_state=seed,
    )
    X = ((X - X.mean(0)) / X.std(0)).astype(np.float32)
    return train_test_split(X, y, train_size=n_samples, random_state=seed)


# ---------------------------------------------------------------- competitors
def plain_torch_loop(module, X, y, batch_size, epochs, loss_fn=None):
    """The fast way to write the loop by hand: tensors converted once, a random
    permutation per epoch, slices as batches, Adam with torch's defaults.
    Returns the trained module, in eval mode."""
    X_t = torch.from_numpy(X)
    y_t = torch.from_numpy(y) if y.dtype.kind == "f" else torch.from_numpy(y).long()
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3)
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    module.train()
    for _ in range(epochs):
        order = torch.randperm(len(X_t))
        for start in range(0, len(X_t), batch_size):
            index = order[start : start + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(module(X_t[index]), y_t[index])
            loss.backward()
            optimizer.step()
    return module.eval()


def class_predictor(module):
    """``predict`` of a trained classification module: the top class."""

    def predict(X_new):
        with torch.inference_mode():
            return module(torch.from_numpy(X_new)).argmax(1).numpy()

    return predict


def train_plain_torch(X, y, hidden, batch_size, epochs, seed):
    torch.manual_seed(seed)
    module = MLP(X.shape[1], 10, hidden)
    return class_predictor(plain_torch_loop(module, X, y, batch_size, epochs))


def train_sknn(X, y, hidden, batch_size, epochs, seed):
    model = MLPClassifier(
        hidden,
        batch_size=batch_size,
        max_iter=epochs,
        n_iter_no_change=np.inf,
        alpha=0.0,
        random_state=seed,
        device="cpu",
    )
    model.fit(X, y)
    return model.predict


def train_skorch(X, y, hidden, batch_size, epochs, seed):
    torch.manual_seed(seed)
    net = skorch.NeuralNetClassifier(
        MLP,
        module__n_features=X.shape[1],
        module__n_outputs=10,
        module__hidden_layer_sizes=hidden,
        criterion=nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        batch_size=batch_size,
        max_epochs=epochs,
        iterator_train__shuffle=True,
        train_split=None,
        verbose=0,
    )
    net.fit(X, y.astype(np.int64))
    return net.predict


def train_sklearn(X, y, hidden, batch_size, epochs, seed):
    model = SklearnMLP(
        hidden,
        batch_size=batch_size,
        max_iter=epochs,
        n_iter_no_change=np.inf,
        alpha=0.0,
        random_state=seed,
    )
    model.fit(X, y)
    return model.predict


TRAINERS = {
    "plain torch": train_plain_torch,
    "sknn": train_sknn,
    "skorch": train_skorch,
    "sklearn": train_sklearn,
}


# ---------------------------------------------------------------- measuring
def time_call(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def run_training_case(name, params, repeats):
    X, X_test, y, y_test = make_data(params["n_samples"])
    args = (params["hidden"], params["batch_size"], params["epochs"])
    times = {k: [] for k in TRAINERS}
    accuracy = {k: [] for k in TRAINERS}
    for repeat in range(repeats):
        for label, trainer in TRAINERS.items():  # interleaved: same noise for all
            seconds, predict = time_call(trainer, X, y, *args, repeat)
            times[label].append(seconds)
            accuracy[label].append(float(np.mean(predict(X_test) == y_test)))
    return summarize(f"{name}: train", times, accuracy, reference="plain torch")


def run_estimator_case(title, estimator, module, X, y, batch_size, epochs, repeats):
    """One sknn estimator against the plain loop training the same module on
    the same float32 data: same batch size and epochs, no penalty, no early
    stop, held-out accuracy."""
    X, X_test, y, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

    def plain(seed):
        torch.manual_seed(seed)
        return class_predictor(plain_torch_loop(module(), X, y, batch_size, epochs))

    def ours(seed):
        model = estimator.set_params(
            batch_size=batch_size,
            max_iter=epochs,
            n_iter_no_change=np.inf,
            alpha=0.0,
            random_state=seed,
            device="cpu",
        )
        return model.fit(X, y).predict

    times = {"plain torch": [], "sknn": []}
    accuracy = {"plain torch": [], "sknn": []}
    for repeat in range(repeats):
        for label, trainer in (("plain torch", plain), ("sknn", ours)):
            seconds, predict = time_call(trainer, repeat)
            times[label].append(seconds)
            accuracy[label].append(float(np.mean(predict(X_test) == y_test)))
    return summarize(title, times, accuracy, reference="plain torch")


def run_other_estimators_case(repeats, quick):
    """(d) The CNN and the RNN on the digits (1,797 of them), batch 64, 20
    epochs: CNNClassifier on 8x8 images, filters (32, 64); RNNClassifier
    reading them row by row (8 steps of 8 pixels), one GRU layer of 64."""
    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)
    epochs = 2 if quick else 20
    # The estimators as the plain loop's module and recipe: the same network,
    # Adam at 1e-3, a constant rate, no label smoothing.
    plain = dict(learning_rate="constant", learning_rate_init=1e-3, label_smoothing=0)
    rows = run_estimator_case(
        "d: CNN train",
        CNNClassifier(filters=(32, 64), global_pool=False, normalization=None, **plain),
        lambda: CNN((1, 8, 8), 10),
        X.reshape(-1, 1, 8, 8),
        y,
        64,
        epochs,
        repeats,
    )
    rows += run_estimator_case(
        "d: RNN train",
        RNNClassifier(
            bidirectional=False, clip_grad_norm=None, early_stopping=False, **plain
        ),
        lambda: RNN(8, 10),
        X.reshape(-1, 8, 8),
        y,
        64,
        epochs,
        repeats,
    )
    rows += run_autoencoder_case(
        "d: autoencoder train",
        Autoencoder(n_components=16),
        lambda: DenseAutoencoder(64, 16),
        X,
        repeats,
        epochs,
    )
    rows += run_autoencoder_case(
        "d: CNN autoencoder train",
        CNNAutoencoder(n_components=16),
        lambda: ConvAutoencoder((1, 8, 8), 16),
        X.reshape(-1, 1, 8, 8),
        repeats,
        epochs,
    )
    return rows


def run_autoencoder_case(title, estimator, module, X, repeats, epochs):
    """An autoencoder with 16 components on the digits (rows or images)
    against the plain loop training the same module on the squared error,
    batch 64; the ``acc`` column is the share of the test images' variance
    the reconstruction explains (R²)."""
    X, X_test = train_test_split(X, test_size=0.25, random_state=0)

    def explained(reconstruction):
        return 1 - np.mean((reconstruction - X_test) ** 2) / np.var(X_test)

    def plain(seed):
        torch.manual_seed(seed)
        trained = plain_torch_loop(module(), X, X, 64, epochs, nn.MSELoss())
        with torch.inference_mode():
            return trained(torch.from_numpy(X_test)).numpy()

    def ours(seed):
        model = estimator.set_params(
            batch_size=64,
            max_iter=epochs,
            n_iter_no_change=np.inf,
            alpha=0.0,
            random_state=seed,
            device="cpu",
        ).fit(X)
        return model.inverse_transform(model.transform(X_test))

    times = {"plain torch": [], "sknn": []}
    scores = {"plain torch": [], "sknn": []}
    for repeat in range(repeats):
        for label, trainer in (("plain torch", plain), ("sknn", ours)):
            seconds, reconstruction = time_call(trainer, repeat)
            times[label].append(seconds)
            scores[label].append(float(explained(reconstruction)))
    return summarize(title, times, scores, reference="plain torch")


def run_predict_case(repeats, quick):
    params = QUICK if quick else TRAINING_CASES["b"]
    X, X_test, y, _ = make_data(params["n_samples"])
    X_test = np.resize(X_test, (5_000, X.shape[1])).astype(np.float32)
    model = MLPClassifier(
        params["hidden"], batch_size=params["batch_size"], max_iter=2, random_state=0
    ).fit(X, y)
    module = model.module_
    sk_model = SklearnMLP(params["hidden"], max_iter=2, random_state=0).fit(X, y)
    skorch_net = skorch.NeuralNetClassifier(
        MLP,
        module__n_features=X.shape[1],
        module__n_outputs=10,
        module__hidden_layer_sizes=params["hidden"],
        criterion=nn.CrossEntropyLoss,
        max_epochs=1,
        train_split=None,
    ).fit(X, y.astype(np.int64))

    def plain_predict(rows):
        with torch.inference_mode():
            return module(torch.from_numpy(rows)).argmax(1).numpy()

    def plain_proba(rows):
        with torch.inference_mode():
            return torch.softmax(module(torch.from_numpy(rows)), 1).numpy()

    rows = []
    for n_rows in (1, 5_000):
        batch = X_test[:n_rows]
        for method in ("predict", "predict_proba"):
            competitors = {
                "plain torch": plain_predict if method == "predict" else plain_proba,
                "sknn": getattr(model, method),
                "skorch": getattr(skorch_net, method),
                "sklearn": getattr(sk_model, method),
            }
            loops = max(20, 2_000 // n_rows) if not quick else 5
            times = {k: [] for k in competitors}
            for _ in range(repeats):
                for label, fn in competitors.items():
                    fn(batch)  # warm-up
                    start = time.perf_counter()
                    for _ in range(loops):
                        fn(batch)
                    times[label].append((time.perf_counter() - start) / loops)
            rows += summarize(f"c: {method}, {n_rows} rows", times, None, "plain torch")
    return rows


def _memory_kib():
    """(resident, peak resident) memory of this process, in KiB (Linux)."""
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":")
                values[key] = int(value.split()[0])
    return values["VmRSS"], values["VmHWM"]


def scaling_child(label, n_samples):
    """Run in a fresh process: make the data, fit one epoch, report to stdout."""
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    rng = np.random.default_rng(0)
    X = np.empty((n_samples, 64), dtype=np.float32)
    for start in range(0, n_samples, 100_000):  # no float64 intermediate
        X[start : start + 100_000] = rng.standard_normal(
            (min(100_000, n_samples - start), 64), dtype=np.float32
        )
    y = rng.integers(0, 10, n_samples)
    params = TRAINING_CASES["a"]
    # Warm up torch and the competitor's code paths on a few rows first.
    TRAINERS[label](X[:512], y[:512], params["hidden"], 256, 1, 0)
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # reset the peak to the current resident size
    before, _ = _memory_kib()
    seconds, _ = time_call(
        TRAINERS[label], X, y, params["hidden"], params["batch_size"], 1, 0
    )
    _, peak = _memory_kib()
    model_bytes = 4 * sum(p.numel() for p in MLP(64, 10, params["hidden"]).parameters())
    print(
        json.dumps(
            {
                "seconds": seconds,
                "data_bytes": X.nbytes + y.nbytes,
                "model_bytes": model_bytes,
                "extra_bytes": max(0, peak - before) * 1024,
            }
        )
    )


def run_scaling_case(sizes, repeats):
    import subprocess

    rows = []
    for n_samples in sizes:
        times = {k: [] for k in TRAINERS}
        memory = {k: [] for k in TRAINERS}
        for _ in range(repeats):
            for label in TRAINERS:
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--scaling-child",
                        label,
                        str(n_samples),
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                result = json.loads(out.strip().splitlines()[-1])
                times[label].append(result["seconds"])
                base = result["data_bytes"] + result["model_bytes"]
                memory[label].append(
                    (result["data_bytes"] + result["extra_bytes"]) / base
                )
        case = f"e: 1 epoch, {n_samples:,} rows"
        for row in summarize(case, times, None, "plain torch"):
            row["memory"] = statistics.median(memory[row["competitor"]])
            rows.append(row)
    return rows


def summarize(case, times, accuracy, reference):
    base = statistics.median(times[reference])
    rows = []
    for label, values in times.items():
        median = statistics.median(values)
        acc = None if accuracy is None else statistics.median(accuracy[label])
        rows.append(
            {
                "case": case,
                "competitor": label,
                "median_s": median,
                "ratio": median / base,
                "accuracy": acc,
                "runs": len(values),
            }
        )
    return rows


def format_table(rows):
    lines = [
        f"{'case':<30} {'competitor':<12} {'median':>11} {'ratio':>7} {'acc':>6} "
        f"{'memory':>7}"
    ]
    for row in rows:
        seconds = row["median_s"]
        shown = f"{seconds * 1e6:.0f} us" if seconds < 0.01 else f"{seconds:.3f} s"
        acc = "" if row["accuracy"] is None else f"{row['accuracy']:.3f}"
        memory = f"{row['memory']:.2f}x" if "memory" in row else ""
        lines.append(
            f"{row['case']:<30} {row['competitor']:<12} {shown:>11} "
            f"{row['ratio']:>6.2f}x {acc:>6} {memory:>7}"
        )
    return "\n".join(lines)


def machine():
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "python": sys.version.split()[0],
        "versions": {
            "sknn": sknn.__version__,
            "torch": torch.__version__,
            "skorch": skorch.__version__,
            "sklearn": sklearn.__version__,
            "numpy": np.__version__,
        },
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", nargs="+", default=["a", "b", "c", "d", "e"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, 1 repeat")
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    parser.add_argument(
        "--sizes", nargs="+", type=int, default=[10_000, 100_000, 1_000_000]
    )
    parser.add_argument("--scaling-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scaling_child:
        label, n_samples = args.scaling_child
        return scaling_child(label, int(n_samples))
    repeats = 1 if args.quick else args.repeats

    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    rows = []
    for case in args.cases:
        if case in TRAINING_CASES:
            params = QUICK if args.quick else TRAINING_CASES[case]
            rows += run_training_case(case, params, repeats)
        elif case == "c":
            rows += run_predict_case(repeats, args.quick)
        elif case == "d":
            rows += run_other_estimators_case(repeats, args.quick)
        elif case == "e":
            sizes = [2_000] if args.quick else args.sizes
            rows += run_scaling_case(sizes, repeats)
        else:
            parser.error(f"unknown case {case!r}; choose from a, b, c, d, e")
    print(format_table(rows))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"machine": machine(), "rows": rows}, indent=2))
    print(f"\nwritten to {args.output}")
    return rows


if __name__ == "__main__":
    main()
