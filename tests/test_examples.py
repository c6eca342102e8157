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
            ["--quick", "--output", str(output), "--figure", str(figure)]
        )
    return results, stdout.getvalue(), output


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


def test_quick_run_scores_are_sensible(quick_run):
    results, _, _ = quick_run
    accuracy = results[results["metric"] == "accuracy"]
    r2 = results[results["metric"] == "r2"].set_index("model")["score_mean"]
    assert (accuracy["score_mean"] > 0.5).all(), accuracy
    # Diabetes is hard: a single tree overfits, the rest explain a fair share.
    assert (r2.drop("decision tree") > 0.3).all(), r2


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
    for settings in (demo.FULL, demo.QUICK):
        pipeline = dict(demo.models(digits, settings))["sknn CNN"]
        assert [type(step).__name__ for _, step in pipeline.steps] == [
            "StandardScaler",
            "CNNClassifier",
        ]
        params = pipeline[-1].get_params()
        assert params["input_shape"] == (1, *digits.image_shape)
        assert params["normalization"] == "batch" and params["dropout"] == 0.2
        assert params["max_iter"] == settings.max_iter


def test_rnn_reads_the_image_rows_as_sequences(demo):
    for dataset in demo.DATASETS.values():
        names = [model for model, _ in demo.models(dataset, demo.FULL)]
        assert ("sknn RNN" in names) == (dataset.image_shape is not None)
    digits = demo.DATASETS["digits"]
    pipeline = dict(demo.models(digits, demo.FULL))["sknn RNN"]
    assert type(pipeline[-1]).__name__ == "RNNClassifier"
    assert pipeline[-1].get_params()["input_shape"] == digits.image_shape


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


def test_the_figure_is_saved(quick_run, tmp_path, demo):
    results, stdout, _ = quick_run
    assert "Saved the figure to" in stdout
    path = tmp_path / "scores.png"
    demo.save_figure(results, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
