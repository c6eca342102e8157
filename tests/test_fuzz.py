"""Bad and unusual inputs, on every public method of every estimator.

The property (``fuzzing.py`` generates the cases): any input either works,
giving finite weights and outputs, or raises a ``ValueError``/``TypeError``
(or ``NotFittedError``) from sknn or scikit-learn's validation; and the
caller's arguments stay as they were. The suite runs a few hundred cases,
always the same ones; ``scripts/fuzz.py`` runs 10,000 or more.

Below the property, each kind of input that once failed inside torch,
skorch, pandas or numpy, asserted by itself: what works gives what the plain
array gives, what cannot work says so.
"""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from conftest import assert_same_module, registry
from fuzzing import BAD, cases, run
from hypothesis import HealthCheck, given, settings
from skorch.callbacks import Callback

import sknn


@settings(
    max_examples=400,
    derandomize=True,  # the same cases at every run: CI stays reproducible
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(case=cases())
def test_any_input_works_or_raises_a_clear_error(case):
    run(case)
    assert case.outcome not in BAD, f"{case}: {case.outcome}: {case.detail}"


# ----------------------------------------------------- layouts and containers
def _quiet_fit(entry, X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return entry.fit(entry.estimator(**params), X, y)


LAYOUTS = {
    "reversed rows": lambda X: X[::-1],
    "reversed last axis": lambda X: X[..., ::-1],
    "non-native byte order": lambda X: X.astype(X.dtype.newbyteorder(">")),
    "torch tensor": lambda X: torch.from_numpy(np.ascontiguousarray(X)),
    "memoryview": lambda X: memoryview(np.ascontiguousarray(X)),
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("entry", registry())
def test_other_layouts_and_containers_work_in_fit_and_predict(entry, layout):
    """As scikit-learn accepts them: the model and the outputs of the plain
    array, from fit and from every method that reads X."""
    X, y = entry.make_data()
    given = LAYOUTS[layout](X)
    plain = np.ascontiguousarray(np.asarray(given), dtype=X.dtype)
    if layout == "reversed rows" and y is not None:
        y = y[::-1]
    ours = _quiet_fit(entry, given, y)
    reference = _quiet_fit(entry, plain, y)
    assert_same_module(ours, reference)
    outputs = zip(
        entry.outputs(ours, LAYOUTS[layout](X)),
        entry.outputs(reference, plain),
        strict=True,
    )
    for got, want in outputs:
        np.testing.assert_array_equal(got, want)


# Views whose strides are negative: torch takes none. One reversed row is
# C-contiguous for NumPy, yet keeps its negative stride.
REVERSED_VIEWS = {
    "one reversed row": lambda X: X[:1][::-1],
    "every other row, reversed": lambda X: X[::-2],
    "reversed second axis": lambda X: X[:, ::-1],
    "reversed last axis": lambda X: X[..., ::-1],
    "reversed both": lambda X: X[::-1, ::-1],
}


@pytest.mark.parametrize("entry", registry())
def test_views_with_negative_strides_give_what_their_copies_give(entry):
    X, y = entry.make_data()
    model = _quiet_fit(entry, X, y)
    for name, view in REVERSED_VIEWS.items():
        given = view(X)
        assert any(s < 0 for s in given.strides), name
        got = entry.outputs(model, given)
        want = entry.outputs(model, given.copy())
        for ours, copied in zip(got, want, strict=True):
            np.testing.assert_array_equal(ours, copied, err_msg=name)
    if y is None:  # the transformers fit one row too
        one_row = _quiet_fit(entry, X[:1][::-1], None)
        assert_same_module(one_row, _quiet_fit(entry, X[:1].copy(), None))


@pytest.mark.parametrize("entry", registry(kind="regressor"))
def test_a_sparse_y_trains_as_the_dense_one(entry):
    X, y = entry.make_data()
    sparse = _quiet_fit(entry, X, sp.csr_matrix(y[:, None]))
    dense = _quiet_fit(entry, X, y)
    assert_same_module(sparse, dense)
    assert sparse.score(X, sp.csr_matrix(y[:, None])) == dense.score(X, y)


def test_a_series_of_sequences_reads_as_a_list_of_them():
    rng = np.random.RandomState(0)
    sequences = [rng.normal(size=(n, 2)) for n in rng.randint(2, 7, 40)]
    y = np.arange(40) % 2
    as_list = _quiet_fit(registry_entry(sknn.RNNClassifier), sequences, y)
    as_series = _quiet_fit(registry_entry(sknn.RNNClassifier), pd.Series(sequences), y)
    assert_same_module(as_list, as_series)
    np.testing.assert_array_equal(
        as_series.predict_proba(pd.Series(sequences)), as_list.predict_proba(sequences)
    )


def registry_entry(cls):
    return next(p.values[0] for p in registry() if p.values[0].cls is cls)


def test_object_arrays_of_integers_beyond_int64_are_numbers():
    """As scikit-learn reads them: floats."""
    entry = registry_entry(sknn.MLPRegressor)
    X, y = entry.make_data()
    huge = np.round(X * 1e3).astype(np.int64).astype(object) * 2**64
    ours = _quiet_fit(entry, huge, y)
    reference = _quiet_fit(entry, huge.astype(np.float64), y)
    assert_same_module(ours, reference)


# ------------------------------------------------------------ clear errors
@pytest.mark.parametrize("entry", registry())
def test_n_d_sparse_arrays_are_refused(entry):
    X, y = entry.make_data()
    tensor = sp.coo_array(X.reshape(len(X), 2, -1))
    with pytest.raises(ValueError, match="takes 2D sparse data"):
        entry.fit(entry.estimator(), tensor, y)


@pytest.mark.parametrize("entry", registry(where=lambda e: e.nan_message is not None))
def test_a_dataframe_with_text_names_its_columns(entry):
    X, y = entry.make_data()
    frame = pd.DataFrame(X.reshape(len(X), -1)).add_prefix("f")
    frame["city"] = "Paris"
    with pytest.raises(ValueError, match=r"not numbers: 'city' \((object|str)\)"):
        entry.fit(entry.flat_estimator(), frame, y)


@pytest.mark.parametrize("entry", registry())
def test_integers_beyond_float64_are_named_in_fit_and_predict(entry):
    """Python's OverflowError before (scikit-learn's MLP fails so too)."""
    X, y = entry.make_flat_data()
    huge = X.astype(object)
    huge[3, 1] = 10**400
    message = r"reads numbers as float64, but X\[3, 1\] holds an integer too large"
    with pytest.raises(ValueError, match=message):
        entry.fit(entry.flat_estimator(), huge, y)
    model = _quiet_fit(entry, X, y, **entry.flat_params)
    for method in entry.methods:
        with pytest.raises(ValueError, match=message):
            getattr(model, method)(huge)
    if entry.kind == "regressor":
        y = y.astype(object)
        y[5] = -(10**400)
        with pytest.raises(ValueError, match=r"but y\[5\] holds an integer too"):
            entry.fit(entry.flat_estimator(), X, y)


@pytest.mark.parametrize("entry", registry(where=lambda e: e.nan_message is None))
def test_an_integer_beyond_float64_in_a_dataframe_names_its_column(entry):
    """The table networks read object columns of numbers themselves (the
    others refuse object columns as text)."""
    X, y = entry.make_flat_data()
    frame = pd.DataFrame(X).add_prefix("f")
    frame["f1"] = frame["f1"].astype(object)
    frame.loc[7, "f1"] = 10**400
    with pytest.raises(ValueError, match=r"X's column 'f1', row 7, holds an integer"):
        entry.fit(entry.flat_estimator(), frame, y)


@pytest.mark.parametrize("entry", registry())
def test_a_dataframe_with_a_column_name_twice_is_refused(entry):
    """narwhals' DuplicateError before, in fit and in every method."""
    X, y = entry.make_flat_data()
    frame = pd.DataFrame(X).add_prefix("f")
    twice = frame.rename(columns={"f1": "f0", "f2": "f0"})
    message = r"DataFrame whose columns have one name each, got 'f0' 3 times"
    with pytest.raises(ValueError, match=message):
        entry.fit(entry.flat_estimator(), twice, y)
    model = _quiet_fit(entry, frame, y, **entry.flat_params)
    for method in entry.methods:
        with pytest.raises(ValueError, match=message):
            getattr(model, method)(twice)


@pytest.mark.parametrize("entry", registry())
def test_values_near_the_float_maximum_never_give_nan(entry):
    X, y = entry.make_data()
    model = _quiet_fit(entry, X, y)
    huge = np.full_like(X, np.finfo(np.float64).max)
    try:
        outputs = entry.outputs(model, huge)
    except ValueError as error:
        assert "overflow" in str(error)
    else:  # saturating layers (the RNNs' gates) stay finite
        assert all(np.isfinite(output).all() for output in outputs)


@pytest.mark.parametrize("entry", registry(where=lambda e: e.name.startswith("RNN")))
@pytest.mark.parametrize(
    "sequences, message",
    [
        ([np.zeros((3, 2)), np.zeros((0, 2))], "sequence 1 with no time step"),
        ([np.zeros((0, 2))] * 3, "no time steps|of 0 time step"),
        (np.zeros((4, 5, 0)), r"0 feature|per time step, got 0\."),
    ],
    ids=["one empty", "only empty", "no features"],
)
def test_sequences_without_steps_or_features(entry, sequences, message):
    X, y = entry.make_data()
    model = _quiet_fit(entry, X, y)
    with pytest.raises(ValueError, match=message):
        model.predict(sequences)
    with pytest.raises(ValueError, match=message):
        n = len(sequences)
        entry.fit(entry.estimator(), sequences, y[:n])


def test_huge_token_ids_raise_before_allocating():
    X = np.full((40, 6), 10**15)
    with pytest.raises(ValueError, match=r"token ids up to 1000000000000000.*GiB"):
        sknn.RNNClassifier(embedding_dim=3).fit(X, np.arange(40) % 2)


@pytest.mark.parametrize("entry", registry(kind=("classifier", "regressor")))
def test_score_validates_sample_weight(entry):
    X, y = entry.make_data()
    model = _quiet_fit(entry, X, y)
    n = len(X)
    assert model.score(X, y, sample_weight=2.0) == model.score(X, y)
    assert model.score(X, y, sample_weight=np.full(n, 1e308)) == pytest.approx(
        model.score(X, y)
    )
    for weight, message in [
        (np.zeros(n), "non-zero|0 for every sample"),
        (-np.ones(n), "negative"),
        (np.array(["a"] * n), "could not convert|numeric"),
        (np.full(n, np.nan), "NaN"),
        (np.ones((n, 2)), "1D array or scalar"),
    ]:
        with pytest.raises(ValueError, match=message):
            model.score(X, y, sample_weight=weight)


def test_score_names_labels_that_mix_types():
    entry = registry_entry(sknn.MLPClassifier)
    X, y = entry.make_data()
    model = _quiet_fit(entry, X, y)
    mixed = np.array([0, "a"] * (len(y) // 2), dtype=object)
    with pytest.raises(ValueError, match=re.escape("classes_ = [0, 1, 2]")):
        model.score(X, mixed)


class _Named(Callback):
    pass


@pytest.mark.parametrize(
    "callbacks, error, message",
    [
        ([("a", _Named(), 1)], TypeError, "tuples with a str name"),
        ([(1, _Named())], TypeError, "tuples with a str name"),
        ([_Named], TypeError, r"the class _Named .* pass an instance, _Named\(\)"),
        ([("a", _Named()), ("a", _Named())], ValueError, r"named \['a'\]"),
        ([("train_loss", _Named())], ValueError, r"named \['train_loss'\]; sknn"),
    ],
    ids=["triple", "name not a str", "a class", "a name twice", "sknn's name"],
)
def test_malformed_callbacks_are_named(callbacks, error, message):
    X, y = registry_entry(sknn.MLPClassifier).make_data()
    with pytest.raises(error, match=message):
        sknn.MLPClassifier(callbacks=callbacks, max_iter=1).fit(X, y)
