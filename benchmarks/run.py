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
f  default settings, sknn vs scikit-learn: ``MLPClassifier(max_iter=30)``
   and nothing else set (batch ``"auto"`` = 200, alpha 1e-4, torch's own
   threads) on 3,000 x 40 float64 rows, 5 classes; ``n_iter_no_change`` is
   set off in both so that both run the 30 epochs
g  case f on a busy machine: one CPU-burning process per core runs beside
   the fits (each stops by itself after a deadline, and all are stopped at
   the end of the case)
h  L-BFGS on small data: 200 x 20 float64 rows, 2 classes, hidden (10, 10),
   sknn vs scikit-learn (their iteration counts in the ``acc`` column's
   stead would differ: held-out accuracy, as everywhere)
i  sparse input: 3,000 x 1,000 CSR rows, 2% non-zero, hidden (100,), batch
   200, 20 epochs; each library's sparse fit against its own dense fit of
   the same data
j  float64 input for the CNN: case d's CNNClassifier on the digits as
   float64 images against the same fit on float32 images (sknn trains in the
   input's float64 on the CPU, as scikit-learn does)
k  threads: a training step of dense networks at 1 and 2 intra-op threads,
   with the step's floating-point operations, which set
   ``sknn._device.FLOPS_PER_THREAD`` (``ratio``: the time on 2 threads over
   the time on 1)

On a machine with CUDA, ``--cases cuda`` runs cases a, b and d's CNN on the
GPU too: sknn against the plain loop on the device.

Usage::

    python benchmarks/run.py                 # every case, 3 repeats (cuda: if present)
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


def make_data(n_samples, seed=0, n_features=64, n_classes=10, dtype=np.float32):
    X, y = make_classification(
        n_samples=int(n_samples * 1.25),
        n_features=n_features,
        n_informative=n_features // 2,
        n_classes=n_classes,
        random_state=seed,
    )
    X = ((X - X.mean(0)) / X.std(0)).astype(dtype)
    return train_test_split(X, y, train_size=n_samples, random_state=seed)


# ---------------------------------------------------------------- competitors
def plain_torch_loop(module, X, y, batch_size, epochs, loss_fn=None, device="cpu"):
    """The fast way to write the loop by hand: tensors converted once (and
    moved to ``device`` once), a random permutation per epoch, slices as
    batches, Adam with torch's defaults. Returns the trained module, in eval
    mode."""
    X_t = torch.from_numpy(X).to(device)
    y_t = torch.from_numpy(y) if y.dtype.kind == "f" else torch.from_numpy(y).long()
    y_t = y_t.to(device)
    module = module.to(device)
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3)
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    module.train()
    for _ in range(epochs):
        order = torch.randperm(len(X_t), device=device)
        for start in range(0, len(X_t), batch_size):
            index = order[start : start + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(module(X_t[index]), y_t[index])
            loss.backward()
            optimizer.step()
    return module.eval()


def class_predictor(module):
    """``predict`` of a trained classification module: the top class."""
    device = next(module.parameters()).device

    def predict(X_new):
        with torch.inference_mode():
            return module(torch.from_numpy(X_new).to(device)).argmax(1).cpu().numpy()

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


# ----------------------------------------------------- the cases users feel
def side_by_side(title, competitors, repeats, reference):
    """``competitors``: label -> ``fit(seed)`` returning the held-out
    accuracy. Each runs ``repeats`` times, interleaved, after one warm-up."""
    for fit in competitors.values():
        fit(0)  # warm-up: imports, first-call paths
    times = {label: [] for label in competitors}
    scores = {label: [] for label in competitors}
    for repeat in range(repeats):
        for label, fit in competitors.items():
            seconds, score = time_call(fit, repeat)
            times[label].append(seconds)
            scores[label].append(float(score))
    return summarize(title, times, scores, reference=reference)


def held_out(model, X_test, y_test):
    return np.mean(model.predict(X_test) == y_test)


def mlp_competitors(data, **settings):
    """sknn's and scikit-learn's MLPClassifier with the same ``settings``,
    as ``side_by_side`` competitors on ``data`` (X, X_test, y, y_test)."""
    X, X_test, y, y_test = data

    def fitter(cls):
        def fit(seed):
            model = cls(random_state=seed, **settings).fit(X, y)
            return held_out(model, X_test, y_test)

        return fit

    return {"sknn": fitter(MLPClassifier), "sklearn": fitter(SklearnMLP)}


def defaults_competitors(quick):
    """(f) Both MLPs with their defaults, 30 epochs, on float64 rows."""
    n_samples, epochs = (600, 3) if quick else (3_000, 30)
    data = make_data(n_samples, n_features=40, n_classes=5, dtype=float)
    return mlp_competitors(data, max_iter=epochs, n_iter_no_change=np.inf)


def run_defaults_case(repeats, quick):
    return side_by_side(
        "f: default settings", defaults_competitors(quick), repeats, "sklearn"
    )


def _burn(deadline):
    """Keep one core busy until ``deadline`` (time.time())."""
    while time.time() < deadline:
        pass


def run_busy_case(repeats, quick, budget_s=600):
    """(g) Case f with one CPU-burning process per core beside it. Each
    burner stops by itself after ``budget_s`` seconds whatever happens to
    this process, and all are stopped when the case ends."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # no copy of torch's state
    deadline = time.time() + budget_s
    burners = [
        context.Process(target=_burn, args=(deadline,), daemon=True)
        for _ in range(os.cpu_count() or 1)
    ]
    for burner in burners:
        burner.start()
    try:
        time.sleep(0.5)  # the burners are running
        return side_by_side(
            "g: defaults, busy machine", defaults_competitors(quick), repeats, "sklearn"
        )
    finally:
        for burner in burners:
            burner.terminate()
        for burner in burners:
            burner.join()


def run_lbfgs_case(repeats, quick):
    """(h) L-BFGS on 200 rows of 20 float64 features, hidden (10, 10)."""
    data = make_data(200, n_features=20, n_classes=2, dtype=float, seed=1)
    settings = dict(hidden_layer_sizes=(10, 10), solver="lbfgs")
    if quick:
        settings["max_iter"] = 10
    competitors = mlp_competitors(data, **settings)
    return side_by_side("h: L-BFGS, 200 rows", competitors, repeats, "sklearn")


def run_sparse_case(repeats, quick):
    """(i) Each library on CSR rows against itself on the same rows, dense."""
    import scipy.sparse as sp

    n_samples, n_features, epochs = (600, 200, 2) if quick else (3_000, 1_000, 20)
    rng = np.random.default_rng(0)
    X = sp.random(
        int(n_samples * 1.25), n_features, density=0.02, format="csr",
        random_state=rng, dtype=np.float32,
    )  # fmt: skip
    w = rng.standard_normal((n_features, 5))
    y = np.asarray(X @ w).argmax(1)
    X, X_test, y, y_test = train_test_split(X, y, train_size=n_samples, random_state=0)
    settings = dict(batch_size=200, max_iter=epochs, n_iter_no_change=np.inf)
    rows = []
    for name, cls, label in (
        ("sknn", MLPClassifier, "i: sparse / dense, sknn"),
        ("sklearn", SklearnMLP, "i: sparse / dense, sklearn"),
    ):

        def fit(seed, X=X, cls=cls):
            model = cls(random_state=seed, **settings).fit(X, y)
            return held_out(model, X_test, y_test)

        competitors = {
            f"{name} dense": lambda seed, fit=fit: fit(seed, X.toarray()),
            f"{name} sparse": fit,
        }
        rows += side_by_side(label, competitors, repeats, f"{name} dense")
    return rows


def run_float64_case(repeats, quick):
    """(j) The CNN of case d on float64 images against float32 ones."""
    X, y = load_digits(return_X_y=True)
    X = (X / 16).reshape(-1, 1, 8, 8)
    X, X_test, y, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    epochs = 2 if quick else 10

    def fit(dtype):
        def run(seed):
            model = CNNClassifier(
                filters=(32, 64), global_pool=False, normalization=None,
                learning_rate="constant", learning_rate_init=1e-3,
                label_smoothing=0, batch_size=64, max_iter=epochs,
                n_iter_no_change=np.inf, alpha=0.0, random_state=seed,
                device="cpu",
            ).fit(X.astype(dtype), y)  # fmt: skip
            return held_out(model, X_test.astype(dtype), y_test)

        return run

    competitors = {"sknn float32": fit(np.float32), "sknn float64": fit(np.float64)}
    return side_by_side("j: CNN, float64 input", competitors, repeats, "sknn float32")


def dense_step(hidden, batch_size):
    """One Adam step of an MLP on a random batch of 64 features, and its
    floating-point operations (forward and backward, counted by torch)."""
    from torch.utils.flop_counter import FlopCounterMode

    torch.manual_seed(0)
    module = MLP(64, 10, hidden)
    X = torch.randn(batch_size, 64)
    y = torch.randint(0, 10, (batch_size,))
    optimizer = torch.optim.Adam(module.parameters(), fused=True)

    def step():
        optimizer.zero_grad()
        nn.functional.cross_entropy(module(X), y).backward()
        optimizer.step()

    with FlopCounterMode(display=False) as counter:
        step()
    return step, counter.get_total_flops()


def run_threads_case(repeats, quick):
    """(k) One training step of dense networks on 1 and 2 threads."""
    shapes = [((100,), 200), ((256, 256), 32), ((256, 256), 64), ((256, 256), 256)]
    loops = 5 if quick else 200
    before = torch.get_num_threads()
    rows = []
    try:
        for hidden, batch_size in shapes[:1] if quick else shapes:
            step, flops = dense_step(hidden, batch_size)
            times = {"1 thread": [], "2 threads": []}
            for _ in range(repeats):
                for threads, label in enumerate(times, start=1):
                    torch.set_num_threads(threads)
                    step()
                    start = time.perf_counter()
                    for _ in range(loops):
                        step()
                    times[label].append((time.perf_counter() - start) / loops)
            case = f"k: step, {flops / 1e6:.0f} MFLOP"
            rows += summarize(case, times, None, reference="1 thread")
    finally:
        torch.set_num_threads(before)
    return rows


def cuda_training_case(case, repeats, quick):
    """Case a or b on the GPU: sknn against the plain loop there."""
    params = QUICK if quick else TRAINING_CASES[case]
    X, X_test, y, y_test = make_data(params["n_samples"])
    hidden, batch_size = params["hidden"], params["batch_size"]
    epochs = params["epochs"]

    def plain(seed):
        torch.manual_seed(seed)
        module = MLP(X.shape[1], 10, hidden)
        trained = plain_torch_loop(module, X, y, batch_size, epochs, device="cuda")
        return np.mean(class_predictor(trained)(X_test) == y_test)

    def ours(seed):
        model = MLPClassifier(
            hidden, batch_size=batch_size, max_iter=epochs,
            n_iter_no_change=np.inf, alpha=0.0, random_state=seed, device="cuda",
        ).fit(X, y)  # fmt: skip
        return held_out(model, X_test, y_test)

    competitors = {"plain torch": plain, "sknn": ours}
    return side_by_side(f"{case}: train, cuda", competitors, repeats, "plain torch")


def run_cuda_cases(repeats, quick):
    """Cases a, b and d's CNN on the GPU: sknn against the plain loop there."""
    rows = cuda_training_case("a", repeats, quick)
    rows += cuda_training_case("b", repeats, quick)
    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32).reshape(-1, 1, 8, 8)
    X, X_test, y, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    epochs = 2 if quick else 20

    def plain_cnn(seed):
        torch.manual_seed(seed)
        trained = plain_torch_loop(CNN((1, 8, 8), 10), X, y, 64, epochs, device="cuda")
        return np.mean(class_predictor(trained)(X_test) == y_test)

    def ours_cnn(seed):
        model = CNNClassifier(
            filters=(32, 64), global_pool=False, normalization=None,
            learning_rate="constant", learning_rate_init=1e-3, label_smoothing=0,
            batch_size=64, max_iter=epochs, n_iter_no_change=np.inf, alpha=0.0,
            random_state=seed, device="cuda",
        ).fit(X, y)  # fmt: skip
        return held_out(model, X_test, y_test)

    competitors = {"plain torch": plain_cnn, "sknn": ours_cnn}
    rows += side_by_side("d: CNN train, cuda", competitors, repeats, "plain torch")
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


# Every case but cuda, in the order they run by default.
CASES = {
    "a": None,
    "b": None,
    "c": run_predict_case,
    "d": run_other_estimators_case,
    "e": None,
    "f": run_defaults_case,
    "g": run_busy_case,
    "h": run_lbfgs_case,
    "i": run_sparse_case,
    "j": run_float64_case,
    "k": run_threads_case,
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", nargs="+", default=None)
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
    cases = args.cases or [*CASES, *(["cuda"] if torch.cuda.is_available() else [])]
    rows = []
    for case in cases:
        if case in TRAINING_CASES:
            params = QUICK if args.quick else TRAINING_CASES[case]
            rows += run_training_case(case, params, repeats)
        elif case == "e":
            sizes = [2_000] if args.quick else args.sizes
            rows += run_scaling_case(sizes, repeats)
        elif case == "cuda":
            if not torch.cuda.is_available():
                parser.error("--cases cuda needs a CUDA GPU (none is visible)")
            rows += run_cuda_cases(repeats, args.quick)
        elif case in CASES:
            rows += CASES[case](repeats, args.quick)
        else:
            parser.error(
                f"unknown case {case!r}; choose from {', '.join(CASES)} or cuda"
            )
    print(format_table(rows))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"machine": machine(), "rows": rows}, indent=2))
    print(f"\nwritten to {args.output}")
    return rows


if __name__ == "__main__":
    main()
