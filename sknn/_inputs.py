"""How each kind of input becomes the module's input: one small object per kind.

An estimator names its kind in one class attribute, ``_input_type``. A fresh
``fit`` makes one from the estimator's parameters (:meth:`InputKind.
from_estimator`) and calls :meth:`~InputKind.fit_transform`: it validates X
(and y) with scikit-learn's ``validate_data``, which records
``n_features_in_`` and ``feature_names_in_`` on the estimator, learns what
later data must match (the shape of a sample, a vocabulary), publishes what
users read of it as fitted attributes (``input_shape_``...), and returns X
converted for the module. :meth:`~InputKind.transform` validates later X
(predict, transform, ``partial_fit``, warm starts) against what was learnt
and converts it the same way; :meth:`~InputKind.inverse_transform` gives
module-shaped samples back in the layout ``fit`` was given.

The kinds: :class:`Rows` (table rows, dense or sparse), :class:`Samples`
(signals and images) and :class:`~sknn._sequences.Sequences` (sequences of
fixed or variable length, token ids). Another kind of input is another
subclass: a new ``_validate`` (what X may be), ``_learn`` and ``_convert``.
"""

import inspect
import math

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from sklearn.utils import check_array, get_tags
from sklearn.utils.validation import check_X_y, validate_data

from ._params import positive_ints
from ._validation import check_unique_columns, float_overflow


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
    """Base of the input kinds: scikit-learn's validation, then a conversion.

    The constructor's arguments are estimator parameters of the same names
    (see :meth:`from_estimator`). Attributes ending in ``_`` are learnt in
    ``fit_transform``; those named in ``published`` are also set on the
    estimator, where users read them.
    """

    #: check_array arguments beyond the float dtypes and sparse acceptance.
    check_kwargs: dict = {}
    #: Learnt attributes that the estimator exposes under the same names.
    published: tuple[str, ...] = ()
    #: Whether ``_learn`` takes the rows' weights, ``_learn(X, sample_weight)``
    #: (statistics of the rows: quantiles, categories).
    weighted: bool = False

    @classmethod
    def from_estimator(cls, estimator) -> "InputKind":
        """A new kind with the estimator's parameters of the same names."""
        names = inspect.signature(cls).parameters
        return cls(**{name: getattr(estimator, name) for name in names})

    def fit_transform(self, estimator, X, y=None, sample_weight=None, **y_kwargs):
        """Validate training data, learn what later data must match, convert.

        ``y=None`` validates X alone (autoencoders; a supervised estimator's
        tags make scikit-learn ask for y then). A ``weighted`` kind learns
        with the rows' weights as training uses them
        (``estimator._sample_weight``: sample and class weights), so that a
        weight of 2 acts as a repeated row. ``y_kwargs`` go to
        ``validate_data`` (``multi_output``, ``y_numeric``). Returns ``(X, y)``.
        """
        self.name_ = type(estimator).__name__
        self.sparse_ = get_tags(estimator).input_tags.sparse
        X = standard_container(X, self.name_)
        with float_overflow(self.name_, X, y):
            X, y = self._validate(estimator, X, y, reset=True, **y_kwargs)
            if self.weighted:
                self._learn(X, estimator._sample_weight(sample_weight, X, y))
            else:
                self._learn(X)
        for name in self.published:
            setattr(estimator, name, getattr(self, name))
        return self._convert(X), y

    def transform(self, estimator, X, y="no_validation", **y_kwargs):
        """Validate later data against what ``fit_transform`` learnt, convert.

        Without y (predict, transform) X is validated alone; ``y=None``, as
        ``fit_transform`` takes it. Returns ``(X, y)``, y None when not given.
        """
        X = standard_container(X, self.name_)
        with float_overflow(self.name_, X, y):
            X, y = self._validate(estimator, X, y, reset=False, **y_kwargs)
            return self._convert(X), y

    def checked(self, estimator, X):
        """X as the module takes it if X needs no validation nor conversion
        (predict's common case, checked in a few microseconds), else None:
        then :meth:`transform` validates it."""
        return None

    def inverse_transform(self, samples: np.ndarray) -> np.ndarray:
        """Module-shaped samples in the layout ``fit`` was given."""
        return samples

    def dtype(self, compute_dtype: torch.dtype) -> torch.dtype:
        """The tensor dtype of converted X, given the dtype the module computes in."""
        return compute_dtype

    def graph_input(self, x: torch.Tensor) -> torch.Tensor:
        """The conversion in torch, for an exported graph (``sknn.onnx``):
        X as the graph gets it (validated rows, or samples of the fitted
        shape) -> the module's float32 input."""
        return x.to(torch.float32)

    # ---------------------------------------------------------------- steps
    def _check_kwargs(self) -> dict:
        accept_sparse = ["csr", "csc", "coo"] if self.sparse_ else False
        return {
            "accept_sparse": accept_sparse,
            "dtype": [np.float64, np.float32],
            **self.check_kwargs,
        }

    def _validate(self, estimator, X, y, *, reset, **y_kwargs):
        """``validate_data`` of X (and y); ``(X, y)`` validated, y None when
        absent."""
        kwargs = self._check_kwargs()
        if kwargs["dtype"] is not None:  # numbers only
            check_numeric_columns(X, self.name_)
        X = self._as_array(X, reset=reset)
        no_y = y is None or isinstance(y, str)  # None or "no_validation"
        if y is None and get_tags(estimator).target_tags.required:
            validate_data(estimator, X, y)  # raises scikit-learn's "requires y"
        if not reset and kwargs.get("allow_nd") and _is_nd(X):
            # scikit-learn counts features on axis 1, which for n-d samples is
            # a height, a channel count or a number of steps that later calls
            # may change, or give as flat rows: _convert checks the shape of
            # the samples instead.
            if no_y:
                X = check_array(X, input_name="X", estimator=estimator, **kwargs)
                return X, None
            return check_X_y(X, y, estimator=estimator, **kwargs, **y_kwargs)
        if no_y:
            return validate_data(estimator, X, reset=reset, **kwargs), None
        return validate_data(estimator, X, y, reset=reset, **kwargs, **y_kwargs)

    def _as_array(self, X, *, reset):
        """X before validation: nested lists of samples as one array."""
        return X

    def _learn(self, X) -> None:
        """Learn from validated training X what later data must match (a
        ``weighted`` kind: ``_learn(X, sample_weight)``, None for equal
        weights)."""

    def _convert(self, X):
        """Validated X as the module's input."""
        return X


class Rows(InputKind):
    """Rows of a table: ``(n_samples, n_features)``, dense or sparse (CSR)."""

    def checked(self, estimator, X):
        if (
            type(X) is np.ndarray
            and X.ndim == 2
            and X.dtype.char in "fd"  # float32, float64
            and X.shape[0] > 0
            and X.shape[1] == estimator.n_features_in_
            and not hasattr(estimator, "feature_names_in_")
            and np.isfinite(X).all()
        ):
            # A finite float ndarray of the fitted width, on an estimator fitted
            # without feature names, passes every check validate_data makes;
            # for a few rows those checks cost several times the forward pass.
            return X
        return None

    def _validate(self, estimator, X, y, *, reset, **y_kwargs):
        if not reset and isinstance(y, str) and self.checked(estimator, X) is not None:
            return X, None
        return super()._validate(estimator, X, y, reset=reset, **y_kwargs)

    def _convert(self, X):
        return X.tocsr() if sp.issparse(X) else X


class Samples(InputKind):
    """Signals and images, channels first: 2D X is one signal per row, 3D X
    grey images, 4D X images with channels, and flat rows take the shape of a
    sample from ``input_shape``.

    Learns ``input_shape_`` (channels first) and counts ``n_features_in_`` as
    values per sample, since images may come back as flat rows.
    """

    check_kwargs = {"allow_nd": True}
    published = ("input_shape_", "n_features_in_")

    def __init__(self, input_shape=None):
        self.input_shape = input_shape

    def _as_array(self, X, *, reset):
        if isinstance(X, list | tuple):
            try:
                return np.asarray(X, dtype=float)
            except TypeError:  # not numbers: validation says what came
                return X
            except ValueError:
                shapes = sorted({np.shape(sample) for sample in X}, key=str)
                raise ValueError(
                    f"{self.name_} takes samples of one shape, got a list of "
                    f"samples of shapes {shapes[:5]}. Crop or pad them to one "
                    "shape first."
                ) from None
        return X

    def _learn(self, X) -> None:
        if 0 in X.shape[1:]:
            raise ValueError(
                f"{self.name_} got samples of shape {tuple(X.shape[1:])}, which "
                "hold no values. Pass signals (n_samples, length) or images "
                "(n_samples, [channels,] height, width) of at least one value."
            )
        self.input_shape_ = self._sample_shape(X)
        self.n_features_in_ = math.prod(self.input_shape_)
        self.layout_ = tuple(X.shape[1:])  # as fit was given them

    def _sample_shape(self, X) -> tuple[int, ...]:
        """The shape of one sample, channels first, from X and ``input_shape``."""
        if self.input_shape is not None:
            shape = positive_ints("input_shape", self.input_shape)
            if len(shape) == 1:
                shape = (1, *shape)
            if len(shape) not in (2, 3):
                raise ValueError(
                    "input_shape must be (length,), (channels, length) or "
                    f"(channels, height, width), got {tuple(self.input_shape)}."
                )
            if math.prod(shape) != math.prod(X.shape[1:]):
                raise ValueError(
                    f"{self.name_} got input_shape={tuple(self.input_shape)}, "
                    f"{math.prod(shape)} values per sample, but X has samples of "
                    f"shape {X.shape[1:]} ({math.prod(X.shape[1:])} values). Give "
                    "the shape of one sample, e.g. (1, 8, 8) for 64-pixel grey "
                    "images."
                )
            return shape
        if X.ndim == 2:
            return (1, X.shape[1])  # one signal per row
        if X.ndim == 3:
            return (1, *X.shape[1:])  # grey images
        if X.ndim == 4:
            return tuple(X.shape[1:])
        raise ValueError(
            f"{self.name_} expects signals of shape (n_samples, length), images of "
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
                f"{self.name_} was fitted on samples of shape {shape} "
                f"({math.prod(shape)} values), got samples of shape {sample}. "
                f"Pass X of shape (n_samples, {', '.join(map(str, shape))}), or "
                f"flat rows of {math.prod(shape)} values."
            )
        return np.reshape(X, (X.shape[0], *shape))

    def inverse_transform(self, samples):
        return samples.reshape(len(samples), *self.layout_)

    def graph_input(self, x):
        return x.reshape(-1, *self.input_shape_).to(torch.float32)  # (N, C, ...)


def _is_nd(X) -> bool:
    return isinstance(X, np.ndarray) and X.ndim > 2
