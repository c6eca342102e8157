"""The tabular benchmark's harness runs end to end (on a tiny grid; its
figures come from full runs, ``python benchmarks/tabular.py``)."""

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def tabular():
    sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location("tabular", BENCHMARKS / "tabular.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["tabular"] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules["tabular"]
    sys.path.remove(str(BENCHMARKS))


def test_the_dev_suite_and_the_checks_are_apart(tabular):
    dev = {d.package for d in tabular.DATASETS}
    checks = {d.package for d in tabular.CHECK_DATASETS}
    assert len(tabular.DATASETS) >= 12 and not dev & checks
    assert {d.task for d in tabular.DATASETS} == {"classification", "regression"}
    X, y = tabular.load("Titanic")
    assert X.isna().any().any() and (X.dtypes == np.dtype(object)).any()  # raw
    assert len(X) == len(y) == 1313


def test_quick_run_ranks_the_models_and_caches_each_fit(tabular, tmp_path):
    results = tmp_path / "runs.jsonl"
    argv = ["--quick", "--models", "sknn-tabular,hgb,linear", "--results", str(results)]
    summary = tabular.main(argv)
    records = [json.loads(line) for line in results.read_text().splitlines()]
    assert len(records) == 2 * 3  # 2 tables, 3 models, 1 split
    assert {r["model"] for r in records} == {"sknn-tabular", "hgb", "linear"}
    assert all(r["fit_time"] > 0 for r in records)
    for column in ("mean rank", "mean normalized score", "log-loss", "AUC", "R²"):
        assert column in summary
    # A second run fits nothing: every fit is in the cache.
    assert tabular.main(argv) == summary
    assert len(results.read_text().splitlines()) == 6


def test_the_estimators_defaults_are_those_the_study_chose(tabular):
    import inspect

    import tabular_defaults

    import sknn

    for cls in (sknn.TabularClassifier, sknn.TabularRegressor):
        signature = inspect.signature(cls).parameters
        for name, value in tabular_defaults.DEFAULTS.items():
            if name in signature:
                assert signature[name].default == value, (cls.__name__, name)


# ------------------------------------------------- the CNN and RNN defaults
TS_FILE = """# a comment
@problemName Tiny
@univariate false
@dimensions 2
@equalLength false
@classLabel true a b
@data
{rows}
"""


def _write_ts(path, n, seed):
    """A two-channel .ts file of variable-length series; class b has a bump."""
    rng = np.random.RandomState(seed)
    rows = []
    for i in range(n):
        label = "ab"[i % 2]
        length = rng.randint(12, 17)
        channels = rng.normal(size=(2, length)) * 0.3
        if label == "b":
            channels[:, 4:8] += 2.0
        rows.append(
            ":".join(",".join(f"{v:.4f}" for v in c) for c in channels) + f":{label}"
        )
    path.write_text(TS_FILE.format(rows="\n".join(rows)))


@pytest.fixture()
def defaults(monkeypatch, tmp_path):
    sys.path.insert(0, str(BENCHMARKS))
    import defaults

    _write_ts(tmp_path / "Tiny_TRAIN.ts", 24, 0)
    _write_ts(tmp_path / "Tiny_TEST.ts", 12, 1)
    monkeypatch.setattr(
        defaults,
        "series_split",
        lambda name: defaults.Split(
            *defaults.read_ts(tmp_path / "Tiny_TRAIN.ts"),
            *defaults.read_ts(tmp_path / "Tiny_TEST.ts"),
        ),
    )
    monkeypatch.setitem(defaults.RECIPES, "fcn", (defaults.fcn, 3, 8, 1e-3))
    monkeypatch.setitem(defaults.RECIPES, "bigru", (defaults.BiGRU, 3, 8, 1e-3))
    yield defaults
    sys.path.remove(str(BENCHMARKS))


def test_ts_files_read_as_series_of_their_own_lengths(defaults, tmp_path):
    series, labels = defaults.read_ts(tmp_path / "Tiny_TRAIN.ts")
    assert len(series) == len(labels) == 24
    assert {s.shape[1] for s in series} == {2}  # (length, channels)
    assert len({len(s) for s in series}) > 1
    assert set(labels) == {"a", "b"}
    padded = defaults.pad(series)
    assert padded.shape == (24, 2, max(len(s) for s in series))
    first = series[0]
    np.testing.assert_array_equal(padded[0, :, : len(first)], first.T)
    assert not padded[0, :, len(first) :].any()  # zeros after the end


def test_the_dev_suite_keeps_the_check_series_out(defaults):
    assert set(defaults.DEV_SERIES) <= set(defaults.TASKS)
    assert not set(defaults.CHECK_SERIES) & set(defaults.TASKS)
    assert {"digits-images", "digits-rows"} <= set(defaults.TASKS)


def test_model_specs_name_the_whole_configuration(defaults):
    name, params = defaults.parse_model("sknn-cnn:filters=(8, 16),global_pool=True")
    assert name == "sknn-cnn" and params == {"filters": (8, 16), "global_pool": True}
    # The defaults before the study, however the defaults change.
    assert defaults.parse_model("sknn-rnn-0")[1] == defaults.BEFORE["rnn"]
    assert defaults.config("sknn-cnn:max_iter=200") != defaults.config(
        "sknn-cnn:max_iter=100"
    )
    # A study's specs hold every parameter the study changes, so that they
    # name the same models once the estimators' defaults are the chosen ones.
    changes = defaults.STUDY["cnn"][-1][1]
    specs = defaults.study_specs("cnn", len(defaults.STUDY["cnn"]))
    assert defaults.label(specs[1]) == f"cnn stage {len(defaults.STUDY['cnn'])} base"
    assert defaults.label(specs[3]) == "cnn " + ", ".join(
        f"{k}={v!r}" for k, v in changes[1].items()
    )
    for spec in specs:
        assert set(defaults.BEFORE["cnn"]) <= set(defaults.parse_model(spec)[1])


def test_a_run_scores_every_model_once_and_caches_it(defaults, tmp_path):
    results = tmp_path / "runs.jsonl"
    task = defaults.Task("Tiny", ("cnn", "rnn"))
    specs = [
        "sknn-cnn:max_iter=3,filters=(4,)",
        "sknn-rnn:max_iter=3,hidden_size=4",
        "fcn",
        "bigru",
        "rf",
        "svc",
    ]
    records = defaults.run([task], specs, "float32", results, seeds=(0,))
    assert len(records) == len(specs)
    assert all(
        0 <= r["accuracy"] <= 1 and r["fit_seconds"] > 0 for r in records.values()
    )
    assert defaults.run([task], specs, "float32", results, seeds=(0,)) == records
    assert len(results.read_text().splitlines()) == len(specs)  # cached
    table = defaults.summary(records, [task], specs, "float32")
    assert table.count("\n") == len(specs) + 1 and "| rf |" in table


def test_timing_fits_the_defaults_before_and_now_side_by_side(
    defaults, tmp_path, monkeypatch
):
    monkeypatch.setitem(
        defaults.BEFORE, "cnn", {**defaults.BEFORE["cnn"], "max_iter": 5}
    )
    results = tmp_path / "timing.jsonl"
    task = defaults.Task("Tiny", ("cnn",))
    records = defaults.timing([task], ["cnn", "rnn"], ["float32"], 2, results)
    assert sorted(r["repeat"] for r in records.values()) == [0, 1]
    for record in records.values():
        assert record["kind"] == "cnn"  # the task tunes no RNN
        assert record["before_epochs"] <= 5 < record["now_epochs"]
        assert record["before_fit_seconds"] > 0 and record["now_fit_seconds"] > 0
    assert defaults.timing([task], ["cnn"], ["float32"], 2, results) == records
    assert len(results.read_text().splitlines()) == 2  # cached
    table = defaults.timing_summary(records, [task], ["cnn"])
    ratios = [r["now_fit_seconds"] / r["before_fit_seconds"] for r in records.values()]
    assert "| Tiny | CNN | float32 |" in table
    assert f"| {sum(ratios) / 2:.2f} | 2 |" in table  # the median of two


def test_the_series_study_scores_each_model_once_and_caches_it(
    defaults, monkeypatch, tmp_path
):
    """benchmarks/series_defaults.py on the tiny variable-length series: the
    series networks, the CNN, the forest and the MiniRocket reference, one
    fit each, cached."""
    import series_defaults

    monkeypatch.setattr(series_defaults, "series_split", defaults.series_split)
    results = tmp_path / "series.jsonl"
    specs = [
        "sknn-series:n_kernel_features=168",
        "sknn-cnn:max_iter=3,filters=(4,)",
        "rf",
        "minirocket",
    ]
    records = series_defaults.run(["Tiny"], specs, results, seeds=(0,))
    assert len(records) == len(specs)
    assert all(0 <= r["accuracy"] <= 1 for r in records.values())
    again = series_defaults.run(["Tiny"], specs, results, seeds=(0,))
    assert again == records and len(results.read_text().splitlines()) == len(specs)
    table = series_defaults.summary(records, ["Tiny"], specs)
    assert "| sknn-series:n_kernel_features=168 |" in table and "| rf |" in table
    # A spec of the defaults names their whole configuration.
    assert series_defaults.config("sknn-series", "Tiny") != (
        series_defaults.config("sknn-series:alpha=1.0", "Tiny")
    )


def test_the_series_study_crops_each_series_twice(defaults):
    """The augmentation candidate: each series, its first and its last
    90 % of steps (at least 9), with its label; the same every time."""
    import series_defaults

    X = [np.arange(40.0).reshape(2, 20), np.arange(10.0)[None]]
    crops, y = series_defaults.with_crops(X, np.array(["a", "b"]))
    assert [c.shape for c in crops] == [(2, 20), (2, 18), (2, 18), (1, 10)] + [
        (1, 9)
    ] * 2
    np.testing.assert_array_equal(crops[1], X[0][:, :18])
    np.testing.assert_array_equal(crops[2], X[0][:, 2:])
    assert list(y) == ["a", "a", "a", "b", "b", "b"]


def test_the_minirocket_reference_learns_wave_shapes():
    """The independent MiniRocket of the series study reads shapes: sine
    against square waves at random levels, phases and frequencies."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from series_references import MiniRocketRidge
    finally:
        sys.path.remove(str(BENCHMARKS))
    rng = np.random.RandomState(0)
    y = np.arange(80) % 2
    t = np.arange(60) * rng.uniform(0.1, 0.3, (80, 1)) + rng.uniform(0, 6, (80, 1))
    X = np.where(y[:, None], np.sign(np.sin(t)), np.sin(t)) + rng.normal(size=(80, 1))
    X = X[:, None, :]  # (n, channels, length)
    model = MiniRocketRidge().fit(X[:50], y[:50])
    assert np.mean(model.predict(X[50:]) == y[50:]) >= 0.9
