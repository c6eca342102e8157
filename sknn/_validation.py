"""Validation beyond scikit-learn's ``validate_data``: sizes given as
parameters, and samples that are n-d arrays (images, signals, sequences)."""

import contextlib
import math
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_array
from sklearn.utils.validation import check_X_y


def positive_ints(name: str, values) -> tuple[int, ...]:
    """``values`` (an int or a sequence of ints) as a tuple of positive ints;
    a ValueError naming the parameter otherwise."""
    values = (values,) if isinstance(values, Integral) else tuple(values)
    if any(not isinstance(v, Integral) or v <= 0 for v in values):
        raise ValueError(f"{name} must be positive integers, got {values}.")
    return tuple(int(v) for v in values)


class SampleShapeMixin:
    """Validation of samples that are n-d arrays (images, signals, sequences).

    scikit-learn counts features on the second axis of X; for n-d X that is
    a height, a channel count or a number of time steps, which predict and
    later partial_fit calls may legitimately change, or give as flat rows.
    Past the first fit, n-d X is therefore validated without scikit-learn's
    feature count, and ``_reshape_X`` checks the shape of its samples.
    """

    _X_check_kwargs = {"allow_nd": True}

    def _as_array(self, X):
        """Nested lists as an array, so that their dimensions can be read."""
        if isinstance(X, list | tuple):
            with contextlib.suppress(ValueError):  # ragged: left to validation
                X = np.asarray(X, dtype=float)
        return X

    def _validate_X_y(self, X, y, *, reset):
        X = self._as_array(X)
        if reset or not _is_nd_array(X) or y is None:
            # A fresh fit, rows, or an unsupervised estimator (autoencoders
            # validate X alone, as their transform does).
            return super()._validate_X_y(X, y, reset=reset)
        return check_X_y(
            X,
            y,
            multi_output=True,
            **self._X_kwargs(),
            **self._validate_data_kwargs(),
        )

    def _check_predict_X(self, X):
        X = self._as_array(X)
        if not _is_nd_array(X):
            return super()._check_predict_X(X)
        return check_array(X, **self._X_kwargs())


class ConvInputMixin(SampleShapeMixin):
    """Samples for convolutions: signals and images, channels first.

    Reads the shape of one sample from X, or from the ``input_shape``
    parameter when X holds flat rows, and reshapes X into it. Sets
    ``input_shape_`` (channels first) and ``n_features_in_`` (values per
    sample) in a fresh fit.
    """

    def _sample_shape(self, X) -> tuple[int, ...]:
        """The per-sample shape, channels first, from X and ``input_shape``."""
        name = type(self).__name__
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
                    f"{name} got input_shape={tuple(self.input_shape)}, "
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
            f"{name} expects signals of shape (n_samples, length), images of "
            "shape (n_samples, height, width) or (n_samples, channels, height, "
            f"width), or flat rows with input_shape; got X of shape {X.shape}."
        )

    def _reshape_X(self, X, *, reset=False):
        if sp.issparse(X):
            X = X.toarray()
        if reset:
            self.input_shape_ = self._sample_shape(X)
            # Values per sample: images may come back as flat rows, and
            # scikit-learn's own count (X.shape[1]) is a height or a channel
            # count for n-d X.
            self.n_features_in_ = math.prod(self.input_shape_)
        sample, shape = tuple(X.shape[1:]), self.input_shape_
        if X.ndim == 2 or self.input_shape is not None:
            # Flat rows (or signals of one channel), or the user's reshape.
            fits = math.prod(sample) == math.prod(shape)
        else:
            fits = sample == shape or (shape[0] == 1 and sample == shape[1:])
        if not fits:
            raise ValueError(
                f"{type(self).__name__} was fitted on samples of shape {shape} "
                f"({math.prod(shape)} values), got samples of shape {sample}. "
                f"Pass X of shape (n_samples, {', '.join(map(str, shape))}), or "
                f"flat rows of {math.prod(shape)} values."
            )
        return np.reshape(X, (X.shape[0], *self.input_shape_))


def _is_nd_array(X) -> bool:
    return isinstance(X, np.ndarray) and X.ndim > 2
