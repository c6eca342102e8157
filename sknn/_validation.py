"""Validation beyond scikit-learn's ``validate_data``: sizes given as
parameters, and samples that are n-d arrays (images, signals, sequences)."""

import contextlib
from numbers import Integral

import numpy as np
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
        if reset or not _is_nd_array(X):
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


def _is_nd_array(X) -> bool:
    return isinstance(X, np.ndarray) and X.ndim > 2
