"""The table networks: raw DataFrames in, what they learn of them, their defaults.

The registry (conftest.py) runs every shared test on them too; here is what
only they do: column types, missing values, categories, the ensemble.
"""

import itertools
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    cross_val_score,
    cross_validate,
    train_test_split,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from skorch.callbacks import LRScheduler

from sknn import TabularClassifier, TabularRegressor
from sknn._losses import MemberLoss, classification_loss
from sknn._tables import MISSING_CODE, UNKNOWN_CODE, weighted_quantiles
from sknn.modules.tabular import TabularMLP, combine_members

# Small and quick: small batches give the few hundred rows enough steps.
FAST = dict(
    hidden_layer_sizes=(32,),
    n_ensemble=2,
    max_iter=30,
    batch_size=32,
    learning_rate_init=0.005,
    random_state=0,
)


def _table(n=400, seed=0):
    """Mixed columns: a label that needs a category, a numeric interaction
    and the fact that a value is missing."""
    rng = np.random.RandomState(seed)
    colour = rng.choice(["red", "green", "blue"], n)
    size = rng.normal(size=n)
    city = rng.choice([f"city{i}" for i in range(20)], n)  # embedded (> 8)
    income = np.where(rng.rand(n) < 0.2, np.nan, rng.lognormal(3, 1, n))
    flag = rng.rand(n) < 0.5
    X = pd.DataFrame(
        {
            "colour": pd.Categorical(colour),
            "size": size,
            "city": city,  # object
            "income": income,
            "flag": flag,  # bool
            "count": rng.randint(0, 5, n),  # integers: numeric
            "note": pd.array(rng.choice(["a", "b", None], n), dtype="string"),
        }
    )
    score = np.where(colour == "red", size, -size) + 1.5 * np.isnan(income)
    y = np.where(score > 0.3, "yes", "no")
    return X, y


# ----------------------------------------------------------------- columns
def test_reads_a_raw_dataframe_by_its_dtypes():
    X, y = _table()
    clf = TabularClassifier(**FAST).fit(X, y)
    assert clf.is_categorical_.tolist() == [True, False, True, False, True, False, True]
    assert clf.categories_[0].tolist() == ["blue", "green", "red"]
    assert clf.categories_[2].tolist() == [False, True]
    assert list(clf.feature_names_in_) == list(X.columns)
    layout = clf._input.layout_
    # size, income, count scaled; income's missing indicator; colour one-hot
    # (3); flag one column (2 categories); note one-hot (a, b, missing).
    assert layout.n_numeric == 3
    assert layout.n_dense == 3 + 1 + 3 + 1 + 3
    assert layout.cardinalities == (20 + 2,)  # city: its codes, missing, unknown
    assert set(clf.predict(X)) <= {"yes", "no"}
    assert clf.predict_proba(X).shape == (len(X), 2)


@pytest.mark.slow
def test_learns_from_categories_interactions_and_missingness():
    """The label needs the colour, its interaction with a numeric column and
    whether income is missing: the network gets them all from the raw frame,
    and beats a linear model on the same columns, one-hot and imputed."""
    X, y = _table(1200)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    clf = TabularClassifier(random_state=0).fit(X_train, y_train)
    accuracy = clf.score(X_test, y_test)
    linear = make_pipeline(
        ColumnTransformer(
            [
                ("cat", OneHotEncoder(handle_unknown="ignore"), ["colour", "city"]),
                ("num", StandardScaler(), ["size", "count"]),
            ]
        ),
        LogisticRegression(),
    ).fit(X_train, y_train)
    assert accuracy > 0.9
    assert accuracy > linear.score(X_test, y_test) + 0.1


def test_integer_columns_are_numeric_unless_named_categorical():
    X, y = _table()
    for spec in (["count"], [5], np.arange(7) == 5):
        clf = TabularClassifier(categorical_features=spec, **FAST).fit(X, y)
        assert clf.is_categorical_[5]
        assert clf.categories_[3].tolist() == [0, 1, 2, 3, 4]
    numeric = np.random.RandomState(0).randint(0, 3, size=(60, 2))
    clf = TabularClassifier(categorical_features=[1], **FAST).fit(
        numeric, numeric[:, 1]
    )
    assert clf.is_categorical_.tolist() == [False, True]
    assert clf.categories_[0].tolist() == [0.0, 1.0, 2.0]
    assert clf.score(numeric, numeric[:, 1]) > 0.95


def test_pandas_nullable_dtypes():
    """Int64 and Float64 with pd.NA are numeric, "boolean" is categorical."""
    X, y = _table(200)
    X["count"] = X["count"].astype("Int64").mask(X["count"] == 0)
    X["income"] = X["income"].astype("Float64")
    X["flag"] = X["flag"].astype("boolean").mask(X["size"] > 1)
    clf = TabularClassifier(**FAST).fit(X, y)
    assert clf.is_categorical_.tolist() == [True, False, True, False, True, False, True]
    assert clf.categories_[2].tolist() == [False, True]
    assert clf._input.indicated_.tolist() == [False, True, True]
    assert np.isfinite(clf.predict_proba(X)).all()


@pytest.mark.parametrize(
    "spec, message",
    [
        (["nope"], "categorical_features names column 'nope', which X does not"),
        ([7], "indices below 7"),
        ([True, False], "one value per column \\(7\\), got 2"),
    ],
)
def test_bad_categorical_features(spec, message):
    X, y = _table(60)
    with pytest.raises(ValueError, match=message):
        TabularClassifier(categorical_features=spec, **FAST).fit(X, y)


def test_unseen_categories_and_missing_values_at_predict():
    X, y = _table()
    clf = TabularClassifier(**FAST).fit(X, y)
    new = X.head(4).copy()
    new["colour"] = pd.Categorical(["purple", None, "red", "red"])
    new["city"] = ["atlantis", None, "city1", "city1"]
    new["size"] = [np.nan, 0.0, 1.0, 1.0]  # NaN where fit saw none
    proba = clf.predict_proba(new)
    assert np.isfinite(proba).all()
    converted = clf._validated(new)
    codes = converted[:, -1]
    assert codes[0] == UNKNOWN_CODE and codes[1] == MISSING_CODE and codes[2] > 1
    one_hot = converted[:, 4:7]  # colour, after 3 numeric and 1 indicator
    assert one_hot[0].tolist() == one_hot[1].tolist() == [0, 0, 0]
    assert one_hot[2].tolist() == [0, 0, 1]


def test_numeric_columns_are_scaled_robustly_and_softly_clipped():
    X = pd.DataFrame({"x": np.r_[np.arange(100.0), 1e9]})
    reg = TabularRegressor(**FAST).fit(X, np.arange(101.0))
    scaled = reg._validated(X)[:, 0]
    assert abs(np.median(scaled)) < 0.02
    assert scaled.max() <= 3.0  # the outlier lands at the clip, not at 1e7
    assert np.all(np.diff(scaled) > 0)  # order kept


def test_weighted_quantiles_are_those_of_repeated_rows():
    rng = np.random.RandomState(0)
    values, weight = rng.normal(size=50), rng.randint(0, 4, 50).astype(float)
    repeated = np.repeat(values, weight.astype(int))
    expected = np.percentile(repeated, [25, 50, 75], method="inverted_cdf")
    np.testing.assert_array_equal(
        weighted_quantiles(values, weight, (0.25, 0.5, 0.75)), expected
    )


def test_zero_weight_rows_teach_the_preprocessing_nothing():
    X, y = _table(200)
    weight = np.ones(len(X))
    weight[:50] = 0
    weighted = TabularClassifier(**FAST).fit(X, y, sample_weight=weight)
    dropped = TabularClassifier(**FAST).fit(X.iloc[50:], y[50:])
    for a, b in zip(weighted.categories_, dropped.categories_, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(weighted._input.center_, dropped._input.center_)
    np.testing.assert_array_equal(weighted._input.scale_, dropped._input.scale_)


# ------------------------------------------------------------- bad input
def test_a_column_of_an_unsupported_dtype_is_named():
    X, y = _table(60)
    X["when"] = pd.date_range("2020-01-01", periods=len(X))
    with pytest.raises(TypeError, match="cannot read column 'when' of dtype datetime"):
        TabularClassifier(**FAST).fit(X, y)


def test_complex_numbers_are_refused_as_scikit_learn_does():
    X = np.ones((10, 2), dtype=complex)
    with pytest.raises(ValueError, match="Complex data not supported"):
        TabularRegressor(**FAST).fit(X, np.arange(10.0))


def test_unhashable_values_in_a_categorical_column():
    X, y = _table(60)
    cities = list(X["city"])
    cities[3] = {"a": 1}
    X["city"] = pd.Series(cities, dtype=object)
    with pytest.raises(TypeError, match=r"column 'city' .* holds a dict value"):
        TabularClassifier(**FAST).fit(X, y)


def test_text_where_fit_saw_numbers():
    X, y = _table(60)
    clf = TabularClassifier(**FAST).fit(X, y)
    X = X.astype({"size": object})
    X.loc[0, "size"] = "big"
    with pytest.raises(ValueError, match="Column 'size' was numeric in fit"):
        clf.predict(X)


def test_infinity_is_refused_naming_the_column():
    X, y = _table(60)
    X.loc[2, "income"] = np.inf
    with pytest.raises(ValueError, match="infinity in column 'income'"):
        TabularClassifier(**FAST).fit(X, y)


def test_the_users_frame_is_not_modified():
    X, y = _table(100)
    before = X.copy()
    TabularClassifier(**FAST).fit(X, y).predict(X)
    pd.testing.assert_frame_equal(X, before)


def test_sparse_input_is_refused_with_what_to_do():
    import scipy.sparse as sp

    with pytest.raises(TypeError, match=r"Sparse data was passed.*X\.toarray"):
        TabularRegressor(**FAST).fit(sp.csr_matrix(np.eye(10)), np.arange(10.0))


# --------------------------------------------------------------- targets
def test_multiclass_string_labels_and_multilabel():
    X, _ = _table(300)
    y = np.where(X["colour"] == "red", "r", np.where(X["size"] > 0, "big", "small"))
    clf = TabularClassifier(**FAST).fit(X, y)
    assert clf.classes_.tolist() == ["big", "r", "small"]
    assert clf.module_.combine == "softmax"
    assert clf.score(X, y) > 0.9
    Y = np.column_stack([X["colour"] == "red", X["size"] > 0]).astype(int)
    multilabel = TabularClassifier(**FAST).fit(X, Y)
    assert multilabel.predict(X).shape == (300, 2)
    assert multilabel.module_.combine == "sigmoid"


def test_regression_targets_are_standardized_inside():
    """Targets in the millions, several of them: learnt without scaling."""
    X, _ = _table(400)
    Y = np.column_stack(
        [1e6 + 1e5 * X["size"], -3 * X["size"] + (X["colour"] == "red")]
    )
    reg = TabularRegressor(early_stopping=True, **FAST).fit(X, Y)
    assert reg.predict(X).shape == (400, 2)
    assert reg.score(X, Y) > 0.9
    assert 0.9 < reg.best_validation_score_ <= 1  # R² of the held-out rows


# ------------------------------------------------------ training defaults
def test_defaults_hold_out_a_fifth_and_keep_the_best_epoch():
    X, y = _table(500)
    clf = TabularClassifier(hidden_layer_sizes=(16,), max_iter=20, random_state=0)
    clf.fit(X, y)
    scores = clf.validation_scores_
    assert all(s <= 0 for s in scores)  # negative log-loss
    assert clf.best_validation_score_ == max(scores)
    n_train = sum(b["train_batch_size"] for b in clf.history_[0, "batches"])
    assert n_train == 400  # 80% of 500


def test_a_table_and_the_folds_of_its_cross_validation_train_alike():
    """early_stopping="auto" holds rows out from 250 rows on: a 600-row table
    and its 400-row folds all stop on held-out rows, and no fold warns of
    reaching max_iter (small tables won with it: benchmarks/small_tables.py)."""
    X, y = _table(600)
    clf = TabularClassifier(**{**FAST, "max_iter": 100, "early_stopping": "auto"})
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        folds = cross_validate(clone(clf), X, y, cv=3, return_estimator=True)
    for fitted in [clf.fit(X, y), *folds["estimator"]]:
        assert fitted.validation_scores_ is not None
        assert fitted.n_iter_ < 100  # stopped on the held-out rows


@pytest.mark.parametrize(
    "n_rows, rare, holds_out",
    [(250, False, True), (249, False, False), (300, True, False)],
)
def test_auto_holds_out_from_250_rows_where_a_split_can_be_made(
    n_rows, rare, holds_out
):
    """From 250 rows on (50 held out), but not with a class of one row,
    which no stratified split can place: "auto" then trains on all the
    rows, where early_stopping=True raises scikit-learn's error."""
    X, y = _table(n_rows)
    y = np.asarray(y).copy()
    if rare:
        y[0] = "maybe"
    clf = TabularClassifier(**{**FAST, "max_iter": 3, "early_stopping": "auto"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert (clf.validation_scores_ is not None) == holds_out
    if not holds_out:
        assert clf.t_ == 3 * n_rows  # every row trained, each epoch
    if rare:
        with pytest.raises(ValueError, match="least populated class"):
            clone(clf).set_params(early_stopping=True).fit(X, y)


def test_cosine_schedule_decays_to_zero_over_max_iter():
    X, y = _table(100)
    clf = TabularClassifier(
        max_iter=10,
        early_stopping=False,
        learning_rate="cosine",
        **{k: v for k, v in FAST.items() if k != "max_iter"},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the end of the schedule is no failure
        clf.fit(X, y)
    rates = clf.history_[:, "event_lr"]
    assert rates[0] == pytest.approx(0.005)
    assert all(a > b for a, b in itertools.pairwise(rates))
    assert rates[-1] < 0.005 * 0.05


def test_cosine_schedule_and_a_user_scheduler_do_not_mix():
    X, y = _table(60)
    clf = TabularClassifier(
        learning_rate="cosine", callbacks=[LRScheduler("StepLR", step_size=1)], **FAST
    )
    with pytest.raises(ValueError, match='Set learning_rate="constant"'):
        clf.fit(X, y)
    clf.set_params(learning_rate="constant").fit(X, y)


def test_partial_fit_unless_early_stopping_is_forced():
    X, y = _table(100)
    clf = TabularClassifier(**FAST)  # early_stopping="auto": all rows train
    clf.partial_fit(X, y, classes=["no", "yes"])
    assert clf.n_iter_ == 1 and clf.t_ == 100
    assert not hasattr(clf.set_params(early_stopping=True), "partial_fit")


# ------------------------------------------------------------- ensemble
def test_members_are_trained_on_their_own_losses():
    net = TabularMLP(2, 2, (), n_outputs=3, n_ensemble=4, combine="softmax")
    X, y = torch.randn(6, 2), torch.tensor([0, 1, 2, 0, 1, 2])
    raw = net.train()(X)
    assert raw.shape == (6, 4, 3)
    loss = MemberLoss(classification_loss(True))
    expected = torch.stack(
        [
            torch.nn.functional.cross_entropy(raw[:, j], y, reduction="none")
            for j in range(4)
        ]
    ).mean(0)
    torch.testing.assert_close(loss(raw, y), expected)
    torch.testing.assert_close(loss(raw, y, reduction="mean"), expected.mean())


@pytest.mark.parametrize("combine", ["softmax", "sigmoid", "mean"])
def test_members_average_their_probabilities(combine):
    raw = torch.randn(5, 4, 3, dtype=torch.float64)
    out = combine_members(raw, combine)
    if combine == "softmax":
        expected = torch.softmax(raw, dim=2).mean(1)
        torch.testing.assert_close(torch.softmax(out, dim=1), expected)
    elif combine == "sigmoid":
        torch.testing.assert_close(torch.sigmoid(out), torch.sigmoid(raw).mean(1))
    else:
        torch.testing.assert_close(out, raw.mean(1))


def test_one_member_is_a_plain_network():
    X, y = _table(100)
    clf = TabularClassifier(**{**FAST, "n_ensemble": 1}).fit(X, y)
    assert clf.module_.adapters is None
    assert clf.module_.head_weight.shape[0] == 1


# ------------------------------------------------- scikit-learn together
def test_grid_search_and_cross_validation_on_a_raw_frame():
    X, y = _table(200)
    search = GridSearchCV(
        TabularClassifier(**FAST),
        {"n_ensemble": [1, 2], "numeric_embedding": ["none", "periodic"]},
        cv=2,
    ).fit(X, y)
    assert set(search.best_params_) == {"n_ensemble", "numeric_embedding"}
    scores = cross_val_score(TabularRegressor(**FAST), X, X["size"] * 2, cv=3)
    assert scores.mean() > 0.5


def test_pickled_model_predicts_the_same_and_holds_no_training_rows():
    X, y = _table(200)
    clf = TabularClassifier(**FAST).fit(X, y)
    blob = pickle.dumps(clf)
    again = pickle.loads(blob)
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    assert b"city17" in blob  # the categories are part of the model...
    assert b"atlantis" not in blob
    # ... but no row of the training data: no numeric value of it either.
    assert X["size"].to_numpy()[:5].tobytes() not in blob
