"""Data-parallel training over torch.distributed (``distributed=True``).

Two CPU processes on gloo, launched as torchrun launches them (its
environment variables), fit every scenario of ``distributed_worker.py``; each
must end with the same model, and that model must be the one a single
process fits on the same global batches. The processes run under a timeout,
and their collectives under gloo's: a mismatch fails, it cannot hang."""

import os
import pickle
import socket
import subprocess
import sys
from pathlib import Path

import distributed_worker as worker
import numpy as np
import pytest
from sklearn.datasets import load_digits

from sknn import MLPClassifier, MLPRegressor

HERE = Path(__file__).parent
DOCS = HERE.parent / "docs" / "user_guide"

# For both processes' imports and all the scenarios, on a busy 2-core machine
# (they take some 10 s alone).
TIMEOUT = 300


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(**extra) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", **extra}
    env["PYTHONPATH"] = os.pathsep.join(
        [str(HERE.parent), *filter(None, [env.get("PYTHONPATH")])]
    )
    return env


def _finish(processes, timeout):
    """Wait for every process; kill them all on a timeout, and fail."""
    try:
        for process in processes:
            process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        for process in processes:
            process.kill()
        pytest.fail(f"the processes ran past {timeout} s: a collective hung")


@pytest.fixture(scope="module")
def ranks(tmp_path_factory):
    """Each rank's results (``summary`` per scenario) and its stdout."""
    out = tmp_path_factory.mktemp("ddp")
    port = str(_free_port())
    processes, logs = [], []
    for rank in range(2):
        log = open(out / f"rank{rank}.log", "w+")
        env = _environment(
            RANK=str(rank),
            LOCAL_RANK=str(rank),
            WORLD_SIZE="2",
            MASTER_ADDR="127.0.0.1",
            MASTER_PORT=port,
        )
        command = [sys.executable, str(HERE / "distributed_worker.py"), str(out)]
        processes.append(
            subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        )
        logs.append(log)
    _finish(processes, TIMEOUT)
    found = []
    for rank, (process, log) in enumerate(zip(processes, logs, strict=True)):
        log.seek(0)
        text = log.read()
        log.close()
        assert process.returncode == 0, f"rank {rank} failed:\n{text[-4000:]}"
        results = pickle.loads((out / f"rank{rank}.pkl").read_bytes())
        found.append((results, text))
    return found


@pytest.fixture(scope="module")
def one_process():
    """The scenarios fitted with distributed=False, in this process."""
    return {
        name: worker.summary(*worker.SCENARIOS[name](False))
        for name in sorted(worker.MATCH_ONE_PROCESS)
    }


def _same_state(a, b):
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


@pytest.mark.parametrize("name", sorted(worker.SCENARIOS))
def test_every_process_ends_with_the_same_model(ranks, name):
    (first, _), (second, _) = ranks
    a, b = first[name], second[name]
    _same_state(a["state"], b["state"])
    np.testing.assert_array_equal(a["output"], b["output"])
    for key in ("loss", "n_iter", "t", "loss_curve", "validation_scores"):
        assert a.get(key) == b.get(key), key


@pytest.mark.parametrize("name", sorted(worker.MATCH_ONE_PROCESS))
def test_the_model_is_one_process_on_the_same_global_batches(ranks, one_process, name):
    found, expected = ranks[0][0][name], one_process[name]
    assert found["state"].keys() == expected["state"].keys()
    for key, value in expected["state"].items():
        np.testing.assert_allclose(found["state"][key], value, rtol=1e-9, atol=1e-12)
    assert found["n_iter"] == expected["n_iter"]
    assert found["t"] == expected["t"]  # samples of every process, counted once
    np.testing.assert_allclose(found["loss"], expected["loss"], rtol=1e-10)
    if "loss_curve" in expected:
        np.testing.assert_allclose(
            found["loss_curve"], expected["loss_curve"], rtol=1e-10
        )
    if expected.get("validation_scores") is not None:
        np.testing.assert_allclose(
            found["validation_scores"], expected["validation_scores"], rtol=1e-10
        )
    np.testing.assert_allclose(
        found["output"], expected["output"], rtol=1e-8, atol=1e-10
    )


def test_alpha_means_what_it_means_on_one_process(ranks):
    # A hand-written DDP subclass trained as if with twice the alpha: the
    # penalty's gradient was averaged in with the data's on every process.
    X, y = worker.rows()
    found = ranks[0][0]["alpha"]["loss_curve"]
    params = {**worker.MLP, "batch_size": 49}
    once = MLPClassifier(**params, alpha=1.0).fit(X, y).loss_curve_
    twice = MLPClassifier(**params, alpha=2.0).fit(X, y).loss_curve_
    np.testing.assert_allclose(found, once, rtol=1e-10)
    assert abs(found[-1] - twice[-1]) > 0.05


def test_early_stopping_stops_every_process_at_the_same_epoch(ranks):
    (first, _), (second, _) = ranks
    for name, most in (("early_stopping", 200), ("plateau", 300)):
        assert first[name]["n_iter"] == second[name]["n_iter"] < most, name
    scores = first["early_stopping"]["validation_scores"]
    assert scores == second["early_stopping"]["validation_scores"]
    assert len(scores) == first["early_stopping"]["n_iter"]


def test_batch_statistics_are_rank_0s_everywhere(ranks):
    # Each process normalises its share with its own batch statistics; the
    # running ones, which predict uses, end as rank 0's on every process.
    state = ranks[0][0]["cnn_batch_norm"]["state"]
    running = [name for name in state if name.endswith("running_mean")]
    assert running
    for name in running:
        np.testing.assert_array_equal(
            state[name], ranks[1][0]["cnn_batch_norm"]["state"][name]
        )


def test_only_rank_0_prints(ranks):
    (_, first), (_, second) = ranks
    lines = [line for line in first.splitlines() if line.startswith("Iteration")]
    assert lines == [
        f"Iteration {epoch}, loss = " + line.split(" = ")[1]
        for epoch, line in enumerate(lines, 1)
    ]
    assert len(lines) == 3
    assert "Iteration" not in second


def test_a_batch_smaller_than_the_processes_is_an_error(ranks):
    for results, _ in ranks:
        assert results["error"] == (
            "distributed=True splits each batch across the 2 processes, but the "
            "batches hold 1 sample(s) (batch_size=1): fewer than one per process. "
            "Use a batch_size of at least 2, or more samples."
        )


def test_the_fitted_model_is_a_normal_estimator_afterwards(ranks):
    # Here, in a process with no process group.
    found = ranks[1][0]["partial_fit"]
    reg = pickle.loads(found["pickle"])
    X, y = worker.rows(task="regression")
    np.testing.assert_array_equal(reg.predict(X), found["output"])
    with pytest.raises(ValueError, match="no process group is initialised"):
        reg.partial_fit(X, y)
    reg.set_params(distributed=False).partial_fit(X, y)
    assert reg.t_ == found["t"] + len(y)
    assert reg.loss_ < found["loss"]  # it trains on from where it was


@pytest.mark.parametrize("estimator", [MLPClassifier, MLPRegressor])
def test_without_a_process_group_fit_says_how_to_start_one(estimator):
    X, y = worker.rows(30)
    with pytest.raises(ValueError) as error:
        estimator(distributed=True, max_iter=1).fit(X, y)
    assert str(error.value) == (
        f"{estimator.__name__}(distributed=True) trains one model across the "
        "processes of torch.distributed's default process group, but no process "
        "group is initialised in this process. Launch the script with torchrun "
        "(e.g. `torchrun --nproc-per-node 2 train.py`) and call "
        "torch.distributed.init_process_group() before fit, or set "
        "distributed=False."
    )


def test_the_scaling_out_page_script_under_torchrun(tmp_path):
    # The page's recipe, as a user runs it.
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc-per-node",
        "2",
        str(DOCS / "fit_distributed.py"),
        str(tmp_path / "digits.pkl"),
    ]
    run = subprocess.run(
        command,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    scores = [line for line in run.stdout.splitlines() if "accuracy" in line]
    assert len(scores) == 1  # rank 0 only
    clf = pickle.loads((tmp_path / "digits.pkl").read_bytes())
    X, y = load_digits(return_X_y=True)
    assert clf.score(X[1500:] / 16.0, y[1500:]) > 0.9
    assert f"{clf.score(X[1500:] / 16.0, y[1500:]):.3f}" in scores[0]
