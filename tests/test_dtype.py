"""The dtype the networks compute in (``dtype``), and the dtypes of what they
return, for every public estimator (see the registry in conftest.py).

float32 by default for the convolutional, recurrent and table networks, as in
PyTorch and Keras; None (scikit-learn's rule: the input's float dtype on the
CPU) for the MLP drop-ins and the dense autoencoder. The outputs' dtypes do
not depend on it.
"""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import registry
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError

import sknn

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FLOAT32_BY_DEFAULT = {
    sknn.CNNClassifier,
    sknn.CNNRegressor,
    sknn.CNNAutoencoder,
    sknn.RNNClassifier,
    sknn.RNNRegressor,
    sknn.TabularClassifier,
    sknn.TabularRegressor,
}


def _module_dtype(est) -> torch.dtype:
    return next(est.module_.parameters()).dtype


def _fit(entry, X, y, **params):
    return entry.fit(entry.estimator(**params), X, y)


@pytest.mark.parametrize("entry", registry())
def test_the_default_dtype(entry):
    expected = "float32" if entry.cls in FLOAT32_BY_DEFAULT else None
    assert entry.cls().dtype == expected


@pytest.mark.parametrize(
    "entry", registry(where=lambda entry: entry.cls in FLOAT32_BY_DEFAULT)
)
def test_float64_input_trains_in_float32_by_default(entry):
    X, y = entry.make_data()
    assert X.dtype == np.float64
    est = entry.fit(entry.cls(**entry.params), X, y)
    assert _module_dtype(est) == torch.float32
    assert entry.score(est, X, y) >= entry.learnt_score(X, y)


@pytest.mark.parametrize("entry", registry(where=lambda e: e.cls.__name__[:3] == "MLP"))
def test_the_mlps_keep_scikit_learns_dtype_by_default(entry):
    X, y = entry.make_data()
    est = entry.fit(entry.cls(**entry.params), X, y)
    assert _module_dtype(est) == torch.float64
    est = entry.fit(entry.cls(**entry.params), X.astype(np.float32), y)
    assert _module_dtype(est) == torch.float32


@pytest.mark.parametrize("entry", registry())
@pytest.mark.parametrize("input_dtype", [np.float32, np.float64])
def test_dtype_float64_computes_in_float64(entry, input_dtype):
    X, y = entry.make_data()
    est = _fit(entry, X.astype(input_dtype), y, dtype="float64")
    assert _module_dtype(est) == torch.float64
    assert entry.score(est, X, y) >= entry.learnt_score(X, y)


@pytest.mark.parametrize("entry", registry())
@pytest.mark.parametrize("input_dtype", [np.float32, np.float64])
def test_dtype_none_follows_the_input(entry, input_dtype):
    X, y = entry.make_data()
    est = _fit(entry, X.astype(input_dtype), y, dtype=None)
    assert _module_dtype(est) == torch.from_numpy(np.empty(0, input_dtype)).dtype


def test_float64_arithmetic_with_dtype_float64(regression_data):
    """float32 input to a float64 network: its predictions are float64
    arithmetic on its weights, to float64's rounding."""
    X, y = regression_data
    X = X.astype(np.float32)
    small = dict(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    est = sknn.MLPRegressor(dtype="float64", **small).fit(X, y)
    assert est.coefs_[0].dtype == np.float64
    hidden = np.maximum(X.astype(np.float64) @ est.coefs_[0] + est.intercepts_[0], 0)
    expected = hidden @ est.coefs_[1] + est.intercepts_[1]
    np.testing.assert_allclose(est.predict(X), expected.ravel(), rtol=1e-12)
    # dtype="float32" on float64 input: float32 weights.
    est = sknn.MLPRegressor(dtype="float32", **small).fit(X.astype(np.float64), y)
    assert est.coefs_[0].dtype == np.float32


def test_the_table_networks_read_dataframes_in_float32_with_none():
    """Before ``dtype``, a DataFrame trained in float32 and a float array in
    its own dtype: dtype=None keeps that; float64 reads the frame in float64."""
    X = pd.DataFrame(
        np.random.RandomState(0).normal(size=(120, 3)), columns=list("abc")
    )
    y = (X["a"] > 0).to_numpy()
    small = dict(max_iter=3, n_ensemble=1, early_stopping=False, random_state=0)
    for dtype, frame, array in [
        (None, torch.float32, torch.float64),
        ("float32", torch.float32, torch.float32),
        ("float64", torch.float64, torch.float64),
    ]:
        est = sknn.TabularClassifier(dtype=dtype, **small)
        assert _module_dtype(est.fit(X, y)) == frame, dtype
        assert _module_dtype(est.fit(X.to_numpy(), y)) == array, dtype


@pytest.mark.parametrize("value", ["float16", "double", np.float32, torch.float32])
def test_an_invalid_dtype_is_refused(value):
    X, y = np.random.RandomState(0).normal(size=(20, 3)), np.arange(20) % 2
    message = r"The 'dtype' parameter of CNNClassifier must be a str among .* or None"
    with pytest.raises(InvalidParameterError, match=message):
        sknn.CNNClassifier(dtype=value).fit(X, y)


def _output_dtypes(entry, est, X) -> list:
    return [out.dtype for out in entry.outputs(est, X)]


@pytest.mark.parametrize("entry", registry())
@pytest.mark.parametrize("input_dtype", [np.float32, np.float64])
def test_the_outputs_dtypes_do_not_depend_on_the_compute_dtype(entry, input_dtype):
    """float32 or float64 arithmetic: the dtypes that scikit-learn's rule
    (dtype=None) gives, for either input dtype."""
    X, y = entry.make_data()
    X = X.astype(input_dtype)
    expected = _output_dtypes(entry, _fit(entry, X, y, dtype=None), X)
    got = _output_dtypes(entry, _fit(entry, X, y, dtype="float32"), X)
    assert got == expected
    if entry.kind == "classifier":  # probabilities in float64
        assert got[1:] == [np.float64, np.float64]
    if entry.kind == "transformer":  # scikit-learn's preserves_dtype
        assert got[0] == got[2] == input_dtype
    if entry.kind == "regressor":  # as scikit-learn's MLPRegressor
        assert got == [input_dtype]


@pytest.mark.parametrize("entry", registry())
def test_a_fitted_network_keeps_its_dtype(entry):
    """warm_start and partial_fit go on in the fitted network's dtype, and a
    saved model loads in it."""
    X, y = entry.make_data()
    est = _fit(entry, X, y, dtype="float64")
    est.set_params(dtype="float32", warm_start=True, max_iter=1)
    entry.fit(est, X.astype(np.float32), y)
    assert _module_dtype(est) == torch.float64
    entry.partial_fit(est, X.astype(np.float32), y)
    assert _module_dtype(est) == torch.float64
    loaded = pickle.loads(pickle.dumps(est))
    assert _module_dtype(loaded) == torch.float64
    assert loaded.dtype == "float32"
    for got, want in zip(entry.outputs(loaded, X), entry.outputs(est, X), strict=True):
        np.testing.assert_array_equal(got, want)
    # A new fit takes the parameter's dtype.
    est.set_params(warm_start=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        entry.fit(est, X, y)
    assert _module_dtype(est) == torch.float32
