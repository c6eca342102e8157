"""The main demo, ``examples/compare_estimators.py``, runs and gives sane scores."""

import contextlib
import importlib.util
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _load_example(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def demo():
    return _load_example("compare_estimators")


@pytest.fixture(scope="module")
def quick_run(demo, tmp_path_factory):
    """The demo's ``--quick`` run, once: its results, stdout and saved CSV."""
    output = tmp_path_factory.mktemp("demo") / "results.csv"
    stdout = io.StringIO()
    figure = output.with_suffix(".png")
    with contextlib.redirect_stdout(stdout):
        results = demo.main(
            [
                "--quick",
                "--n-jobs",
                "1",
                "--output",
                str(output),
                "--figure",
                str(figure),
            ]
        )
    return results, stdout.getvalue(), output


@pytest.mark.slow
def test_quick_run_covers_every_dataset_and_model(demo, quick_run):
    results, stdout, _ = quick_run
    for name, dataset in demo.DATASETS.items():
        expected = [model for model, _ in demo.models(dataset, demo.QUICK)]
        assert results.loc[results["dataset"] == name, "model"].tolist() == expected
        assert name in stdout
    models = ["decision tree", "random forest", "SVC", "SVR", "sknn MLP"]
    models += ["gradient boosting", "sknn tabular"]
    models += ["sknn CNN", "sknn RNN", "PCA + SVC", "sknn autoencoder + SVC"]
    for model in models:
        assert model in stdout
    assert (results["n_splits"] == demo.QUICK.n_splits).all()
    assert (results["fit_time_mean"] > 0).all()


# The best score on each dataset in the quick run, less a margin: the
# harness scores the held-out folds (a fold scored on its training rows, or a
# metric mixed up, lands elsewhere).
BEST_AT_LEAST = {
    "digits": 0.97,
    "breast_cancer": 0.96,
    "wine": 0.97,
    "diabetes": 0.4,
    "titanic": 0.8,
    "saratoga_houses": 0.58,
    "monica": 0.86,
}


@pytest.mark.slow
def test_quick_run_scores_are_sensible(demo, quick_run):
    results, _, _ = quick_run
    best = results.groupby("dataset")["score_mean"].max()
    assert set(best.index) == set(BEST_AT_LEAST)
    for name, floor in BEST_AT_LEAST.items():
        assert best[name] >= floor, (name, best[name])
    by_model = results.set_index(["dataset", "model"])["score_mean"]
    for name in BEST_AT_LEAST:
        # The drop-in scores as scikit-learn's MLP with the same settings
        # (within 0.031 in the quick run: 10 epochs, 2 folds).
        gap = by_model[name, "sknn MLP"] - by_model[name, "sklearn MLP"]
        assert abs(gap) <= 0.05, (name, gap)
        # Every sknn network learnt something: above the majority class's
        # share by 0.1 (accuracy), or R² above 0.2, after a few epochs.
        rows = results[
            (results["dataset"] == name) & results["model"].str.contains("sknn")
        ]
        if rows["metric"].iloc[0] == "r2":
            assert (rows["score_mean"] > 0.2).all(), rows
        else:
            _, y = demo.DATASETS[name].load()
            majority = np.bincount(np.unique(y, return_inverse=True)[1]).max() / len(y)
            assert (rows["score_mean"] > majority + 0.1).all(), rows


def test_both_mlps_get_the_same_settings(demo):
    sknn_mlp, sklearn_mlp = (
        dict(demo.models(demo.DATASETS["wine"], demo.FULL))[name][-1]
        for name in ("sknn MLP", "sklearn MLP")
    )
    shared = demo.mlp_settings(demo.FULL)
    assert {k: sknn_mlp.get_params()[k] for k in shared} == shared
    assert {k: sklearn_mlp.get_params()[k] for k in shared} == shared


def test_cnn_runs_on_the_image_datasets_only(demo):
    for dataset in demo.DATASETS.values():
        names = [model for model, _ in demo.models(dataset, demo.FULL)]
        assert ("sknn CNN" in names) == (dataset.image_shape is not None)
    digits = demo.DATASETS["digits"]
    for settings in (demo.FULL, demo.DEFAULT, demo.QUICK):
        pipeline = dict(demo.models(digits, settings))["sknn CNN"]
        assert [type(step).__name__ for _, step in pipeline.steps] == [
            "StandardScaler",
            "CNNClassifier",
        ]
        params = pipeline[-1].get_params()
        assert params["input_shape"] == (1, *digits.image_shape)
        assert params["normalization"] == "batch" and params["dropout"] == 0.2
        assert params["max_iter"] == settings.cnn_max_iter


def test_rnn_reads_the_image_rows_as_sequences(demo):
    for dataset in demo.DATASETS.values():
        names = [model for model, _ in demo.models(dataset, demo.FULL)]
        assert ("sknn RNN" in names) == (dataset.image_shape is not None)
    digits = demo.DATASETS["digits"]
    for settings in (demo.FULL, demo.DEFAULT, demo.QUICK):
        pipeline = dict(demo.models(digits, settings))["sknn RNN"]
        assert type(pipeline[-1]).__name__ == "RNNClassifier"
        assert pipeline[-1].get_params()["input_shape"] == digits.image_shape
        assert pipeline[-1].get_params()["max_iter"] == settings.rnn_max_iter


def test_the_default_run_is_the_short_comparison(demo):
    """No flag: 3 folds and the networks' own epoch budgets (the CNN at half
    of its 60), so that a first run ends in under two minutes; --full is the
    README's comparison, --quick a smoke test."""
    chosen = {
        flags: demo.chosen_settings(demo.parse_args(list(flags)))
        for flags in [(), ("--full",), ("--quick",)]
    }
    assert chosen == {
        (): demo.DEFAULT,
        ("--full",): demo.FULL,
        ("--quick",): demo.QUICK,
    }
    assert demo.DEFAULT.n_splits == 3 and demo.FULL.n_splits == 5
    assert demo.DEFAULT.rnn_max_iter == 60 and demo.DEFAULT.tabular_max_iter == 100
    assert demo.DEFAULT.cnn_max_iter == 30 and demo.FULL.cnn_max_iter == 200
    assert demo.parse_args([]).n_jobs == -1
    with pytest.raises(SystemExit):
        demo.parse_args(["--full", "--quick"])


def test_autoencoder_codes_feed_an_svc_next_to_pca(demo):
    digits = demo.DATASETS["digits"]
    entries = dict(demo.models(digits, demo.FULL))
    pca, autoencoder = entries["PCA + SVC"][-1], entries["sknn autoencoder + SVC"][-1]
    assert [type(step).__name__ for _, step in autoencoder.steps] == [
        "Autoencoder",
        "SVC",
    ]
    n_components = autoencoder[0].get_params()["n_components"]
    assert n_components == pca[0].n_components == 16


@pytest.mark.slow
def test_output_file_holds_the_table(quick_run, demo, tmp_path):
    results, stdout, csv_path = quick_run
    assert f"Saved the results to {csv_path}" in stdout
    saved = pd.read_csv(csv_path)
    pd.testing.assert_frame_equal(saved, results, check_dtype=False)

    json_path = tmp_path / "results.json"
    demo.save_table(results, json_path)
    assert json.loads(json_path.read_text()) == json.loads(
        results.to_json(orient="records")
    )


def test_output_must_be_csv_or_json(demo):
    with pytest.raises(SystemExit):
        demo.parse_args(["--output", "results.txt"])


def test_real_tables_go_raw_to_the_tabular_networks(demo):
    """The tables reach sknn's tabular networks as raw frames (no pipeline),
    gradient boosting with native categories, and the other models through
    the usual imputation, scaling and one-hot encoding."""
    tables = [d for d in demo.DATASETS.values() if d.table]
    assert {d.task for d in tables} == {"classification", "regression"}
    frames = [dataset.load()[0] for dataset in tables]
    assert any(X.isna().any().any() for X in frames)  # missing values
    for dataset, X in zip(tables, frames, strict=True):
        assert (X.dtypes == np.dtype(object)).any()  # raw text columns
        entries = dict(demo.models(dataset, demo.FULL))
        assert type(entries["sknn tabular"]).__name__.startswith("Tabular")
        boosting = entries["gradient boosting"]
        assert boosting[-1].get_params()["categorical_features"] == "from_dtype"
        mlp = entries["sknn MLP"]
        pipeline = mlp.regressor if dataset.task == "regression" else mlp
        assert type(pipeline[0]).__name__ == "ColumnTransformer"


@pytest.mark.slow
def test_the_figure_is_saved(quick_run, tmp_path, demo):
    results, stdout, _ = quick_run
    assert "Saved the figure to" in stdout
    path = tmp_path / "scores.png"
    demo.save_figure(results, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_scores_are_shown_against_the_best_on_each_dataset(demo):
    """The table's and the figure's ``vs best``: 0 for each dataset's winner,
    the gap below it for the others."""
    results = demo.with_gaps(
        pd.DataFrame(
            {
                "dataset": ["a", "a", "a", "b", "b"],
                "n_samples": [10] * 5,
                "n_features": [2] * 5,
                "metric": ["accuracy"] * 3 + ["r2"] * 2,
                "model": ["x", "y", "z", "x", "y"],
                "score_mean": [0.9, 0.95, 0.5, -0.3, 0.4],
                "score_std": [0.01] * 5,
                "fit_time_mean": [0.1] * 5,
            }
        )
    )
    np.testing.assert_allclose(results["vs_best"], [-0.05, 0.0, -0.45, -0.7, 0.0])
    lines = demo.format_table(results).splitlines()
    assert "vs best" in lines[0]
    assert lines[2].split()[-3:] == ["-0.050", "0.10", "s"]
    assert lines[3].split()[-4:] == ["*", "best", "0.10", "s"]
