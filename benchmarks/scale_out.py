"""Data-parallel training on 2 processes against one, and the memory of a fit
on a memmap: the figures of docs/user_guide/scaling.rst.

Data parallel (``--case ddp``): ``MLPClassifier(hidden_layer_sizes=(256,
256), max_iter=5)`` on 40,000 synthetic rows of 64 float32 features, with
batches of 512 and of 2,048 rows (4 times fewer gradient all-reduces), timed
side by side ``--repeats`` times after one fit that warms each process up:

- one process, on torch's threads (here 2) and on 1 thread;
- ``distributed=True`` on 2 processes of a gloo group on loopback, one thread
  each (torchrun's default), launched once; each repeat times the fit on
  rank 0 between two barriers;
- on the same 2 processes, a plain PyTorch loop of the same work: the same
  network in a ``DistributedDataParallel``, fused Adam, each process's share
  of every global batch of a broadcast order, no penalty: the floor that
  DistributedDataParallel over gloo sets here.

The processes' start-up (imports, joining the group) is reported apart.

Memory (``--case memmap``): one epoch of ``MLPRegressor(hidden_layer_sizes=
(32,), batch_size=1000)`` on a float32 memmap of 1,000,000 x 100 (381 MiB)
opened with ``mmap_mode="r"``, and on the same rows in memory; the peak of
the process's anonymous memory (``RssAnon``, sampled every 5 ms) above what it
held before the fit. The map's pages are the file's (page cache), not the
process's heap. With ``early_stopping=True`` the held-out split copies the
rows (scikit-learn's ``train_test_split``), which is measured too.

Usage::

    python benchmarks/scale_out.py [--case ddp|memmap|all] [--repeats 3]

Results go to stdout and to ``benchmarks/results/scale_out.json``.
"""

import argparse
import datetime
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "results" / "scale_out.json"
DDP = dict(hidden_layer_sizes=(256, 256), max_iter=5, random_state=0)
BATCH_SIZES = (512, 2048)


def ddp_data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40_000, 64)).astype(np.float32)
    y = (X[:, :8].sum(axis=1) > 0).astype(int) + (X[:, 8] > 1)
    return X, y


def _fit_time(batch_size, distributed=False):
    from sknn import MLPClassifier

    X, y = ddp_data()
    clf = MLPClassifier(**DDP, batch_size=batch_size, distributed=distributed)
    start = time.perf_counter()
    clf.fit(X, y)
    return time.perf_counter() - start, clf.score(X[:5000], y[:5000])


def _plain_loop_time(batch_size: int) -> float:
    """The plain DistributedDataParallel loop's time for the same epochs."""
    import torch
    import torch.distributed as dist
    from torch import nn

    X, y = ddp_data()
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    rank, size = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(0)
    widths = (64, *DDP["hidden_layer_sizes"])
    layers = []
    for fan_in, fan_out in itertools.pairwise(widths):
        layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
    module = nn.Sequential(*layers, nn.Linear(widths[-1], 3))
    model = nn.parallel.DistributedDataParallel(module)
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3, fused=True)
    dist.barrier()
    start = time.perf_counter()
    for _ in range(DDP["max_iter"]):
        order = torch.randperm(len(y))
        dist.broadcast(order, 0)
        for first in range(0, len(y), batch_size):
            batch = order[first : first + batch_size]
            n = len(batch)
            rows = batch[n * rank // size : n * (rank + 1) // size]
            optimizer.zero_grad(set_to_none=True)
            losses = nn.functional.cross_entropy(
                model(X[rows]), y[rows], reduction="sum"
            )
            (losses * size / n).backward()
            optimizer.step()
    dist.barrier()
    return time.perf_counter() - start


def worker(repeats: int, out: str) -> None:
    """One process of the 2-process runs (launched by :func:`ddp`)."""
    import torch
    import torch.distributed as dist

    torch.set_num_threads(1)
    dist.init_process_group("gloo", timeout=datetime.timedelta(seconds=120))
    found = {}
    for batch_size in BATCH_SIZES:
        _fit_time(batch_size, distributed=True)
        times = []
        for _ in range(repeats):
            dist.barrier()
            seconds, score = _fit_time(batch_size, distributed=True)
            dist.barrier()
            times.append(seconds)
        _plain_loop_time(batch_size)
        plain = [_plain_loop_time(batch_size) for _ in range(repeats)]
        found[batch_size] = {"times": times, "score": score, "plain": plain}
    if dist.get_rank() == 0:
        Path(out).write_text(json.dumps(found))
    dist.destroy_process_group()


def _two_processes(repeats: int) -> dict:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "rank0.json")
        started = time.perf_counter()
        processes = [
            subprocess.Popen(
                [sys.executable, __file__, "--worker", out, "--repeats", str(repeats)],
                env={
                    **os.environ,
                    "RANK": str(rank),
                    "WORLD_SIZE": "2",
                    "MASTER_ADDR": "127.0.0.1",
                    "MASTER_PORT": port,
                    "OMP_NUM_THREADS": "1",
                },
            )
            for rank in range(2)
        ]
        for process in processes:
            process.wait(timeout=1800)
            if process.returncode:
                raise RuntimeError("a process of the 2-process run failed")
        total = time.perf_counter() - started
        found = json.loads(Path(out).read_text())
    print(f"2 processes: {total:.1f} s in all, start-up and warm-up fits included")
    return {int(size): value for size, value in found.items()}


def ddp(repeats: int) -> dict:
    import torch

    warnings.filterwarnings("ignore", message="Stochastic Optimizer")
    threads = torch.get_num_threads()
    two = _two_processes(repeats)
    result = {
        "setting": {**DDP, "hidden_layer_sizes": list(DDP["hidden_layer_sizes"])},
        "rows": 40_000,
    }
    for batch_size in BATCH_SIZES:
        one = {"threads": [], "1 thread": []}
        _fit_time(batch_size)  # warm-up
        for _ in range(repeats):
            one["threads"].append(_fit_time(batch_size)[0])
            torch.set_num_threads(1)
            seconds, score = _fit_time(batch_size)
            one["1 thread"].append(seconds)
            torch.set_num_threads(threads)
        runs = {
            f"1 process, {threads} threads": one["threads"],
            "1 process, 1 thread": one["1 thread"],
            "2 processes (distributed=True), 1 thread each": two[batch_size]["times"],
            "2 processes, plain PyTorch DDP loop": two[batch_size]["plain"],
        }
        base = statistics.median(one["threads"])
        result[f"batch_size={batch_size}"] = {
            "seconds": {name: statistics.median(t) for name, t in runs.items()},
            "ratio to 1 process": {
                name: statistics.median(t) / base for name, t in runs.items()
            },
            "runs": runs,
            "sknn / plain DDP loop, 2 processes": statistics.median(
                two[batch_size]["times"]
            )
            / statistics.median(two[batch_size]["plain"]),
            "accuracy (first 5,000 rows), 1 process and 2": [
                score,
                two[batch_size]["score"],
            ],
        }
        print(f"batch_size={batch_size}")
        for name, times in runs.items():
            median = statistics.median(times)
            print(f"  {name:48s} {median:6.2f} s  {median / base:5.2f}x")
    return result


def _anonymous() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("RssAnon"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no RssAnon in /proc/self/status")


def _peak_during(fit) -> tuple[float, float]:
    """(MiB of anonymous memory above the start at the peak, seconds)."""
    before = _anonymous()
    peak, done = [before], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _anonymous())
            time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    start = time.perf_counter()
    try:
        fit()
    finally:
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
    return (peak[0] - before) / 2**20, seconds


def memmap(repeats: int) -> dict:
    from sknn import MLPRegressor

    warnings.filterwarnings("ignore", message="Stochastic Optimizer")
    rows, columns = 1_000_000, 100
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "X.npy")
        X = np.lib.format.open_memmap(path, "w+", np.float32, (rows, columns))
        rng = np.random.default_rng(0)
        for start in range(0, rows, 100_000):
            X[start : start + 100_000] = rng.standard_normal((100_000, columns))
        X.flush()
        del X
        X = np.load(path, mmap_mode="r")
        y = np.asarray(2 * X[:, 0] + X[:, 1])
        params = dict(hidden_layer_sizes=(32,), batch_size=1000, max_iter=1)
        MLPRegressor(**params).fit(X[:2000], y[:2000])  # imports, allocator
        found = {"data (MiB)": X.nbytes / 2**20}
        settings = {
            "memmap": lambda: MLPRegressor(**params, random_state=0).fit(X, y),
            "memmap, early_stopping=True": lambda: MLPRegressor(
                **params, early_stopping=True, random_state=0
            ).fit(X, y),
        }
        for name, fit in settings.items():
            peaks = [_peak_during(fit) for _ in range(repeats)]
            found[name] = {
                "extra memory (MiB)": statistics.median(p[0] for p in peaks),
                "seconds": statistics.median(p[1] for p in peaks),
            }
        in_memory = np.array(X)
        peaks = [
            _peak_during(
                lambda: MLPRegressor(**params, random_state=0).fit(in_memory, y)
            )
            for _ in range(repeats)
        ]
        found["in memory"] = {
            "extra memory (MiB)": statistics.median(p[0] for p in peaks),
            "seconds": statistics.median(p[1] for p in peaks),
        }
    for name, value in found.items():
        print(f"{name:32s} {value}")
    return found


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=["ddp", "memmap", "all"], default="all")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.repeats, args.worker)
        return {}
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if args.case in ("ddp", "all"):
        results["data parallel"] = ddp(args.repeats)
    if args.case in ("memmap", "all"):
        results["memmap"] = memmap(args.repeats)
    results["machine"] = f"{os.cpu_count()} cores"
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main()
