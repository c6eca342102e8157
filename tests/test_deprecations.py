"""Renamed parameters and values keep working for a deprecation cycle, with a
FutureWarning naming the new spelling (scikit-learn's way), and models saved
before a rename load and predict as they did."""

import pickle
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import REGISTRY, assert_same_module, registry

import sknn
from sknn.modules import CNN, MLP, RNN, ConvAutoencoder, DenseAutoencoder

SAVED = Path(__file__).parent / "data" / "saved_1242900"


def _has(name):
    return lambda entry: name in entry.cls().get_params()


def _fit_warning(entry, params, X, y):
    """The estimator fitted with ``params``, and the FutureWarnings it gave."""
    est = entry.estimator(**params)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X) if y is None else est.fit(X, y)
    return est, [w for w in caught if w.category is FutureWarning]


@pytest.mark.parametrize("entry", registry(where=_has("batch_norm")))
@pytest.mark.parametrize("value", [True, False])
def test_batch_norm_warns_and_builds_the_same_network(entry, value):
    X, y = entry.make_data()
    old, caught = _fit_warning(entry, {"batch_norm": value}, X, y)
    assert len(caught) == 1
    new_value = "batch" if value else None
    assert str(caught[0].message) == (
        "`batch_norm` was renamed `normalization` in 0.1 and will be removed in "
        f"0.3: use normalization={new_value!r} instead of batch_norm={value!r}."
    )
    # The warning points at the line that called fit, not at sknn's.
    assert caught[0].filename == __file__
    new = entry.fit(entry.estimator(normalization=new_value), X, y)
    assert_same_module(old, new)
    assert old.get_params()["batch_norm"] is value  # stored as given


@pytest.mark.parametrize("entry", registry(where=_has("batch_norm")))
def test_batch_norm_and_normalization_together_are_refused(entry):
    X, y = entry.make_data()
    est = entry.estimator(batch_norm=True, normalization="layer")
    with pytest.raises(ValueError, match="Both `batch_norm` and `normalization`"):
        entry.fit(est, X, y)


@pytest.mark.parametrize("entry", registry(where=_has("pool_size")))  # the CNNs
def test_pooling_avg_is_mean(entry):
    X, y = entry.make_data()
    old, caught = _fit_warning(entry, {"pooling": "avg"}, X, y)
    assert [str(w.message) for w in caught] == [
        "pooling='avg' was renamed pooling='mean' in 0.1 and will be removed in "
        "0.3: use the new name."
    ]
    new = entry.fit(entry.estimator(pooling="mean"), X, y)
    assert_same_module(old, new)
    pools = [
        type(m).__name__ for m in new.module_.modules() if "Pool" in type(m).__name__
    ]
    assert pools and all(name.startswith("AvgPool") for name in pools)


@pytest.mark.parametrize("cls", [sknn.TabularClassifier, sknn.TabularRegressor])
def test_the_table_networks_embedding_dim_is_categorical_embedding_dim(cls):
    entry = REGISTRY[cls]
    X, y = entry.make_data()
    X = pd.DataFrame(X, columns=list("abcd"))
    X["colour"] = np.random.RandomState(0).choice(list("pqrstuvwxyz"), len(X))
    old, caught = _fit_warning(entry, {"embedding_dim": 3}, X, y)
    assert len(caught) == 1
    assert "use categorical_embedding_dim=3 instead of embedding_dim=3" in str(
        caught[0].message
    )
    new = entry.fit(entry.estimator(categorical_embedding_dim=3), X, y)
    assert_same_module(old, new)
    assert new.module_.embeddings[0].embedding_dim == 3


def test_the_modules_take_the_old_names_with_a_warning():
    torch.manual_seed(0)
    with pytest.warns(FutureWarning, match="MLP's batch_norm=True was renamed"):
        old = MLP(4, 2, batch_norm=True)
    assert old.normalization == "batch"
    for build in (
        lambda **kw: DenseAutoencoder(6, 2, **kw),
        lambda **kw: RNN(3, 2, hidden_layer_sizes=(4,), **kw),
    ):
        with pytest.warns(FutureWarning, match="batch_norm=True was renamed"):
            module = build(batch_norm=True)
        assert any("BatchNorm" in type(m).__name__ for m in module.modules())
    for build in (
        lambda **kw: CNN((1, 8, 8), 2, **kw),
        lambda **kw: ConvAutoencoder((1, 8, 8), 2, **kw),
    ):
        with pytest.warns(FutureWarning, match="pooling='avg' was renamed"):
            module = build(pooling="avg")
        assert module.pooling == "mean"


# Estimators added after 1242900, of which no model was saved then.
_ADDED_SINCE = (sknn.SeriesClassifier, sknn.SeriesRegressor)


@pytest.mark.parametrize("entry", registry(where=lambda e: e.cls not in _ADDED_SINCE))
def test_models_saved_before_the_renames_load_and_predict_alike(entry):
    """Pickled by sknn at commit 1242900 (tests/data/saved_1242900/make.py),
    with batch_norm, pooling="avg" and the table networks' embedding_dim."""
    with open(SAVED / f"{entry.name}.pkl", "rb") as file:
        saved = pickle.load(file)
    model = saved["model"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # loading and predicting warn nothing
        outputs = entry.outputs(model, saved["X"])
    for got, expected in zip(outputs, saved["outputs"], strict=True):
        np.testing.assert_array_equal(got, expected)
    params = model.get_params()
    # Saved before dtype: None, the input's dtype, as they computed then.
    assert params["dtype"] is None
    for old, new in [("batch_norm", "normalization")]:
        if old in params:
            assert params[old] == "deprecated"
            assert params[new] == ("batch" if saved["params"][old] else None)
    if entry.name.startswith("Tabular"):
        assert params["embedding_dim"] == "deprecated"
        assert params["categorical_embedding_dim"] == 3
    if entry.name.startswith("Tabular"):
        return  # fitted on a table of its own (make.py): no y to train on
    # ... and the others train on, warm-started, as they were built.
    model.set_params(warm_start=True, max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence; pooling="avg" as saved
        entry.fit(model, *entry.make_data())
    assert entry.outputs(model, saved["X"])[0].shape == outputs[0].shape
