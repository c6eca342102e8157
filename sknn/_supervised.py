"""What classifiers and regressors add to the engine: targets in, predictions out.

:class:`BaseNeuralClassifier` and :class:`BaseNeuralRegressor` are shared by
every architecture (MLP, CNN, RNN); an architecture only adds its module.
"""

import functools

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import check_array
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import check_consistent_length, column_or_1d

from ._base import BaseNeuralEstimator
from ._losses import classification_loss, regression_loss
from ._params import CLASS_WEIGHT, REGRESSION_LOSS
from ._sklearn import fit_context


def class_codes(raw: torch.Tensor, multiclass: bool) -> torch.Tensor:
    """Encoded class predictions from raw outputs: indices, or 0/1 indicators."""
    if multiclass:
        return raw.argmax(dim=1)
    return (raw > 0).long()  # logistic(raw) > 0.5


def log_probabilities(raw: torch.Tensor, multiclass: bool, multilabel: bool):
    """Log-probabilities (N, n_classes) from raw outputs, in their dtype."""
    if multiclass:
        return torch.log_softmax(raw, dim=1)
    if multilabel:
        # The log of predict_proba, as scikit-learn: labels whose
        # probabilities round to the same value keep the same log, so that
        # both give the same argmax.
        return torch.log(torch.sigmoid(raw))
    # logistic(-raw) = 1 - logistic(raw): both columns without cancellation.
    return torch.nn.functional.logsigmoid(torch.cat([-raw, raw], dim=1))


def probabilities(raw: torch.Tensor, multiclass: bool, multilabel: bool):
    """Probabilities (N, n_classes) from raw outputs, in their dtype: the
    exponential of :func:`log_probabilities`, in torch (NumPy's exponential
    of the read-back logarithms took longer than the forward pass of 5,000
    rows)."""
    return torch.exp(log_probabilities(raw, multiclass, multilabel))


def regression_values(raw: torch.Tensor, exp: bool) -> torch.Tensor:
    """Predicted values from raw outputs, through the log link when ``exp``."""
    raw = raw.double()
    return torch.exp(raw) if exp else raw


class BaseNeuralClassifier(ClassifierMixin, BaseNeuralEstimator):
    """Classification on top of the engine.

    Binary targets use one logistic output unit, multiclass targets a softmax
    over one unit per class, multilabel indicator matrices one logistic unit
    per label — as scikit-learn's ``MLPClassifier``. ``classes_`` holds the
    labels, of any type, and ``predict`` returns them.
    """

    _parameter_constraints: dict = {
        **BaseNeuralEstimator._parameter_constraints,
        "class_weight": CLASS_WEIGHT,
    }

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model to data matrix X and target(s) y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            The target labels, or a binary indicator matrix for multilabel
            classification.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the loss. None weighs all samples equally.

        Returns
        -------
        self : object
            The fitted estimator.

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from sknn import MLPClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> clf = MLPClassifier(solver="lbfgs", random_state=0).fit(X, y)
        >>> clf.classes_
        array([0, 1, 2])
        """
        return self._fit(X, y, sample_weight)

    @available_if(BaseNeuralEstimator._has_stochastic_solver)
    @fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the model with one epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            The target labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the loss.
        classes : array-like of shape (n_classes,), default=None
            All the classes that may appear over the calls to ``partial_fit``.
            Required on the first call, ignored afterwards.

        Returns
        -------
        self : object
            The updated estimator.

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from sknn import MLPClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> import numpy as np
        >>> clf = MLPClassifier(random_state=0)
        >>> for _ in range(3):
        ...     clf = clf.partial_fit(X, y, classes=np.unique(y))
        >>> len(clf.loss_curve_)
        3
        """
        self._check_partial_fit()
        if not hasattr(self, "net_") and classes is None:
            raise ValueError(
                "classes must be passed on the first call to partial_fit, e.g. "
                "partial_fit(X, y, classes=np.unique(y_all))."
            )
        if (
            hasattr(self, "net_")
            and classes is not None
            and not np.array_equal(self.classes_, unique_labels(classes))
        ):
            # scikit-learn's message, word for word
            raise ValueError(
                f"`classes={classes!r}` is not the same as on last call to "
                f"partial_fit, was: {self.classes_!r}"
            )
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit: the class "
                "frequencies of one batch are not those of the data. Pass a dict of "
                "class weights instead."
            )
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _sample_weight(self, sample_weight, X, y):
        weight = super()._sample_weight(sample_weight, X, y)
        if self.class_weight is None:
            return weight
        class_weight = compute_sample_weight(self.class_weight, y)
        return class_weight if weight is None else weight * class_weight

    def _y_kwargs(self) -> dict:
        return {"multi_output": True}

    def _targets(self, X, y, *, reset, classes=None):
        check_classification_targets(y)
        multilabel = type_of_target(y) == "multilabel-indicator"
        if not multilabel:
            y = column_or_1d(y, warn=True)
        if reset:
            self._set_classes(y, classes, multilabel)
        else:
            self._check_classes(y, multilabel)
        if multilabel:
            return np.asarray(y, dtype=np.float32)
        codes = np.searchsorted(self.classes_, y)
        if not self._multiclass:  # one logistic unit (two classes, or one)
            return codes.astype(np.float32).reshape(-1, 1)
        return codes

    def _set_classes(self, y, classes, multilabel):
        if multilabel:
            self.classes_ = np.arange(y.shape[1])
        else:
            self.classes_ = unique_labels(y if classes is None else classes)
            unseen = () if classes is None else np.setdiff1d(unique_labels(y), classes)
            if len(unseen):
                raise ValueError(
                    f"y contains labels {unseen.tolist()} that are not in classes="
                    f"{self.classes_.tolist()}; pass every label in `classes`."
                )
        self._multilabel = multilabel
        # One class trains as binary, towards it (scikit-learn's rule).
        binary = len(self.classes_) <= 2 and not multilabel
        self.n_outputs_ = 1 if binary else len(self.classes_)
        self.out_activation_ = "softmax" if self._multiclass else "logistic"

    def _check_classes(self, y, multilabel):
        if multilabel != self._multilabel or (
            multilabel and y.shape[1] != len(self.classes_)
        ):
            raise ValueError(
                "The type of target changed since the previous fit: expected "
                f"{'a multilabel indicator matrix' if self._multilabel else 'labels'} "
                f"with classes {self.classes_.tolist()}."
            )
        labels = unique_labels(y)
        if multilabel:
            return
        if self.warm_start and set(labels) != set(self.classes_):
            # scikit-learn's message, word for word (partial_fit included)
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as in "
                f"the previous call to fit. Previously got {self.classes_}, `y` has "
                f"{labels}"
            )
        if not np.isin(labels, self.classes_).all():
            raise ValueError(
                f"`y` has classes not in `self.classes_`. `self.classes_` has "
                f"{self.classes_}. 'y' has {labels}."
            )

    @property
    def _multiclass(self) -> bool:
        return not self._multilabel and len(self.classes_) > 2

    def _target_dtype(self, dtype):
        return torch.int64 if self._multiclass else dtype

    def _stratify_labels(self, y) -> np.ndarray | None:
        # The classes themselves, not their codes, so that scikit-learn's
        # error on a class too rare to split names it as the user knows it
        # (True, "b"; not 1.0). The split is the same: codes are sorted as
        # the classes are.
        if self._multilabel:
            return None
        return self.classes_[np.asarray(y).astype(np.int64).ravel()]

    def _criterion(self):
        return classification_loss(self._multiclass)

    def _decoder(self):
        return functools.partial(class_codes, multiclass=self._multiclass)

    _validation_score_name = "accuracy"

    def _validation_score(self, raw, y, sample_weight) -> float:
        correct = class_codes(raw, self._multiclass) == y.long()
        if correct.ndim > 1:
            correct = correct.all(dim=1)
        correct = correct.to(raw.dtype)
        if sample_weight is None:
            return correct.mean().item()
        return ((correct * sample_weight).sum() / sample_weight.sum()).item()

    def predict(self, X):
        """Predict the class labels of X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Labels from ``classes_``; a 0/1 indicator matrix for multilabel.

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from sknn import MLPClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> clf = MLPClassifier(solver="lbfgs", random_state=0).fit(X, y)
        >>> clf.predict(X[[0, 50, 100]])
        array([0, 1, 2])
        """
        codes = class_codes(self._forward(X), self._multiclass).cpu().numpy()
        if self._multilabel:
            return codes
        if len(self.classes_) == 1:  # as scikit-learn: its one class, always
            return np.repeat(self.classes_, len(codes))
        return self.classes_[codes.ravel()]

    def predict_proba(self, X):
        """Probability of each class for each sample in X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities in the order of ``classes_``.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import load_iris
        >>> from sknn import MLPClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> clf = MLPClassifier(solver="lbfgs", random_state=0).fit(X, y)
        >>> proba = clf.predict_proba(X[:2])
        >>> proba.shape, bool(np.allclose(proba.sum(axis=1), 1))
        ((2, 3), True)
        """
        raw = self._forward(X).double()  # float64 probabilities, as log_proba's
        return probabilities(raw, self._multiclass, self._multilabel).cpu().numpy()

    def predict_log_proba(self, X):
        """Logarithm of the probability of each class for each sample in X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities in the order of ``classes_``.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import load_iris
        >>> from sknn import MLPClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> clf = MLPClassifier(solver="lbfgs", random_state=0).fit(X, y)
        >>> log_proba = clf.predict_log_proba(X[:2])
        >>> bool(np.allclose(np.exp(log_proba), clf.predict_proba(X[:2])))
        True
        """
        raw = self._forward(X).double()
        return log_probabilities(raw, self._multiclass, self._multilabel).cpu().numpy()

    def _graph_outputs(self, module, x) -> torch.Tensor:
        """What an exported graph computes (``sknn.onnx``): the probabilities."""
        return probabilities(module(x), self._multiclass, self._multilabel)

    def score(self, X, y, sample_weight=None) -> float:
        """Mean accuracy on the given data and labels, as scikit-learn's
        classifiers (multilabel: the share of samples with every label right).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True labels for X.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights: finite, at least 0, not all 0.

        Returns
        -------
        score : float
            Mean accuracy of ``self.predict(X)`` with respect to y.

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from sknn import MLPClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> clf = MLPClassifier(solver="lbfgs", random_state=0).fit(X, y)
        >>> clf.score(X, y) > 0.9
        True
        """
        predicted = self.predict(X)
        y = check_array(y, ensure_2d=False, dtype=None, input_name="y")
        check_consistent_length(predicted, y)
        if type_of_target(y) == "unknown":
            raise ValueError(
                f"score got labels that mix types or are not labels (dtype "
                f"{y.dtype}, e.g. {y.ravel()[:3].tolist()}); pass labels like those "
                f"of fit, classes_ = {self.classes_[:5].tolist()}."
            )
        weight = self._score_weight(sample_weight, len(predicted))
        return float(accuracy_score(y, predicted, sample_weight=weight))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class BaseNeuralRegressor(RegressorMixin, BaseNeuralEstimator):
    """Regression on top of the engine: single or multi-output targets.

    ``loss`` picks the training loss: ``"squared_error"`` (half the mean squared
    error, as scikit-learn), ``"absolute_error"``, ``"huber"`` (delta 1) or
    ``"poisson"`` (log link: the network predicts ``exp(output)``).
    """

    _parameter_constraints: dict = {
        **BaseNeuralEstimator._parameter_constraints,
        "loss": REGRESSION_LOSS,
    }

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model to data matrix X and target(s) y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            The target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the loss. None weighs all samples equally.

        Returns
        -------
        self : object
            The fitted estimator.

        Examples
        --------
        >>> from sklearn.datasets import load_diabetes
        >>> from sknn import MLPRegressor
        >>> X, y = load_diabetes(return_X_y=True)
        >>> reg = MLPRegressor(solver="lbfgs", max_iter=50, random_state=0)
        >>> reg.fit(X, y).n_outputs_
        1
        """
        return self._fit(X, y, sample_weight)

    @available_if(BaseNeuralEstimator._has_stochastic_solver)
    @fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with one epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            The target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the loss.

        Returns
        -------
        self : object
            The updated estimator.

        Examples
        --------
        >>> from sklearn.datasets import load_diabetes
        >>> from sknn import MLPRegressor
        >>> X, y = load_diabetes(return_X_y=True)
        >>> reg = MLPRegressor(random_state=0)
        >>> for _ in range(3):
        ...     reg = reg.partial_fit(X, y)
        >>> len(reg.loss_curve_)
        3
        """
        self._check_partial_fit()
        return self._fit(X, y, sample_weight, incremental=True)

    def _y_kwargs(self) -> dict:
        return {"multi_output": True, "y_numeric": True}

    def _targets(self, X, y, *, reset, classes=None):
        if sp.issparse(y):  # scikit-learn's multi-output validation lets it by
            y = y.toarray()
        y = np.asarray(y, dtype=np.float64)
        if y.ndim == 1:
            y = y.reshape(-1, 1)
        if self.loss == "poisson" and (y < 0).any():
            raise ValueError(
                "loss='poisson' needs non-negative targets (counts or rates), but y "
                f"has values down to {y.min()}. Use another loss or shift y."
            )
        if reset:
            self.n_outputs_ = y.shape[1]
            self.out_activation_ = "exp" if self.loss == "poisson" else "identity"
        elif y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {y.shape[1]} target(s), but {type(self).__name__} was fitted "
                f"with {self.n_outputs_}."
            )
        return y

    def _criterion(self):
        return regression_loss(self.loss)

    def _decoder(self):
        return functools.partial(regression_values, exp=self.out_activation_ == "exp")

    def _graph_outputs(self, module, x) -> torch.Tensor:
        """What an exported graph computes (``sknn.onnx``): the values."""
        return self._decoder()(module(x)).to(torch.float32)

    _validation_score_name = "R²"

    def _validation_score(self, raw, y, sample_weight) -> float:
        predicted = self._decoder()(raw).cpu().numpy()
        if not np.isfinite(predicted).all():
            # As scikit-learn: a diverged epoch scores NaN, which never
            # counts as progress nor as the best epoch.
            return np.nan
        weight = None if sample_weight is None else sample_weight.cpu().numpy()
        return r2_score(y.cpu().numpy(), predicted, sample_weight=weight)

    def predict(self, X):
        """Predict the target(s) of X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predicted values; 1D when the model has a single target.

        Examples
        --------
        >>> from sklearn.datasets import load_diabetes
        >>> from sknn import MLPRegressor
        >>> X, y = load_diabetes(return_X_y=True)
        >>> reg = MLPRegressor(solver="lbfgs", max_iter=50, random_state=0).fit(X, y)
        >>> reg.predict(X[:4]).shape
        (4,)
        """
        X = self._validated(X)
        raw = self._infer(X, self.module_)
        y = self._decoder()(raw).cpu().numpy()  # float64
        if raw.dtype == torch.float32 and getattr(X, "dtype", None) == np.float32:
            # As scikit-learn's MLPRegressor, which computes in float32 for
            # float32 input: float32 predictions.
            y = y.astype(np.float32)
        return y.ravel() if y.shape[1] == 1 else y

    def score(self, X, y, sample_weight=None) -> float:
        """Coefficient of determination R² of the predictions, as
        scikit-learn's regressors (the mean over targets, each alike).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True values for X.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights: finite, at least 0, not all 0.

        Returns
        -------
        score : float
            R² of ``self.predict(X)`` with respect to y. As in scikit-learn it
            is not defined for fewer than two samples: NaN, with a warning.

        Examples
        --------
        >>> from sklearn.datasets import load_diabetes
        >>> from sknn import MLPRegressor
        >>> X, y = load_diabetes(return_X_y=True)
        >>> reg = MLPRegressor(solver="lbfgs", max_iter=50, random_state=0).fit(X, y)
        >>> reg.score(X, y) > 0
        True
        """
        predicted = self.predict(X)
        if sp.issparse(y):  # as fit takes it
            y = y.toarray()
        y = check_array(y, ensure_2d=False, dtype="numeric", input_name="y")
        check_consistent_length(predicted, y)
        weight = self._score_weight(sample_weight, len(predicted))
        with np.errstate(over="ignore", invalid="ignore"):
            score = float(r2_score(y, predicted, sample_weight=weight))
        if not np.isfinite(score) and len(y) >= 2:  # 1 sample: undefined, NaN
            largest = max(np.abs(y).max(), np.abs(predicted).max())
            raise ValueError(
                "R² overflows: y or the predictions hold values up to "
                f"{largest:.3g}, whose squares exceed the float range. Scale y "
                "(e.g. with TransformedTargetRegressor) or X as in training."
            )
        return score

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
