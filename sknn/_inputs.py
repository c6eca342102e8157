"""How each kind of input becomes the module's input: one small object per kind.

An estimator names its kind in one class attribute, ``_input_type``, and
makes one, in a fresh ``fit``, from its parameters of the names the kind
lists in ``parameters``. Data flows one way: the estimator hands X (and, to
a ``weighted`` kind, the rows' weights) to the kind, and publishes what the
kind learnt; a kind never reads, calls nor sets anything on its estimator
(it is handed what it needs).

- :meth:`InputKind.prepare` puts X in a container that scikit-learn's
  validation reads (nested lists of samples as one array...), and refuses
  what the kind cannot read, with its own messages;
- the estimator validates it with ``validate_data`` (one place, which also
  validates y and records ``n_features_in_`` and ``feature_names_in_``), as
  :meth:`InputKind.check_kwargs_for` asks;
- :meth:`InputKind.fit` learns from validated training X what later data
  must match (the shape of a sample, a vocabulary) and returns the fitted
  attributes the estimator publishes (:meth:`InputKind.learnt`);
- :meth:`InputKind.transform` converts validated X for the module, checked
  against what was learnt; :meth:`InputKind.inverse_transform` gives
  module-shaped samples back in the layout ``fit`` was given.

The kinds: :class:`Rows` (table rows, dense or sparse), :class:`Samples`
(signals and images), :class:`~sknn._sequences.Sequences` (sequences of
fixed or variable length, token ids) and :class:`~sknn._tables.Tables` (raw
tables). Another kind of input is another subclass: ``prepare`` or
``check_kwargs`` (what X may be), ``_learn`` and ``_convert``.
"""

import math
from numbers import Integral

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch

from ._validation import check_unique_columns


def standard_container(X, name: str):
    """X in a container that validation reads, whatever the method: a torch
    tensor or a memoryview as a numpy array, a pandas Series of samples (or
    of sequences) as a list of them. Sparse data must be 2D; ``name`` (the
    estimator's) is for the error."""
    if type(X) is np.ndarray:  # the common case, at predict time too
        return X
    check_unique_columns(X, name)
    if isinstance(X, torch.Tensor):
        return X.detach().cpu().numpy()
    if isinstance(X, memoryview):
        return np.asarray(X)
    if (
        isinstance(X, pd.Series)
        and X.dtype == object
        and len(X)
        and all(isinstance(v, list | tuple | np.ndarray) for v in X)
    ):
        return X.tolist()
    if sp.issparse(X) and len(X.shape) != 2:
        raise ValueError(
            f"{name} takes 2D sparse data (n_samples, n_features), got a sparse "
            f"array of shape {X.shape}. Reshape it to 2D (one row per sample), "
            "or pass it dense."
        )
    return X


def float_samples(X) -> list[np.ndarray] | None:
    """The samples of a list (a tuple, an object array) of arrays of numbers,
    each as a float array, whatever their shapes; None for anything else (an
    array of numbers, an empty list, values that are not numbers), which
    validation reads or refuses with its own message."""
    if isinstance(X, np.ndarray) and X.dtype != object:
        return None
    if not isinstance(X, list | tuple | np.ndarray) or len(X) == 0:
        return None
    try:
        return [np.asarray(sample, dtype=float) for sample in X]
    except (TypeError, ValueError):
        return None


def check_numeric_columns(X, name: str) -> None:
    """A DataFrame X holds numbers only: pandas would fail to convert text."""
    if not isinstance(X, pd.DataFrame):
        return
    numeric = pd.api.types.is_numeric_dtype
    other = {column: str(dtype) for column, dtype in X.dtypes.items()}
    other = {column: dtype for column, dtype in other.items() if not numeric(dtype)}
    if other:
        shown = ", ".join(f"{column!r} ({dtype})" for column, dtype in other.items())
        raise ValueError(
            f"{name} takes numeric features, but {len(other)} column(s) of the "
            f"DataFrame are not numbers: {shown[:300]}. Encode them first (e.g. "
            "with OneHotEncoder or OrdinalEncoder in a ColumnTransformer); sknn's "
            "TabularClassifier and TabularRegressor read such columns themselves."
        )


class InputKind:
    """Base of the input kinds: what X may be, then a conversion.

    ``name`` (the estimator's, for messages) and ``accept_sparse`` come from
    the estimator with its parameters listed in ``parameters``. Attributes
    ending in ``_`` are learnt in :meth:`fit`.
    """

    #: The estimator parameters the kind takes, under the same names.
    parameters: tuple[str, ...] = ()
    #: check_array arguments beyond the float dtypes and sparse acceptance.
    check_kwargs: dict = {}
    #: Learnt attributes that the estimator publishes under the same names.
    published: tuple[str, ...] = ()
    #: Why an exported graph (``sknn.onnx``) cannot convert this kind of
    #: input; None: it can, with :meth:`graph_input`.
    no_graph: str | None = None
    #: Whether ``_learn`` takes the rows' weights, ``_learn(X, sample_weight)``
    #: (statistics of the rows: quantiles, categories).
    weighted: bool = False

    def __init__(self, *, name: str = "This estimator", accept_sparse: bool = False):
        self.name = name
        self.accept_sparse = accept_sparse

    def __setstate__(self, state):
        # Saved before 0.1's one-way seam: the estimator's name and sparse
        # tag were learnt attributes.
        if "name_" in state:
            state["name"] = state.pop("name_")
            state["accept_sparse"] = state.pop("sparse_")
        vars(self).update(state)

    # ----------------------------------------------------------- validation
    def prepare(self, X, *, fitting: bool):
        """X in a container that validation reads (a tensor as an array,
        nested lists of samples as one array), or a clear error for what the
        kind cannot read. ``fitting``: X is training data of a fresh fit."""
        X = standard_container(X, self.name)
        if self._check_kwargs()["dtype"] is not None:  # numbers only
            check_numeric_columns(X, self.name)
        return self._as_array(X, fitting=fitting)

    def check_kwargs_for(self, X, *, fitting: bool) -> dict:
        """``validate_data`` arguments for prepared X (``skip_check_array``:
        the kind validates the values itself, in ``_convert``)."""
        return self._check_kwargs()

    def counts_features(self, X, *, fitting: bool) -> bool:
        """Whether validation counts X's features (axis 1) against fit's:
        not for later n-d samples, whose axis 1 is a height, a channel count
        or a number of steps, checked by ``_convert`` as a sample's shape."""
        return fitting or not (
            self.check_kwargs.get("allow_nd")
            and isinstance(X, np.ndarray)
            and X.ndim > 2
        )

    def checked(self, X, n_features: int):
        """X as the module takes it if X needs no validation nor conversion
        (predict's common case, checked in a few microseconds), else None:
        the estimator then validates X and :meth:`transform` converts it.
        ``n_features``: the estimator's fitted ``n_features_in_``; called only
        on estimators fitted without feature names."""
        return None

    # ------------------------------------------------------------- learning
    def fit(self, X, sample_weight=None) -> dict:
        """Learn from validated training X what later data must match;
        ``sample_weight``: the rows' weights as training uses them (sample
        and class weights; None: all 1), which a ``weighted`` kind learns
        with, so that a weight of 2 acts as a repeated row. Returns
        :meth:`learnt`."""
        if self.weighted:
            self._learn(X, sample_weight)
        else:
            self._learn(X)
        return self.learnt()

    def learnt(self) -> dict:
        """The fitted attributes the estimator publishes: ``published`` (and
        private ones, such as the layout its module is built for)."""
        return {name: getattr(self, name) for name in self.published}

    def transform(self, X):
        """Validated X as the module's input, checked against what ``fit``
        learnt."""
        return self._convert(X)

    def fit_transform(self, X, sample_weight=None):
        self.fit(X, sample_weight)
        return self.transform(X)

    def inverse_transform(self, samples: np.ndarray) -> np.ndarray:
        """Module-shaped samples in the layout ``fit`` was given."""
        return samples

    def tensor_dtype(self, compute_dtype: torch.dtype) -> torch.dtype:
        """The tensor dtype of converted X, given the dtype the module computes in."""
        return compute_dtype

    def graph_input(self, x: torch.Tensor) -> torch.Tensor:
        """The conversion in torch, for an exported graph (``sknn.onnx``):
        X as the graph gets it (validated rows, or samples of the fitted
        shape) -> the module's float32 input."""
        return x.to(torch.float32)

    # ---------------------------------------------------------------- steps
    def _check_kwargs(self) -> dict:
        accept_sparse = ["csr", "csc", "coo"] if self.accept_sparse else False
        return {
            "accept_sparse": accept_sparse,
            "dtype": [np.float64, np.float32],
            **self.check_kwargs,
        }

    def _as_array(self, X, *, fitting):
        """X before validation: nested lists of samples as one array."""
        return X

    def _learn(self, X) -> None:
        """Learn from validated training X what later data must match (a
        ``weighted`` kind: ``_learn(X, sample_weight)``, None for equal
        weights)."""

    def _convert(self, X):
        """Validated X as the module's input."""
        return X


def check_input_shape(name: str, input_shape, sample: tuple, layouts: dict) -> tuple:
    """``input_shape`` checked against X's samples: positive ints, of a
    length in ``layouts`` (length -> what it reads, e.g. ``{1: "(length,)"}``),
    with as many values as a sample of X (``sample``: its shape)."""
    shape = tuple(input_shape)
    accepted = ", ".join(layouts.values())
    values = math.prod(sample)
    if len(shape) not in layouts or any(
        not isinstance(v, Integral) or v <= 0 for v in shape
    ):
        problem = f"which is not one of {accepted} in positive integers"
    elif math.prod(shape) != values:
        problem = f"{math.prod(shape)} values per sample"
    else:
        return tuple(int(v) for v in shape)
    raise ValueError(
        f"{name} got input_shape={shape}, {problem}, but X has samples of shape "
        f"{tuple(sample)} ({values} values). Give the shape of one sample: "
        f"{accepted}."
    )


class Rows(InputKind):
    """Rows of a table: ``(n_samples, n_features)``, dense or sparse (CSR)."""

    def checked(self, X, n_features):
        if (
            type(X) is np.ndarray
            and X.ndim == 2
            and X.dtype.char in "fd"  # float32, float64
            and X.shape[0] > 0
            and X.shape[1] == n_features
            and np.isfinite(X).all()
        ):
            # A finite float ndarray of the fitted width, on an estimator fitted
            # without feature names, passes every check validate_data makes;
            # for a few rows those checks cost several times the forward pass.
            return X
        return None

    def _convert(self, X):
        return X.tocsr() if sp.issparse(X) else X


# input_shape's lengths for signals and images, and what each reads.
_SAMPLE_LAYOUTS = {
    1: "(length,)",
    2: "(channels, length)",
    3: "(channels, height, width)",
}


class Samples(InputKind):
    """Signals and images, channels first: 2D X is one signal per row, 3D X
    grey images, 4D X images with channels, and flat rows take the shape of a
    sample from ``input_shape``.

    Learns ``input_shape_`` (channels first) and counts ``n_features_in_`` as
    values per sample, since images may come back as flat rows.
    """

    parameters = ("input_shape",)
    check_kwargs = {"allow_nd": True}
    published = ("input_shape_", "n_features_in_")

    def __init__(self, input_shape=None, **kind):
        super().__init__(**kind)
        self.input_shape = input_shape

    def _as_array(self, X, *, fitting):
        if isinstance(X, list | tuple):
            try:
                return np.asarray(X, dtype=float)
            except TypeError:  # not numbers: validation says what came
                return X
            except ValueError:
                shapes = sorted({np.shape(sample) for sample in X}, key=str)
                raise ValueError(
                    f"{self.name} takes samples of one shape, got a list of "
                    f"samples of shapes {shapes[:5]}. Crop or pad them to one "
                    "shape first."
                ) from None
        return X

    def _learn(self, X) -> None:
        if 0 in X.shape[1:]:
            raise ValueError(
                f"{self.name} got samples of shape {tuple(X.shape[1:])}, which "
                "hold no values. Pass signals (n_samples, length) or images "
                "(n_samples, [channels,] height, width) of at least one value."
            )
        self.input_shape_ = self._sample_shape(X)
        self.n_features_in_ = math.prod(self.input_shape_)
        self.layout_ = tuple(X.shape[1:])  # as fit was given them

    def _sample_shape(self, X) -> tuple[int, ...]:
        """The shape of one sample, channels first, from X and ``input_shape``."""
        if self.input_shape is not None:
            shape = check_input_shape(
                self.name, self.input_shape, X.shape[1:], _SAMPLE_LAYOUTS
            )
            return (1, *shape) if len(shape) == 1 else shape
        if X.ndim == 2:
            return (1, X.shape[1])  # one signal per row
        if X.ndim == 3:
            return (1, *X.shape[1:])  # grey images
        if X.ndim == 4:
            return tuple(X.shape[1:])
        raise ValueError(
            f"{self.name} expects signals of shape (n_samples, length), images of "
            "shape (n_samples, height, width) or (n_samples, channels, height, "
            f"width), or flat rows with input_shape; got X of shape {X.shape}."
        )

    def _convert(self, X):
        if sp.issparse(X):
            X = X.toarray()
        sample, shape = tuple(X.shape[1:]), self.input_shape_
        if X.ndim == 2 or self.input_shape is not None:
            # Flat rows (or signals of one channel), or the user's reshape.
            fits = math.prod(sample) == math.prod(shape)
        else:
            fits = sample == shape or (shape[0] == 1 and sample == shape[1:])
        if not fits:
            raise ValueError(
                f"{self.name} was fitted on samples of shape {shape} "
                f"({math.prod(shape)} values), got samples of shape {sample}. "
                f"Pass X of shape (n_samples, {', '.join(map(str, shape))}), or "
                f"flat rows of {math.prod(shape)} values."
            )
        return np.reshape(X, (X.shape[0], *shape))

    def inverse_transform(self, samples):
        return samples.reshape(len(samples), *self.layout_)

    def graph_input(self, x):
        return x.reshape(-1, *self.input_shape_).to(torch.float32)  # (N, C, ...)
