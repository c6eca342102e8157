"""Generated bad and unusual inputs for every public method of every estimator.

A *case* is an estimator of the registry (``conftest.REGISTRY``), perhaps
with a parameter changed, one of its public methods, and arguments made from
its own small data by a few *mutations*: other dtypes, layouts and
containers, non-finite or extreme values, other shapes, other sequences,
other targets and sample weights. :func:`run` calls it and names the
outcome:

- ``"ok"``: it worked, and what it gave is finite (a fitted model's weights,
  a method's outputs);
- ``"clear error"``: a ``ValueError`` or ``TypeError`` (or scikit-learn's
  ``NotFittedError``) raised by sknn or by scikit-learn's validation;
- ``"internal error"``: any other exception, or one raised from inside
  torch, skorch, pandas, numpy or scipy, or an interpreter message ("too
  many values to unpack"...);
- ``"not available"``: the method does not exist with these parameters
  (``partial_fit`` with L-BFGS, as in scikit-learn: ``hasattr`` is False);
- ``"not applicable"``: the mutations do not apply to this data (a
  reshape that cannot be made): nothing was called;
- ``"non-finite"``: it worked, but gave NaN or infinite weights or outputs;
- ``"mutated"``: it changed the caller's arguments.

``tests/test_fuzz.py`` runs a few hundred cases in the suite;
``scripts/fuzz.py`` runs 10,000 or more and prints the counts.
"""

import copy
import pickle
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from conftest import REGISTRY
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError, UndefinedMetricWarning
from skorch.callbacks import Callback, EpochScoring

OUTCOMES = (
    "ok",
    "clear error",
    "not available",
    "not applicable",
    "internal error",
    "non-finite",
    "mutated",
)
BAD = ("internal error", "non-finite", "mutated")

ENTRIES = list(REGISTRY.values())
N_ROWS = (1, 2, 3, 5, 12, 30)

# Short fits: the cases test validation, not learning.
FAST = {"max_iter": 2}


# ------------------------------------------------------------------ mutations
def _column(X):
    return X.reshape(len(X), -1)


def _sequences(X, lengths):
    """Variable-length sequences of the rows of a (n, steps, features) X."""
    steps = X.reshape(len(X), -1, X.shape[-1]) if X.ndim > 1 else X[:, None, None]
    return [steps[i, : lengths[i % len(lengths)]] for i in range(len(steps))]


def _frame_with_text(X):
    frame = pd.DataFrame(_column(X)).add_prefix("f")
    frame["text"] = np.where(np.arange(len(frame)) % 2, "a", "b")
    return frame


X_MUTATIONS = {
    "same": lambda X: X,
    # dtypes
    "float32": lambda X: X.astype(np.float32),
    "float16": lambda X: X.astype(np.float16),
    "int64": lambda X: np.round(X).astype(np.int64),
    "uint8": lambda X: np.abs(np.round(X)).astype(np.uint8),
    "bool": lambda X: X > 0,
    "complex": lambda X: X.astype(np.complex128),
    "object floats": lambda X: X.astype(object),
    "object ints beyond int64": lambda X: np.full(X.shape, 2**70, dtype=object),
    "strings": lambda X: X.astype(str),
    "bytes": lambda X: X.astype("S8"),
    "datetimes": lambda X: np.zeros(X.shape, dtype="datetime64[s]"),
    # layouts
    "reversed": lambda X: X[::-1],
    "byte-swapped": lambda X: X.astype(X.dtype.newbyteorder(">")),
    "fortran": lambda X: np.asfortranarray(X),
    "read-only": lambda X: _read_only(X),
    "strided": lambda X: np.repeat(X, 2, axis=0)[::2],
    # containers
    "list": lambda X: X.tolist(),
    "tuple of rows": lambda X: tuple(X),
    "torch tensor": lambda X: torch.from_numpy(np.ascontiguousarray(X)),
    "float32 tensor": lambda X: torch.from_numpy(X.astype(np.float32)),
    "memoryview": lambda X: memoryview(np.ascontiguousarray(X)),
    "dataframe": lambda X: pd.DataFrame(_column(X)),
    "dataframe with text": _frame_with_text,
    "series of samples": lambda X: pd.Series(list(X)),
    "csr": lambda X: sp.csr_matrix(_column(X)),
    "coo array": lambda X: sp.coo_array(_column(X)),
    "n-d sparse": lambda X: sp.coo_array(X.reshape(len(X), 2, -1)),
    "dict": lambda X: {"X": X},
    "string": lambda X: "X",
    "None": lambda X: None,
    "scalar": lambda X: 1.0,
    # values
    "a NaN": lambda X: _set_first(X, np.nan),
    "an inf": lambda X: _set_first(X, np.inf),
    "all NaN": lambda X: np.full(X.shape, np.nan),
    "huge": lambda X: X * 1e300,
    "float max": lambda X: np.full(X.shape, np.finfo(np.float64).max),
    "float32 max": lambda X: np.full(X.shape, np.finfo(np.float32).max, np.float32),
    "subnormal": lambda X: X * 1e-310,
    "zeros": lambda X: np.zeros_like(X),
    # shapes
    "no rows": lambda X: X[:0],
    "one row": lambda X: X[:1],
    "zero width": lambda X: X[..., :0],
    "narrower": lambda X: X[..., :-1],
    "flattened": lambda X: X.ravel(),
    "one more axis": lambda X: X[..., None],
    "two more axes": lambda X: X[..., None, None],
    "transposed": lambda X: X.T,
    "3-d rows": lambda X: _column(X)[:, :, None],
    # sequences
    "ragged sequences": lambda X: _sequences(X, [5, 3, 1]),
    "some empty sequences": lambda X: _sequences(X, [5, 0]),
    "only empty sequences": lambda X: _sequences(X, [0]),
    "zero features per step": lambda X: _column(X)[:, :, None][:, :, :0],
    "token ids": lambda X: np.abs(np.round(_column(X) * 3)).astype(np.int64),
    "huge token ids": lambda X: np.full(_column(X).shape, 10**15, np.int64),
    "negative token ids": lambda X: -np.ones(_column(X).shape, np.int64),
}

Y_MUTATIONS = {
    "same": lambda y: y,
    "None": lambda y: None,
    "a NaN": lambda y: _set_first(y.astype(float), np.nan),
    "an inf": lambda y: _set_first(y.astype(float), np.inf),
    "huge": lambda y: y * 1e300,
    "float32": lambda y: y.astype(np.float32),
    "strings": lambda y: y.astype(str),
    "bools": lambda y: y > np.median(y),
    "mixed objects": lambda y: np.array([1, "a"] * len(y), dtype=object)[: len(y)],
    "one value": lambda y: np.full(len(y), y[0]),
    "continuous": lambda y: np.linspace(0, 1, len(y)),
    "column": lambda y: y[:, None],
    "two columns": lambda y: np.c_[y, y],
    "indicator": lambda y: np.c_[y > 0, y <= 0].astype(int),
    "3-d": lambda y: y[:, None, None],
    "shorter": lambda y: y[:-1],
    "longer": lambda y: np.r_[y, y[:1]],
    "sparse": lambda y: sp.csr_matrix(y[:, None].astype(float)),
    "list": lambda y: y.tolist(),
    "series": lambda y: pd.Series(y),
    "categorical series": lambda y: pd.Series(y).astype("category"),
    "torch tensor": lambda y: torch.from_numpy(np.ascontiguousarray(y)),
    "object ints beyond int64": lambda y: np.full(len(y), 2**70, dtype=object),
    "reversed": lambda y: y[::-1],
    "byte-swapped": lambda y: y.astype(y.dtype.newbyteorder(">")),
    "scalar": lambda y: 1,
}

WEIGHT_MUTATIONS = {
    "None": lambda n: None,
    "ones": lambda n: np.ones(n),
    "scalar": lambda n: 2.0,
    "zeros": lambda n: np.zeros(n),
    "negative": lambda n: -np.ones(n),
    "a NaN": lambda n: _set_first(np.ones(n), np.nan),
    "an inf": lambda n: _set_first(np.ones(n), np.inf),
    "huge": lambda n: np.full(n, 1e308),
    "strings": lambda n: np.array(["a"] * n),
    "shorter": lambda n: np.ones(max(n - 1, 0)),
    "2-d": lambda n: np.ones((n, 2)),
    "list": lambda n: [1.0] * n,
    "reversed": lambda n: np.arange(1.0, n + 1)[::-1],
}


class _Recorder(Callback):
    def __init__(self, name="recorder"):
        self.name = name


PARAM_MUTATIONS = {
    "same": {},
    "early stopping": {"early_stopping": True},
    "batches of 1": {"batch_size": 1},
    "lbfgs": {"solver": "lbfgs"},
    "sgd": {"solver": "sgd"},
    "warm start": {"warm_start": True},
    "huge learning rate": {"learning_rate_init": 1e30},
    "variational, early stopping": {"variational": True, "early_stopping": True},
    "valid padding, global pooling": {"padding": "valid", "global_pool": True},
    "embedding": {"embedding_dim": 3},
    "callbacks: a triple": {"callbacks": [("a", _Recorder(), 1)]},
    "callbacks: a pair of strings": {"callbacks": [("a", "b")]},
    "callbacks: a class": {"callbacks": [_Recorder]},
    "callbacks: two of a name": {"callbacks": [("a", _Recorder()), ("a", _Recorder())]},
    "callbacks: skorch's own name": {"callbacks": [("train_loss", _Recorder())]},
    "callbacks: a scorer": {"callbacks": [EpochScoring("no such metric")]},
    "callbacks: not a list": {"callbacks": _Recorder()},
    "class weight": {"class_weight": {0: 1.0, 99: 2.0}},
}


def _set_first(a, value):
    a = np.array(a, dtype=float if a.dtype.kind in "biu" else a.dtype)
    a.flat[0] = value
    return a


def _read_only(X):
    X = X.copy()
    X.flags.writeable = False
    return X


# ----------------------------------------------------------------------- cases
@dataclass
class Case:
    entry: object
    method: str
    params: str = "same"
    x: tuple = ("same",)
    y: str = "same"
    weight: str = "None"
    n_rows: int = 12
    outcome: str = ""
    detail: str = ""
    where: str = field(default="", repr=False)

    def __str__(self):
        return (
            f"{self.entry.name}({self.params}).{self.method}(X: {' + '.join(self.x)}, "
            f"y: {self.y}, sample_weight: {self.weight}, rows: {self.n_rows})"
        )


def methods(entry) -> list:
    names = ["fit", "partial_fit", "score", *entry.methods]
    if entry.kind == "transformer":
        names += ["fit_transform", "inverse_transform"]
    return names


@st.composite
def cases(draw) -> Case:
    """A case for hypothesis to draw: mostly one thing wrong at a time."""
    entry = draw(st.sampled_from(ENTRIES))
    method = draw(st.sampled_from(methods(entry)))
    fits = method in ("fit", "partial_fit", "fit_transform")
    x = draw(st.lists(st.sampled_from(list(X_MUTATIONS)), min_size=1, max_size=2))
    y = "same"
    if entry.kind != "transformer" and method in ("fit", "partial_fit", "score"):
        y = draw(st.sampled_from(list(Y_MUTATIONS)))
    weight = "None"
    if method in ("fit", "partial_fit", "score", "fit_transform"):
        weight = draw(st.sampled_from(list(WEIGHT_MUTATIONS)))
    params = draw(st.sampled_from(list(PARAM_MUTATIONS))) if fits else "same"
    n_rows = draw(st.sampled_from(N_ROWS))
    return Case(entry, method, params, tuple(x), y, weight, n_rows)


def _estimator(entry, params: dict):
    known = entry.cls().get_params()
    params = {k: v for k, v in params.items() if k in known}
    return entry.estimator(**FAST, **params)


_FITTED = {}


def fitted(entry):
    """The entry's small configuration fitted on its own data (shared, as
    the methods that read it leave it alone)."""
    if entry.name not in _FITTED:
        X, y = entry.make_data()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _FITTED[entry.name] = entry.fit(_estimator(entry, {}), X, y)
    return _FITTED[entry.name]


def arguments(case: Case):
    """``(estimator, args, kwargs)`` of the call."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # the mutations' casts and overflows
        return _arguments(case)


def _arguments(case: Case):
    entry = case.entry
    X, y = entry.make_data()
    X, y = X[: case.n_rows], None if y is None else y[: case.n_rows]
    if case.method == "inverse_transform":
        X = fitted(entry).transform(entry.make_data()[0][: case.n_rows])
    for name in case.x:
        X = X_MUTATIONS[name](X) if isinstance(X, np.ndarray) else X
    if y is not None:
        y = Y_MUTATIONS[case.y](y)
    weight = WEIGHT_MUTATIONS[case.weight](case.n_rows)

    if case.method == "fit" or case.method == "fit_transform":
        estimator = _estimator(entry, PARAM_MUTATIONS[case.params])
    elif case.method == "partial_fit" and case.params != "same":
        estimator = _estimator(entry, PARAM_MUTATIONS[case.params])
    else:
        estimator = fitted(entry)
        if case.method == "partial_fit":
            estimator = copy.deepcopy(estimator)
    args = (X,) if entry.kind == "transformer" else (X, y)
    kwargs = {}
    if case.weight != "None":
        kwargs["sample_weight"] = weight
    if case.method in ("predict", "predict_proba", "predict_log_proba"):
        args = (X,)
    if case.method in ("transform", "score_samples", "inverse_transform"):
        args = (X,)
    if case.method == "partial_fit" and entry.kind == "classifier":
        if not hasattr(estimator, "classes_"):
            kwargs["classes"] = np.arange(3)
    return estimator, args, kwargs


# ---------------------------------------------------------------------- outcomes
_INTERPRETER = (
    "values to unpack",
    "has no len()",
    "not subscriptable",
    "is not iterable",
    "unsupported operand",
    "positional argument",
    "unexpected keyword",
    "object is not callable",
    "cannot unpack",
    "not supported between instances",
    "unhashable type",
    "index out of range",
    "object has no attribute",
)
# What numpy's and torch's C code says, raised from a line of sknn's: sknn
# should have checked first. (From scikit-learn's validation, numpy's "could
# not convert string to float" is scikit-learn's answer, as in its own MLP.)
_LIBRARY_MESSAGES = (
    "setting an array element with a sequence",
    "negative strides",
    "byte order",
    "argument must be a string or a real number",
    "could not convert",
    "can't convert np.ndarray",
    "Expected sequence length",
    "Kernel size can't be greater",
    "must be greater than zero",
)
_PACKAGES = ("sknn", "sklearn", "torch", "skorch", "pandas", "numpy", "scipy")


def _package(filename: str) -> str:
    parts = Path(filename).parts
    for package in _PACKAGES:
        if package in parts:
            return package
    return "other"


def raised_where(error: BaseException) -> str:
    """The package of the innermost Python frame the error passed through."""
    frames = traceback.extract_tb(error.__traceback__)
    return _package(frames[-1].filename) if frames else "other"


def classify_error(error: BaseException) -> tuple[str, str]:
    where = raised_where(error)
    message = f"{type(error).__name__}: {error}"
    library = where == "sknn" and any(t in str(error) for t in _LIBRARY_MESSAGES)
    clear = (
        isinstance(error, ValueError | TypeError | NotFittedError)
        and where in ("sknn", "sklearn")
        and not any(text in str(error) for text in _INTERPRETER)
        and not library
    )
    return ("clear error" if clear else "internal error"), f"[{where}] {message}"


def _finite(value) -> bool:
    if isinstance(value, torch.nn.Module):
        return all(
            torch.isfinite(t).all() for t in value.state_dict().values()
            if t.is_floating_point()
        )  # fmt: skip
    if hasattr(value, "module_"):
        return _finite(value.module_)
    if isinstance(value, float | np.floating):
        return bool(np.isfinite(value))
    array = np.asarray(value)
    if array.dtype.kind in "fc":
        return bool(np.isfinite(array).all())
    return True


def _fingerprint(value):
    if isinstance(value, memoryview):
        return bytes(value)
    try:
        return pickle.dumps(value)
    except Exception:
        return None


def run(case: Case) -> Case:
    """Call the case's method and record its outcome in the case."""
    try:
        estimator, args, kwargs = arguments(case)
    except Exception as error:
        case.outcome, case.detail = "not applicable", f"not built: {error!r}"
        return case
    if not hasattr(estimator, case.method):
        case.outcome, case.detail = "not available", case.method
        return case
    before = [_fingerprint(a) for a in (*args, *kwargs.values())]
    try:
        with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
            warnings.simplefilter("always")
            result = getattr(estimator, case.method)(*args, **kwargs)
    except Exception as error:
        case.outcome, case.detail = classify_error(error)
    else:
        undefined = any(
            issubclass(w.category, UndefinedMetricWarning) for w in caught
        )  # scikit-learn's NaN: R² of fewer than two samples
        if not _finite(result) and not undefined:
            case.outcome = "non-finite"
            case.detail = f"{case.method} with X: {' + '.join(case.x)}"
        else:
            case.outcome = "ok"
    after = [_fingerprint(a) for a in (*args, *kwargs.values())]
    if case.outcome != "internal error" and any(
        b is not None and b != a for b, a in zip(before, after, strict=True)
    ):
        case.outcome, case.detail = "mutated", "an argument changed"
    return case
