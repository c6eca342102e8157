"""Training options beyond scikit-learn's MLP, shared by the networks whose
defaults were chosen by measurement (tables, convolutions, recurrences).

:class:`TrainingExtras` adds ``early_stopping="auto"`` (held-out data from a
number of samples on) and ``learning_rate="cosine"`` (:class:`CosineLR`, a
cosine decay over ``max_iter`` epochs); :class:`ClassifierExtras` adds
``label_smoothing`` and the negative log-loss as the early-stopping score.
``MLPClassifier`` and ``MLPRegressor`` keep scikit-learn's parameters
exactly, and use neither.
"""

import functools
import math
import textwrap
from numbers import Real

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import r2_score
from skorch.callbacks import Callback, LRScheduler

from ._docs import TRAINING_PARAMETERS, with_defaults
from ._losses import classification_loss
from ._sklearn import Interval, StrOptions

EARLY_STOPPING = ["boolean", StrOptions({"auto"})]
LEARNING_RATE = [StrOptions({"constant", "invscaling", "adaptive", "cosine"})]


def training_doc(min_samples: int, learning_rate_note: str, **defaults: str) -> str:
    """The training parameters' docs with these options and ``defaults``
    (see :func:`~sknn._docs.with_defaults`); ``min_samples``: from how many
    samples ``early_stopping="auto"`` holds data out (:func:`auto_from`);
    ``learning_rate_note`` says why the default schedule is the default."""
    section = with_defaults(TRAINING_PARAMETERS, **defaults)
    early = defaults.get("early_stopping", "False")
    section = section.replace(
        f"""    early_stopping : bool, default={early}
        Hold out""",
        f"""    early_stopping : bool or "auto", default={early}
{auto_from(min_samples)}
        ``True``: hold out""",
    )
    rate = defaults.get("learning_rate", '"constant"')
    text = textwrap.fill(
        'Learning-rate schedule: ``"cosine"`` (the stochastic solvers; L-BFGS '
        "has no schedule) decays the rate from ``learning_rate_init`` to 0 "
        f"along half a cosine over ``max_iter`` epochs; {learning_rate_note}. "
        'Those of ``solver="sgd"`` only: constant, decaying as',
        width=79,
        initial_indent=" " * 8,
        subsequent_indent=" " * 8,
    )
    return section.replace(
        f"""    learning_rate : {{"constant", "invscaling", "adaptive"}}, \
default={rate}
        Learning-rate schedule of ``solver="sgd"``: constant, decaying as""",
        f"""    learning_rate : {{"constant", "cosine", "invscaling", "adaptive"}}, \
default={rate}
{text}""",
    )


def auto_from(min_samples: int) -> str:
    """``early_stopping="auto"``'s rule, for :func:`training_doc`: from
    ``min_samples`` training samples on, where the held-out part can be made."""
    rule = (
        f'``"auto"``: as ``True`` from {min_samples} training samples on, as '
        "``False`` below (too few samples to hold some out and pick an epoch "
        "by), or where the held-out part cannot be made (for classifiers: 2 "
        "samples of each class, and as many as classes in each part)."
    )
    return textwrap.fill(
        rule, width=79, initial_indent=" " * 8, subsequent_indent=" " * 8
    )


class TrainingExtras:
    """``early_stopping="auto"`` and ``learning_rate="cosine"``.

    ``_auto_early_stopping_min_samples`` (class attribute): from this many
    training samples on, ``"auto"`` holds out ``validation_fraction`` of them
    to pick the best epoch by, where the held-out part can be made
    (:meth:`~sknn._prepare.DataStages._can_hold_out`); below, training runs
    its epochs on all the data.
    """

    _auto_early_stopping_min_samples = 500

    def _early_stopping(self, y) -> bool:
        if self.early_stopping == "auto":
            return len(y) >= self._auto_early_stopping_min_samples and (
                self._can_hold_out(y)
            )
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

    def _make_callbacks(self, valid, seen) -> list:
        callbacks = super()._make_callbacks(valid, seen)
        if self._cosine:
            if any(isinstance(c, LRScheduler) for _, c in callbacks):
                raise ValueError(
                    'learning_rate="cosine" schedules the learning rate, and '
                    "callbacks holds an LRScheduler too. Set "
                    'learning_rate="constant" to use your own schedule.'
                )
            schedule = CosineLR(self.learning_rate_init, self.max_iter)
            callbacks.insert(0, ("cosine_lr", schedule))
        return callbacks

    def _warn_if_not_converged(self) -> None:
        # A cosine schedule ends at max_iter by design, its rate at 0: reaching
        # it is the plan, not a failure to converge.
        if not self._cosine:
            super()._warn_if_not_converged()


class CosineLR(Callback):
    """The learning rate along half a cosine, from ``lr_init`` at the first
    epoch of each training call to 0 after ``epochs`` epochs.

    Each ``fit`` (warm starts included) runs the whole schedule; a
    ``partial_fit`` call is one epoch, the first of its call: it trains at
    ``lr_init``. The rate of each epoch is recorded as ``event_lr``, as by
    skorch's ``LRScheduler`` (whose schedules resume from the length of the
    history, which warm starts keep, with a new optimizer).
    """

    def __init__(self, lr_init: float, epochs: int):
        self.lr_init = lr_init
        self.epochs = epochs

    def on_train_begin(self, net, **kwargs):
        self.first_epoch_ = len(net.history)  # the rows of earlier calls

    def on_epoch_begin(self, net, **kwargs):
        t = len(net.history) - 1 - self.first_epoch_  # this call's epoch, from 0
        lr = self.lr_init * 0.5 * (1.0 + math.cos(math.pi * t / self.epochs))
        for group in net.optimizer_.param_groups:
            group["lr"] = lr
        net.history.record("event_lr", lr)


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

    _validation_score_name = "negative log-loss"

    def _validation_score(self, raw, y, sample_weight) -> float:
        return negative_log_loss(raw, y, sample_weight, self._multiclass)


LABEL_SMOOTHING = [Interval(Real, 0, 1, closed="left")]

LABEL_SMOOTHING_DOC = """
    label_smoothing : float, default={default}
        Share of each target's probability mass spread evenly over the
        classes in the training loss (binary and multilabel targets: moved
        halfway towards 0.5). {why}"""


def standardized_values(raw, mean, scale, exp, dtype=torch.float64):
    """Predicted values, in ``dtype``, from raw outputs on the standardized
    scale (or, for the Poisson loss's log link, their exponential)."""
    raw = raw.to(dtype)
    if exp:
        return torch.exp(raw)
    return raw * torch.as_tensor(scale, dtype=dtype, device=raw.device) + (
        torch.as_tensor(mean, dtype=dtype, device=raw.device)
    )


class StandardizedTargets:
    """Regressors that train on standardized targets (the weighted mean and
    standard deviation of each, learnt in a fresh fit; the Poisson loss's
    targets keep their scale), so that the targets need no scaling, and give
    predictions on the targets' own scale."""

    def _prepare_data(self, X, y, sample_weight, *, reset, classes):
        X, y, weight = super()._prepare_data(
            X, y, sample_weight, reset=reset, classes=classes
        )
        if reset:
            # Weighted, so that a weight of 2 acts as a repeated row.
            w = np.ones(len(y)) if weight is None else weight
            poisson = self.loss == "poisson"
            self._y_mean = (
                np.zeros(y.shape[1]) if poisson else np.average(y, axis=0, weights=w)
            )
            variance = np.average((y - self._y_mean) ** 2, axis=0, weights=w)
            scale = np.ones(y.shape[1]) if poisson else np.sqrt(variance)
            self._y_scale = np.where(scale > 0, scale, 1.0)
        return X, (y - self._y_mean) / self._y_scale, weight

    def _decoder(self):
        return functools.partial(
            standardized_values,
            mean=self._y_mean,
            scale=self._y_scale,
            exp=self.out_activation_ == "exp",
        )

    def _graph_outputs(self, module, x) -> torch.Tensor:
        """What an exported graph computes (``sknn.onnx``): the values, in
        float32 throughout."""
        return self._decoder()(module(x), dtype=torch.float32)

    def _validation_score(self, raw, y, sample_weight) -> float:
        """R² on the standardized scale (the same as on the targets' own)."""
        weight = None if sample_weight is None else sample_weight.cpu().numpy()
        raw = torch.exp(raw) if self.out_activation_ == "exp" else raw
        return r2_score(
            y.cpu().numpy(), raw.double().cpu().numpy(), sample_weight=weight
        )
