"""scikit-learn's private utilities that sknn uses, gathered in one module.

scikit-learn may move or drop a private name in any release. Each one is
imported here, and only here: where a public fallback exists it takes over,
and where none does, importing sknn fails here, saying what is missing, not
deep inside an estimator.
"""

import functools
from numbers import Number

import numpy as np
import sklearn
from sklearn.utils import check_array
from sklearn.utils.validation import column_or_1d

try:
    from sklearn.utils._param_validation import (
        Hidden,
        Interval,
        Options,
        StrOptions,
        validate_parameter_constraints,
    )
except ImportError as error:
    raise ImportError(
        "sknn declares and checks its parameters with scikit-learn's parameter "
        "validation (sklearn.utils._param_validation), which scikit-learn "
        f"{sklearn.__version__} does not have. Install a scikit-learn release "
        "that sknn supports (see its pyproject.toml)."
    ) from error


def _fit_context_fallback(*, prefer_skip_nested_validation):
    """Public stand-in for ``sklearn.base._fit_context``: validate the
    parameters against ``_parameter_constraints``, then fit (no nested
    validation skipping, which is only an optimisation)."""

    def decorator(fit_method):
        @functools.wraps(fit_method)
        def wrapper(estimator, *args, **kwargs):
            validate_parameter_constraints(
                estimator._parameter_constraints,
                estimator.get_params(deep=False),
                caller_name=type(estimator).__name__,
            )
            return fit_method(estimator, *args, **kwargs)

        return wrapper

    return decorator


def _check_sample_weight_fallback(sample_weight, X, *, dtype=np.float64):
    """Public stand-in for ``sklearn.utils.validation._check_sample_weight``:
    one finite weight per sample (a scalar weighs every sample alike)."""
    n_samples = X.shape[0]
    if sample_weight is None:
        return np.ones(n_samples, dtype=dtype)
    if isinstance(sample_weight, Number):
        return np.full(n_samples, sample_weight, dtype=dtype)
    sample_weight = check_array(
        sample_weight, ensure_2d=False, dtype=dtype, input_name="sample_weight"
    )
    if sample_weight.shape != (n_samples,):
        raise ValueError(
            f"sample_weight.shape == {sample_weight.shape}, expected ({n_samples},)!"
        )
    return sample_weight


try:
    from sklearn.base import _fit_context as fit_context
except ImportError:
    fit_context = _fit_context_fallback

try:
    from sklearn.utils.validation import _check_sample_weight as check_sample_weight
except ImportError:
    check_sample_weight = _check_sample_weight_fallback

try:
    from sklearn.utils.validation import _check_y as check_y
except ImportError:

    def check_y(y, multi_output=False, y_numeric=False, estimator=None):
        """Public stand-in for ``sklearn.utils.validation._check_y``."""
        if multi_output:
            return check_array(
                y,
                ensure_2d=False,
                dtype=np.float64 if y_numeric else None,
                input_name="y",
                estimator=estimator,
            )
        y = column_or_1d(y, warn=True)
        return y.astype(np.float64) if y_numeric and y.dtype.kind == "O" else y


__all__ = [
    "Hidden",
    "Interval",
    "Options",
    "StrOptions",
    "check_sample_weight",
    "check_y",
    "fit_context",
]
