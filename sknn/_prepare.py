"""How a fit's data becomes tensors, and predict's X the module's input.

:class:`DataStages` is the first stage of every fit
(:meth:`~sknn._base.BaseNeuralEstimator._fit`): the estimator's kind of input
(``sknn/_inputs.py``) prepares X, the estimator validates X and y with
scikit-learn's ``validate_data`` (the one place where sknn validates y), the
kind learns from X what later data must match and the estimator publishes
it; then X is converted, the targets encoded, the weights computed once, the
held-out split of early stopping drawn, and both parts put on the device as
:class:`~sknn._data.ArrayDataset` tensors. ``predict`` and ``transform``
validate and convert X the same way (:meth:`DataStages._validated`).
"""

import math

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.model_selection import train_test_split
from sklearn.utils import check_array, get_tags
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    check_X_y,
    validate_data,
)

from ._data import ArrayDataset, to_tensor
from ._inputs import InputKind
from ._sklearn import check_sample_weight, check_y
from ._validation import float_overflow


def _check_stratifiable(labels: np.ndarray) -> None:
    """scikit-learn's error for a class too rare for a stratified split, in
    its recent wording, raised here so that every scikit-learn sknn admits
    names the classes (1.7.0's wording names none)."""
    classes, counts = np.unique(labels, return_counts=True)
    if counts.min() < 2:
        raise ValueError(
            "The least populated classes in y have only 1 member, which is too "
            "few. The minimum number of groups for any class cannot be less "
            f"than 2. Classes with too few members are: "
            f"{classes[counts < 2].tolist()}"
        )


class DataStages:
    """The data of a fit and of predict: validation, conversion, tensors (a
    mixin of :class:`~sknn._base.BaseNeuralEstimator`).

    Its hooks: ``_y_kwargs()`` (``validate_data`` arguments for y),
    ``_sample_weight(sample_weight, X, y)`` (per-sample weights, with class
    weights) and ``_prepare_data(...)`` (the whole stage; the table
    regressor extends it to standardise its targets with the weights).
    """

    def _y_kwargs(self) -> dict:
        """``validate_data`` arguments for y (none: X is validated alone)."""
        return {}

    def _sample_weight(self, sample_weight, X, y):
        """Per-sample weights for the loss, or None when all samples weigh 1."""
        if sample_weight is None:
            return None
        weight = check_sample_weight(sample_weight, X, dtype=np.float64)
        if len(weight) and not weight.any():
            # scikit-learn's own message (1.7.0 let zero weights through,
            # into statistics normalised by their sum)
            raise ValueError(
                "Sample weights must contain at least one non-zero number."
            )
        return weight

    def _prepare_data(self, X, y, sample_weight, *, reset, classes):
        """Validated, converted X, encoded targets and weights: ``(X, y, w)``.

        A fresh fit makes the kind of input, which learns from X (weighted
        rows: a weight of 2 acts as a repeated row), and publishes what it
        learnt; later calls convert X as it learnt.
        """
        kind = self._make_input() if reset else self._input
        with float_overflow(type(self).__name__, X, y):
            X, y = self._validate_input(kind, X, y, reset=reset)
            weight = self._sample_weight(sample_weight, X, y)
            if reset:
                vars(self).update(kind.fit(X, weight))
                self._input = kind
            X = kind.transform(X)
        return X, self._targets(X, y, reset=reset, classes=classes), weight

    def _make_input(self) -> InputKind:
        """A new kind of input (``_input_type``) with this estimator's
        parameters of the names it takes, its name and sparse tag."""
        kind = self._input_type
        return kind(
            **{name: getattr(self, name) for name in kind.parameters},
            name=type(self).__name__,
            accept_sparse=self.__sklearn_tags__().input_tags.sparse,
        )

    def _validate_input(self, kind, X, y="no_validation", *, reset):
        """X (and y) validated as ``kind`` asks, the one place where sknn
        validates y: ``(X, y)``, y None when absent. ``y="no_validation"``
        validates X alone (predict, transform); ``y=None`` too, but a
        supervised estimator's tags then raise scikit-learn's "requires y"."""
        X = kind.prepare(X, fitting=reset)
        if y is None and get_tags(self).target_tags.required:
            validate_data(self, X, y)  # raises scikit-learn's "requires y"
        no_y = y is None or isinstance(y, str)
        y_kwargs = {} if no_y else self._y_kwargs()
        kwargs = kind.check_kwargs_for(X, fitting=reset)
        if kwargs.get("skip_check_array"):
            # The kind reads the values; scikit-learn records and checks the
            # feature names and counts.
            X = validate_data(self, X, reset=reset, **kwargs)
            if no_y:
                return X, None
            y = check_y(y, estimator=self, **y_kwargs)
            check_consistent_length(X, y)
            return X, y
        if not kind.counts_features(X, fitting=reset):
            if no_y:
                return check_array(X, input_name="X", estimator=self, **kwargs), None
            return check_X_y(X, y, estimator=self, **kwargs, **y_kwargs)
        if no_y:
            return validate_data(self, X, reset=reset, **kwargs), None
        return validate_data(self, X, y, reset=reset, **kwargs, **y_kwargs)

    def _compute_dtype(self, X, device, continuing) -> torch.dtype:
        """The dtype the module computes in: the ``dtype`` parameter's, or
        with None, as scikit-learn, float64 for float64 input on the CPU and
        float32 otherwise (accelerators run float64 far slower, and MPS has
        none). A fitted module keeps its dtype across warm starts."""
        if continuing:
            return next(self.module_.parameters()).dtype
        if self.dtype is None:
            if X.dtype == np.float64 and device.type == "cpu":
                return torch.float64
            return torch.float32
        if self.dtype == "float64" and device.type == "mps":
            raise ValueError(
                f"{type(self).__name__} got dtype='float64' on device "
                f"{str(device)!r}, but Apple's MPS has no float64. Use "
                "dtype='float32' (or None), or device='cpu'."
            )
        return getattr(torch, self.dtype)

    def _datasets(self, X, y, weight, device, dtype, held_out):
        """The training data, and the held-out data for early stopping (or
        None), as tensors on ``device``."""
        if not held_out:
            return self._make_dataset(X, y, weight, device, dtype), None
        n_samples = len(y)
        n_valid = self._n_held_out(n_samples)
        if n_valid < n_samples:
            # The split of indices, not of X: the training part keeps X where
            # it lies (a memmap larger than memory) and names its rows. First,
            # as in scikit-learn's MLP: its errors (a class too rare to
            # stratify, fewer held-out rows than classes) come before the
            # size check's.
            stratify = self._stratify_labels(y)
            if stratify is not None:
                _check_stratifiable(stratify)
            train_rows, valid_rows = train_test_split(
                np.arange(n_samples),
                test_size=self.validation_fraction,
                random_state=np.random.RandomState(self._seed),
                stratify=stratify,
            )
        if n_valid < 2 or n_valid >= n_samples:
            # scikit-learn's message, then what it was given
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                "or the size of your dataset. Early stopping needs at least 2 "
                "validation samples and 1 training sample, but "
                f"validation_fraction={self.validation_fraction} of {n_samples} "
                f"samples gives {n_valid} and {n_samples - n_valid}."
            )
        valid = self._make_dataset(
            X[valid_rows],
            y[valid_rows],
            None if weight is None else weight[valid_rows],
            device,
            dtype,
        )
        train = self._make_dataset(
            X,
            y[train_rows],
            None if weight is None else weight[train_rows],
            device,
            dtype,
            rows=torch.from_numpy(train_rows).to(device),
        )
        return train, valid

    def _n_held_out(self, n_samples: int) -> int:
        """The samples early stopping holds out of ``n_samples``, counted as
        ``train_test_split`` counts them."""
        return math.ceil(self.validation_fraction * n_samples)

    def _can_hold_out(self, y) -> bool:
        """Whether early stopping's held-out split of ``y`` (encoded) can be
        made: at least 2 held-out samples and 1 to train on, and for a
        stratified split 2 samples of each class and as many as classes in
        each part (``train_test_split``'s conditions)."""
        n_samples = len(y)
        n_valid = self._n_held_out(n_samples)
        if n_valid < 2 or n_valid >= n_samples:
            return False
        labels = self._stratify_labels(y)
        if labels is None:
            return True
        _, counts = np.unique(labels, return_counts=True)
        return counts.min() >= 2 and min(n_valid, n_samples - n_valid) >= len(counts)

    def _make_dataset(self, X, y, weight, device, dtype, rows=None):
        """An :class:`~sknn._data.ArrayDataset` on ``device``; ``rows``: the
        rows of ``X`` it holds (None: all), to which ``y`` and ``weight``
        already correspond."""
        if not sp.issparse(X):
            X = to_tensor(X, self._input.tensor_dtype(dtype), device)
        y = to_tensor(y, self._target_dtype(dtype), device)
        if weight is not None:
            largest = np.finfo(torch.empty(0, dtype=dtype).numpy().dtype).max
            if weight.sum() > largest:
                raise ValueError(
                    f"sample_weight sums to {weight.sum():.3g}, beyond the range "
                    f"of {dtype} ({largest:.3g}), in which the network trains. "
                    "Scale the weights down."
                )
            weight = to_tensor(weight, dtype, device)
        return ArrayDataset(X, y, weight, dtype=dtype, rows=rows)

    def _score_weight(self, sample_weight, n_samples: int) -> np.ndarray | None:
        """``score``'s sample weights, validated as ``fit``'s: one finite
        weight of at least 0 per sample, not all 0 (a scalar weighs every
        sample alike)."""
        if sample_weight is None:
            return None
        weight = check_sample_weight(sample_weight, np.empty((n_samples, 0)))
        if (weight < 0).any():
            raise ValueError(
                "sample_weight holds negative values; weights must be >= 0."
            )
        if weight.max() <= 0:
            raise ValueError(
                "sample_weight is 0 for every sample; give some samples a weight "
                "above 0."
            )
        # Scores are weighted means: the same with weights scaled to at most
        # 1, whose products with the values cannot overflow.
        return weight / weight.max()

    def _validated(self, X):
        """``X`` validated against the fit and converted for the module."""
        if not hasattr(self, "net_"):  # fitted: spare check_is_fitted's tag lookups
            check_is_fitted(self, "net_")
        if not hasattr(self, "feature_names_in_"):
            checked = self._input.checked(X, self.n_features_in_)
            if checked is not None:
                return checked
        with float_overflow(type(self).__name__, X):
            X, _ = self._validate_input(self._input, X, reset=False)
            return self._input.transform(X)
