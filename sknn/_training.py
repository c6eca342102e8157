"""Training options beyond scikit-learn's MLP, shared by the networks whose
defaults were chosen by measurement (tables, convolutions, recurrences).

:class:`TrainingExtras` adds ``early_stopping="auto"`` (held-out data from a
number of samples on), ``learning_rate="cosine"`` (a cosine decay over
``max_iter`` epochs) and, for classifiers, the negative log-loss as the
early-stopping score. ``MLPClassifier`` and ``MLPRegressor`` keep
scikit-learn's parameters exactly, and do not use it.
"""

from numbers import Real

import torch.nn.functional as F
from skorch.callbacks import LRScheduler

from ._losses import classification_loss
from ._sklearn import Interval, StrOptions

EARLY_STOPPING = ["boolean", StrOptions({"auto"})]
LEARNING_RATE = [StrOptions({"constant", "invscaling", "adaptive", "cosine"})]

COSINE_DOC = """Learning-rate schedule: constant, or ``"cosine"`` (the
        stochastic solvers; L-BFGS has no schedule), which decays the rate
        from ``learning_rate_init`` to 0 along half a cosine over
        ``max_iter`` epochs. Those of ``solver="sgd"``: constant, decaying as"""


class TrainingExtras:
    """``early_stopping="auto"`` and ``learning_rate="cosine"``.

    ``_auto_early_stopping_min_samples`` (class attribute): from this many
    training samples on, ``"auto"`` holds out ``validation_fraction`` of them
    to pick the best epoch by; below, the held-out part would be too small to
    pick one by, and training runs its epochs on all the data.
    """

    _auto_early_stopping_min_samples = 500

    def _early_stopping(self, n_samples: int) -> bool:
        if self.early_stopping == "auto":
            return n_samples >= self._auto_early_stopping_min_samples
        return bool(self.early_stopping)

    def _check_partial_fit(self) -> None:
        """partial_fit trains on what it is given: with ``"auto"``, nothing
        is held out (``True``: no partial_fit at all)."""

    def _partial_fit_available(self) -> bool:
        # Rather than a partial_fit that always fails, none (as with L-BFGS).
        super()._partial_fit_available()
        if self.early_stopping != "auto" and self.early_stopping:
            raise AttributeError(
                "partial_fit is only available with early_stopping=False or "
                '"auto": the held-out split of early stopping is fit\'s. Set '
                "early_stopping=False to train batch by batch."
            )
        return True

    @property
    def _cosine(self) -> bool:
        return self.learning_rate == "cosine" and self._stochastic

    def _make_callbacks(self, valid) -> list:
        callbacks = super()._make_callbacks(valid)
        if self._cosine:
            if any(isinstance(c, LRScheduler) for _, c in callbacks):
                raise ValueError(
                    'learning_rate="cosine" schedules the learning rate, and '
                    "callbacks holds an LRScheduler too. Set "
                    'learning_rate="constant" to use your own schedule.'
                )
            schedule = LRScheduler(
                policy="CosineAnnealingLR", T_max=self.max_iter, eta_min=0.0
            )
            callbacks.insert(0, ("cosine_lr", schedule))
        return callbacks

    def _warn_if_not_converged(self) -> None:
        # A cosine schedule ends at max_iter by design, its rate at 0: reaching
        # it is the plan, not a failure to converge.
        if not self._cosine:
            super()._warn_if_not_converged()


def negative_log_loss(raw, y, sample_weight, multiclass: bool) -> float:
    """The early-stopping score of classifiers: the negative log-loss (no
    label smoothing) of raw outputs, so that the best epoch is the one whose
    probabilities fit the held-out labels best."""
    if multiclass:
        losses = F.cross_entropy(raw, y.long(), reduction="none")
    else:
        losses = F.binary_cross_entropy_with_logits(
            raw, y.to(raw.dtype), reduction="none"
        ).sum(dim=1)
    if sample_weight is None:
        return -losses.mean().item()
    return -((losses * sample_weight).sum() / sample_weight.sum()).item()


class ClassifierExtras:
    """``label_smoothing`` in the training loss, and the negative log-loss
    as the early-stopping score."""

    def _criterion(self):
        return classification_loss(self._multiclass, self.label_smoothing)

    def _validation_score(self, raw, y, sample_weight) -> float:
        return negative_log_loss(raw, y, sample_weight, self._multiclass)


LABEL_SMOOTHING = [Interval(Real, 0, 1, closed="left")]

LABEL_SMOOTHING_DOC = """
    label_smoothing : float, default={default}
        Share of each target's probability mass spread evenly over the
        classes in the training loss (binary and multilabel targets: moved
        halfway towards 0.5)."""
