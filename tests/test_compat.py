"""sknn's MLPs inside the scikit-learn ecosystem: pipelines, searches, pandas,
dtypes and sparse input."""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.stats import loguniform, uniform
from sklearn.datasets import load_wine
from sklearn.model_selection import (
    GridSearchCV,
    RandomizedSearchCV,
    cross_val_score,
    train_test_split,
)
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from skorch.callbacks import LRScheduler

from sknn import MLPClassifier, MLPRegressor

FAST = dict(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=100, random_state=0)


# --------------------------------------------------------- meta-estimators
def test_pipeline_with_standard_scaler():
    X, y = load_wine(return_X_y=True)  # features on very different scales
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, stratify=y, random_state=0
    )
    pipe = Pipeline([("scale", StandardScaler()), ("mlp", MLPClassifier(**FAST))]).fit(
        X_train, y_train
    )
    assert pipe.score(X_test, y_test) >= 0.93
    assert pipe.predict_proba(X_test).shape == (len(X_test), 3)
    np.testing.assert_array_equal(pipe.classes_, [0, 1, 2])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_grid_search_in_parallel(iris):
    X, y = iris
    grid = {
        "hidden_layer_sizes": [(4,), (16,)],
        "alpha": [1e-4, 1e-1],
        "dropout": [0.0, 0.2],
    }
    search = GridSearchCV(
        MLPClassifier(
            learning_rate_init=0.01,
            max_iter=60,
            random_state=0,
            # Callbacks travel to the workers and are copied for every fit.
            callbacks=[LRScheduler(policy="StepLR", step_size=30, gamma=0.5)],
        ),
        grid,
        cv=3,
        n_jobs=2,
        error_score="raise",
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 8
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_score_ >= 0.9
    best = search.best_estimator_
    assert isinstance(best, MLPClassifier)
    assert best.get_params()["hidden_layer_sizes"] in grid["hidden_layer_sizes"]
    for name, value in search.best_params_.items():
        assert best.get_params()[name] == value
    assert best.score(X, y) >= 0.9
    lrs = best.history_[:, "event_lr"]
    assert lrs == pytest.approx([0.01 * 0.5 ** (i // 30) for i in range(len(lrs))])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_randomized_search_in_parallel(regression_data):
    X, y = regression_data
    search = RandomizedSearchCV(
        MLPRegressor(learning_rate_init=0.01, max_iter=60, random_state=0),
        {
            "hidden_layer_sizes": [(8,), (16, 8)],
            "alpha": loguniform(1e-5, 1e-1),
            "dropout": uniform(0.0, 0.2),
        },
        n_iter=4,
        cv=3,
        n_jobs=2,
        random_state=0,
        error_score="raise",
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_score_ >= 0.8
    assert 0.0 <= search.best_params_["dropout"] <= 0.2


def test_cross_val_score_classifier(iris):
    X, y = iris
    scores = cross_val_score(MLPClassifier(**FAST), X, y, cv=5)
    assert scores.shape == (5,)
    assert scores.mean() >= 0.9


def test_cross_val_score_regressor(regression_data):
    X, y = regression_data
    scores = cross_val_score(MLPRegressor(**FAST), X, y, cv=5, scoring="r2")
    assert scores.mean() >= 0.9


# ------------------------------------------------------------------- pandas
def _frame(X):
    return pd.DataFrame(X, columns=[f"feat_{i}" for i in range(X.shape[1])])


def test_dataframe_input_sets_feature_names(iris):
    X, y = iris
    df = _frame(X)
    labels = pd.Series(np.array(["a", "b", "c"])[y], name="species")
    clf = MLPClassifier(**FAST).fit(df, labels)
    np.testing.assert_array_equal(clf.feature_names_in_, df.columns)
    assert clf.n_features_in_ == 4
    np.testing.assert_array_equal(clf.classes_, ["a", "b", "c"])
    from_array = MLPClassifier(**FAST).fit(X, labels.to_numpy())
    np.testing.assert_array_equal(clf.predict(df), from_array.predict(X))
    assert clf.score(df, labels) >= 0.95


def test_dataframe_targets_for_multi_output_regression(multioutput_regression_data):
    X, Y = multioutput_regression_data
    reg = MLPRegressor(**FAST).fit(_frame(X), pd.DataFrame(Y, columns=["a", "b", "c"]))
    assert reg.predict(_frame(X)).shape == (200, 3)


def test_mismatching_column_names_raise(iris):
    X, y = iris
    clf = MLPClassifier(**FAST).fit(_frame(X), y)
    renamed = _frame(X).rename(columns={"feat_0": "other"})
    with pytest.raises(ValueError, match="feature names should match those"):
        clf.predict(renamed)
    reordered = _frame(X)[["feat_1", "feat_0", "feat_2", "feat_3"]]
    with pytest.raises(ValueError, match="Feature names must be in the same order"):
        clf.predict(reordered)


def test_array_after_dataframe_warns(iris):
    X, y = iris
    clf = MLPClassifier(**FAST).fit(_frame(X), y)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        clf.predict(X)


def test_dataframe_after_array_warns(iris):
    X, y = iris
    clf = MLPClassifier(**FAST).fit(X, y)
    assert not hasattr(clf, "feature_names_in_")
    with pytest.warns(UserWarning, match="X has feature names, but MLPClassifier"):
        clf.predict(_frame(X))


def test_matching_dataframe_does_not_warn(iris):
    X, y = iris
    clf = MLPClassifier(**FAST).fit(_frame(X), y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.predict_proba(_frame(X))


# ------------------------------------------------------------------- dtypes
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.int32])
def test_input_dtypes(iris, dtype):
    """float64, float32 and integer X train alike."""
    X, y = iris
    X = np.round(X * 10)  # integral values, so every dtype holds the same data
    reference = MLPClassifier(**FAST).fit(X, y).predict(X)
    clf = MLPClassifier(**FAST).fit(X.astype(dtype), y)
    pred = clf.predict(X.astype(dtype))
    assert np.mean(pred == y) >= 0.95
    assert np.mean(pred == reference) >= 0.95
    proba = clf.predict_proba(X.astype(dtype))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_regressor_input_dtypes(regression_data, dtype):
    X, y = regression_data
    reg = MLPRegressor(**FAST).fit(X.astype(dtype), y.astype(dtype))
    assert reg.score(X.astype(dtype), y) >= 0.95


def test_predict_accepts_another_float_dtype_than_fit(iris):
    X, y = iris
    clf = MLPClassifier(**FAST).fit(X.astype(np.float32), y)
    np.testing.assert_array_equal(
        clf.predict(X.astype(np.float64)), clf.predict(X.astype(np.float32))
    )


# ------------------------------------------------------------------- sparse
@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_sparse_input_gives_the_dense_result(cls, iris, regression_data):
    X, y = iris if cls is MLPClassifier else regression_data
    X = np.where(np.abs(X) < 0.5, 0.0, X)  # a genuinely sparse matrix
    params = dict(hidden_layer_sizes=(8,), max_iter=20, random_state=0)
    dense = cls(**params).fit(X, y)
    sparse = cls(**params).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(sparse.predict(X), dense.predict(X), atol=1e-10)
    np.testing.assert_allclose(sparse.coefs_[0], dense.coefs_[0], atol=1e-10)
    if cls is MLPClassifier:
        np.testing.assert_allclose(
            sparse.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X), atol=1e-10
        )


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
def test_sparse_formats_accepted(iris, fmt):
    X, y = iris
    X_sparse = sp.csr_matrix(X).asformat(fmt)
    clf = MLPClassifier(**FAST).fit(X_sparse, y)
    assert clf.score(X_sparse, y) >= 0.95
    np.testing.assert_array_equal(clf.predict(X_sparse), clf.predict(X))


def test_sparse_input_in_a_pipeline_with_scaling(iris):
    X, y = iris
    pipe = make_pipeline(StandardScaler(with_mean=False), MLPClassifier(**FAST))
    assert pipe.fit(sp.csr_matrix(X), y).score(sp.csr_matrix(X), y) >= 0.95
