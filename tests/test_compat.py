"""sknn's estimators inside the scikit-learn ecosystem: pipelines, searches,
cross-validation, pandas, dtypes and sparse input, for every public
estimator (see the registry in conftest.py)."""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from conftest import assert_same_module, registry
from scipy.stats import loguniform, uniform
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skorch.callbacks import LRScheduler

# Features on very different scales, as in real tables (wine: 0.1 to 1000).
SCALES = np.logspace(-2, 3, 7)


def _badly_scaled(X):
    scales = np.resize(SCALES, X.shape[1])
    return X * scales + 10 * scales


# --------------------------------------------------------- meta-estimators
@pytest.mark.parametrize("entry", registry())
def test_pipeline_with_standard_scaler(entry):
    """Scaled in the pipeline, badly scaled features train as well as scaled
    ones, and the pipeline is exactly the scaler then the estimator."""
    X, y = entry.make_flat_data()
    X_test, y_test = entry.make_flat_data(seed=1)
    X, X_test = _badly_scaled(X), _badly_scaled(X_test)
    pipe = make_pipeline(StandardScaler(), entry.flat_estimator())
    entry.fit(pipe, X, y)

    scaler = StandardScaler().fit(X)
    by_hand = entry.fit(entry.flat_estimator(), scaler.transform(X), y)
    assert_same_module(pipe[-1], by_hand)
    for method in entry.methods:
        np.testing.assert_array_equal(
            getattr(pipe, method)(X_test),
            getattr(by_hand, method)(scaler.transform(X_test)),
        )
    X_scaled = scaler.transform(X_test)
    assert entry.score(pipe, X_test, y_test) >= entry.learnt_score(X_scaled, y_test)


@pytest.mark.slow
@pytest.mark.parametrize("entry", registry())
def test_grid_search_in_parallel(entry):
    """Candidates train in worker processes, callbacks travel with them and
    are copied for every fit, and the search finds the learning rate that
    learns."""
    X, y = entry.make_data()
    lr = entry.params["learning_rate_init"]
    est = entry.estimator(
        # No stop on a plateau, so that every epoch records its rate.
        n_iter_no_change=100,
        learning_rate="constant",  # the schedule is the callback's
        callbacks=[LRScheduler(policy="StepLR", step_size=5, gamma=0.5)],
    )
    search = GridSearchCV(
        est, {"learning_rate_init": [1e-6, lr]}, cv=2, n_jobs=2, error_score="raise"
    )
    entry.fit(search, X, y)
    assert len(search.cv_results_["params"]) == 2
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_params_ == {"learning_rate_init": lr}
    best = search.best_estimator_
    assert type(best) is entry.cls
    assert best.get_params()["learning_rate_init"] == lr
    X_test, y_test = entry.make_data(seed=1)
    assert entry.score(search, X_test, y_test) >= entry.learnt_score(X_test, y_test)
    n_epochs = entry.params["max_iter"]
    expected = [lr * 0.5 ** (i // 5) for i in range(n_epochs)]
    assert best.history_[:, "event_lr"] == pytest.approx(expected)
    assert not hasattr(est.callbacks[0], "lr_scheduler_")  # the user's is unused


@pytest.mark.parametrize("entry", registry())
def test_randomized_search(entry):
    """(In this process: test_grid_search_in_parallel has the workers.)"""
    X, y = entry.make_data()
    search = RandomizedSearchCV(
        entry.estimator(),
        {"alpha": loguniform(1e-5, 1e-1), "dropout": uniform(0.0, 0.2)},
        n_iter=3,
        cv=2,
        random_state=0,
        error_score="raise",
    )
    entry.fit(search, X, y)
    assert len(search.cv_results_["params"]) == 3
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    for params in search.cv_results_["params"]:
        assert 1e-5 <= params["alpha"] <= 1e-1
        assert 0.0 <= params["dropout"] <= 0.2
    for name, value in search.best_params_.items():
        assert search.best_estimator_.get_params()[name] == value


@pytest.mark.parametrize("entry", registry())
def test_cross_val_score(entry):
    X, y = entry.make_data()
    scores = cross_val_score(entry.estimator(), X, y, cv=3)
    assert scores.shape == (3,)
    assert scores.mean() >= entry.learnt_score(X, y)


# ------------------------------------------------------------------- pandas
def _frame(X):
    return pd.DataFrame(X, columns=[f"feat_{i}" for i in range(X.shape[1])])


def _labels(entry, y):
    """String labels in a named Series for classifiers, y itself otherwise."""
    if entry.kind != "classifier":
        return y
    return pd.Series(np.array(["a", "b", "c"])[y], name="species")


@pytest.mark.parametrize("entry", registry())
def test_dataframe_input_sets_feature_names_and_checks_them(entry):
    X, y = entry.make_flat_data()
    X = X.astype(entry.frame_dtype)  # the precision frames train in
    df, labels = _frame(X), _labels(entry, y)
    est = entry.fit(entry.flat_estimator(), df, labels)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the matching frame: no warning
        getattr(est, entry.first_method)(df)
    np.testing.assert_array_equal(est.feature_names_in_, df.columns)
    assert est.n_features_in_ == X.shape[1]
    if entry.kind == "classifier":
        np.testing.assert_array_equal(est.classes_, ["a", "b", "c"])
    # The same model as from the arrays.
    as_arrays = None if labels is None else np.asarray(labels)
    from_array = entry.fit(entry.flat_estimator(), X, as_arrays)
    assert_same_module(est, from_array)
    for method in entry.methods:
        out, expected = getattr(est, method)(df), getattr(from_array, method)(X)
        if out.dtype.kind == "f":
            # To rounding: a frame's values reach the network in column-major
            # order, which the matrix products sum in another order.
            np.testing.assert_allclose(out, expected, rtol=1e-12)
        else:
            np.testing.assert_array_equal(out, expected)

    renamed = df.rename(columns={"feat_0": "other"})
    with pytest.raises(ValueError, match="feature names should match those"):
        getattr(est, entry.first_method)(renamed)
    reordered = df[["feat_1", "feat_0", *df.columns[2:]]]
    with pytest.raises(ValueError, match="Feature names must be in the same order"):
        getattr(est, entry.first_method)(reordered)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        getattr(est, entry.first_method)(X)
    with pytest.warns(UserWarning, match=f"X has feature names, but {entry.name}"):
        getattr(from_array, entry.first_method)(df)
    assert not hasattr(from_array, "feature_names_in_")


@pytest.mark.parametrize("entry", registry(kind="regressor"))
def test_dataframe_targets_for_multi_output_regression(entry):
    X, y = entry.make_flat_data()
    Y = pd.DataFrame({"a": y, "b": -y, "c": 2 * y})
    reg = entry.flat_estimator().fit(_frame(X), Y)
    assert reg.n_outputs_ == 3
    assert reg.predict(_frame(X)).shape == (len(X), 3)
    assert reg.score(_frame(X), Y) >= 0.5


# ------------------------------------------------------------------- dtypes
@pytest.mark.parametrize("entry", registry())
def test_input_dtypes(entry):
    """Integer X trains exactly as float64 X (both compute in float64 on the
    CPU); float32 X computes in float32, to nearly the same model."""
    X, y = entry.make_data()
    X = np.round(X * 4)  # integral values, so every dtype holds the same data
    reference = entry.fit(entry.estimator(), X, y)
    expected = entry.outputs(reference, X)
    for dtype in (np.int64, np.int32):
        est = entry.fit(entry.estimator(), X.astype(dtype), y)
        assert_same_module(est, reference)
        for out, ref in zip(entry.outputs(est, X.astype(dtype)), expected, strict=True):
            np.testing.assert_array_equal(out, ref)
    est = entry.fit(entry.estimator(), X.astype(np.float32), y)
    assert next(est.module_.parameters()).dtype == torch.float32
    outputs = entry.outputs(est, X.astype(np.float32))
    for out, ref in zip(
        entry.values(est, X.astype(np.float32)), entry.values(reference, X), strict=True
    ):
        np.testing.assert_allclose(out, ref, rtol=1e-2, atol=1e-2)
    if entry.kind == "classifier":
        assert np.mean(outputs[0] == expected[0]) >= 0.95
        np.testing.assert_allclose(outputs[1].sum(axis=1), 1.0, rtol=1e-5)
    if entry.kind == "transformer":
        # A transformer preserves float dtypes; integers come back as float64.
        assert outputs[0].dtype == np.float32
        assert expected[0].dtype == np.float64


@pytest.mark.parametrize("entry", registry())
def test_predict_accepts_another_float_dtype_than_fit(entry):
    X, y = entry.make_data()
    X = X.astype(np.float32)
    est = entry.fit(entry.estimator(), X, y)
    for a, b in zip(
        entry.outputs(est, X.astype(np.float64)),  # the same values
        entry.outputs(est, X),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------- sparse
@pytest.mark.parametrize("entry", registry())
def test_sparse_input(entry):
    """Sparse rows give the dense result, in every format and after a
    scaler; the autoencoders, which reconstruct dense samples, refuse them."""
    X, y = entry.make_flat_data()
    X = np.where(np.abs(X) < 0.5, 0.0, X)  # a genuinely sparse matrix
    if not entry.accepts_sparse:
        with pytest.raises(TypeError, match="Sparse data was passed"):
            entry.fit(entry.flat_estimator(), sp.csr_matrix(X), y)
        return
    dense = entry.fit(entry.flat_estimator(), X, y)
    sparse = entry.fit(entry.flat_estimator(), sp.csr_matrix(X), y)
    for a, b in zip(
        dense.module_.parameters(), sparse.module_.parameters(), strict=True
    ):
        np.testing.assert_allclose(a.detach(), b.detach(), atol=1e-10)
    for fmt in ["csr", "csc", "coo"]:
        for method in entry.methods:
            np.testing.assert_allclose(
                getattr(sparse, method)(sp.csr_matrix(X).asformat(fmt)),
                getattr(dense, method)(X),
                atol=1e-10,
            )
    pipe = make_pipeline(StandardScaler(with_mean=False), clone(dense))
    dense_pipe = make_pipeline(StandardScaler(with_mean=False), clone(dense))
    entry.fit(pipe, sp.csr_matrix(X), y)
    entry.fit(dense_pipe, X, y)
    np.testing.assert_allclose(
        pipe.predict(sp.csr_matrix(X)), dense_pipe.predict(X), atol=1e-10
    )
