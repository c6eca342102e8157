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
