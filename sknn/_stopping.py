"""How training ends: on a plateau, on divergence, on a Ctrl-C, and what the
user is told.

The engine's side is callbacks (:class:`StopOnPlateau`, scikit-learn's
``n_iter_no_change`` rule; :class:`LastGoodEpoch`, the rollback of a
diverging or interrupted fit) and :func:`sigint_seen`, which tells a Ctrl-C
from the ``KeyboardInterrupt`` by which callbacks end training. The
estimator's side is :func:`report_stop` (scikit-learn's non-finite error, or
a warning) and L-BFGS's convergence report (:func:`lbfgs_warning`), in
scikit-learn's words.
"""

import contextlib
import copy
import math
import signal
import threading
import warnings

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from skorch.callbacks import Callback

from ._data import all_finite
from ._optim import LBFGS, copy_all_
from ._progress import held_epoch, say
from ._warnings import user_stacklevel

NON_FINITE = (
    "Solver produced non-finite parameter weights. The input data may contain "
    "large values and need to be preprocessed."
)


@contextlib.contextmanager
def sigint_seen():
    """Within the block, note whether a Ctrl-C (SIGINT) arrived: yields a
    callable that tells. The interrupt itself still raises
    ``KeyboardInterrupt`` (or does what the handler in place does).

    Python handles signals in the main thread only: elsewhere, or when the
    handler in place is not Python's, nothing is noted.
    """
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or not callable(
        previous
    ):
        yield lambda: False
        return
    seen = []

    def handler(signum, frame):
        seen.append(signum)
        previous(signum, frame)

    signal.signal(signal.SIGINT, handler)
    try:
        yield lambda: bool(seen)
    finally:
        signal.signal(signal.SIGINT, previous)


class LastGoodEpoch(Callback):
    """Roll training back to the last epoch that ended well: with a finite
    loss and finite weights.

    It keeps a copy of what training changes (the module's state and the
    optimizer's) as of the end of that epoch, or of the start of the training
    call. An epoch that ends with a non-finite loss or weights (a diverging
    fit) is recorded as ``net.diverged_at_``; the copy is restored and
    training stops at once. After a Ctrl-C, :meth:`roll_back` returns to the
    copy and drops the unfinished epoch from the history.

    ``epoch_`` is the epoch whose state the copy holds (0: the initial
    weights). Placed after the callbacks that score an epoch: an epoch has
    ended well once they have run.
    """

    def on_train_begin(self, net, **kwargs):
        self.epoch_ = 0
        self._copy = self._optimizer_copy = None
        self._save(net)

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        if math.isfinite(row["train_loss"]) and all_finite(
            list(net.module_.parameters())
        ):
            self._save(net)
            return
        net.diverged_at_ = row["epoch"]
        self._restore(net)
        raise KeyboardInterrupt  # skorch's way to end training

    def on_train_end(self, net, **kwargs):
        # Each training call copies afresh: a fitted model (and its pickle)
        # does not hold its weights twice.
        self._copy = self._optimizer_copy = None

    def roll_back(self, net) -> None:
        """After an interrupt: the state and the history of the last epoch
        that ended (an interrupt while copying it comes after its end)."""
        if self._saving:
            return
        self._restore(net)
        while len(net.history) and net.history[-1, "epoch"] > self.epoch_:
            net.history.pop()

    def _save(self, net):
        self._saving = True
        if len(net.history):
            self.epoch_ = net.history[-1, "epoch"]
        module = _module_state(net)
        if self._copy is None:
            self._copy = [tensor.detach().clone() for tensor in module]
        else:
            copy_all_(self._copy, module)
        optimizer = _optimizer_state(net)
        if self._optimizer_copy is None or len(optimizer) != len(self._optimizer_copy):
            # the optimizer makes its state at its first step
            self._optimizer_copy = [tensor.clone() for tensor in optimizer]
        else:
            copy_all_(self._optimizer_copy, optimizer)
        self._saving = False

    def _restore(self, net):
        copy_all_(_module_state(net), self._copy)
        if isinstance(net.optimizer_, LBFGS):
            return  # its one step is the whole fit: nothing to resume
        optimizer = _optimizer_state(net)
        if len(optimizer) != len(self._optimizer_copy):
            net.optimizer_.state.clear()  # saved before its first step
            return
        copy_all_(optimizer, self._optimizer_copy)


def _module_state(net) -> list:
    """The module's parameters and buffers (normalisation statistics),
    listed from the module: cheaper than building its ``state_dict``."""
    return [*net.module_.parameters(), *net.module_.buffers()]


def _optimizer_state(net) -> list:
    """The optimizer's tensors (moments, step counts) of every parameter."""
    if isinstance(net.optimizer_, LBFGS):
        return []
    return [
        value
        for state in net.optimizer_.state.values()
        for value in state.values()
        if isinstance(value, torch.Tensor)
    ]


#: How scikit-learn's stopping messages name the scores sknn monitors.
_MONITORED = {"train_loss": "Training loss", "valid_score": "Validation score"}


class StopOnPlateau(Callback):
    """scikit-learn's ``n_iter_no_change`` rule as a skorch callback.

    An epoch makes progress when its ``monitor`` score beats the best so far
    by at least ``threshold`` (``tol``); the best score itself moves on any
    improvement, and with ``load_best`` the weights of the best epoch are
    restored when training ends. Training stops after ``patience`` epochs in
    a row without progress (``n_iter_no_change + 1``: scikit-learn stops once
    the count *exceeds* ``n_iter_no_change``). With ``adaptive_lr=True``
    (``learning_rate="adaptive"``) it first divides the learning rate by 5
    each time, and only stops once the rate is at most 1e-6. The count goes on
    across successive ``partial_fit`` calls on the same net, as in
    scikit-learn.

    Its messages (scikit-learn's verbose lines) go to ``sink(text)``, or by
    default are printed when the net is verbose.
    """

    def __init__(
        self,
        *,
        monitor="train_loss",
        lower_is_better=True,
        patience=11,
        threshold=1e-4,
        load_best=False,
        adaptive_lr=False,
        sink=None,
    ):
        self.monitor = monitor
        self.lower_is_better = lower_is_better
        self.patience = patience
        self.threshold = threshold
        self.load_best = load_best
        self.adaptive_lr = adaptive_lr
        self.sink = sink

    def initialize(self):
        self.misses_ = 0
        self.best_score_ = np.inf if self.lower_is_better else -np.inf
        self.best_epoch_ = None
        self.best_model_weights_ = None
        return self

    def on_train_begin(self, net, **kwargs):
        self.stopped_at_ = None  # the epoch this training call stopped at

    def on_epoch_end(self, net, **kwargs):
        score = net.history[-1, self.monitor]
        sign = 1.0 if self.lower_is_better else -1.0
        if sign * score > sign * self.best_score_ - self.threshold:
            self.misses_ += 1
        else:
            self.misses_ = 0
        if sign * score < sign * self.best_score_:
            self.best_score_ = score
            self.best_epoch_ = net.history[-1, "epoch"]
            if self.load_best:
                self.best_model_weights_ = copy.deepcopy(net.module_.state_dict())
        if self.misses_ < self.patience:
            return
        groups = net.optimizer_.param_groups
        # scikit-learn's verbose lines, word for word
        what = _MONITORED.get(self.monitor, self.monitor)
        message = (
            f"{what} did not improve more than tol={self.threshold:f} for "
            f"{self.patience - 1} consecutive epochs."
        )
        if self.adaptive_lr and max(g["lr"] for g in groups) > 1e-6:
            for group in groups:
                group["lr"] /= 5.0
            self.misses_ = 0
            self._say(f"{message} Setting learning rate to {groups[0]['lr']:f}", net)
            return
        if self.adaptive_lr:
            message += " Learning rate too small."
        self._say(f"{message} Stopping.", net)
        self.stopped_at_ = net.history[-1, "epoch"]
        self._say(self._held(), net)
        raise KeyboardInterrupt  # skorch's way to end training

    def _held(self) -> str:
        """Which epoch's weights the model holds once stopped (sknn's line,
        after scikit-learn's)."""
        if not self.load_best:
            return f"The model holds the weights of epoch {self.stopped_at_}, the last."
        what = _MONITORED.get(self.monitor, self.monitor).lower()
        return (
            f"The model holds the weights of epoch {self.best_epoch_}, of the best "
            f"{what} ({self.best_score_:f})."
        )

    def on_train_end(self, net, **kwargs):
        if (
            self.best_model_weights_ is not None
            and self.best_epoch_ != net.history[-1, "epoch"]
        ):
            net.module_.load_state_dict(self.best_model_weights_)
        # Loaded: a fitted model does not hold its weights twice.
        self.best_model_weights_ = None

    def _say(self, text, net):
        # Not `sink=say`, compared with it: `say` prints through the builtin,
        # which libraries may replace (Ray's tqdm_ray does).
        if self.sink is not None:
            self.sink(text)
        elif net.verbose:
            say(text)


def report_stop(net, held_out: bool) -> None:
    """What a diverged or interrupted training call tells the user.

    A diverged fit that holds nothing out raises scikit-learn's error; with
    early stopping (``held_out``), scikit-learn keeps the best weights: a
    ``ConvergenceWarning``. An interrupt warns, naming the epoch whose
    weights the model holds.
    """
    if net.diverged_at_ is None and net.interrupted_at_ is None:
        return
    stop = net.stopper_
    best = None if stop is None or not stop.load_best else stop.best_epoch_
    held = held_epoch(net)
    if best is not None:
        which = f"epoch {held}, the best on the validation data"
    else:
        which = f"epoch {held}" if held else "the initial weights"
    if net.diverged_at_ is not None:
        if not held_out:
            raise ValueError(NON_FINITE)
        warnings.warn(
            f"Training diverged at epoch {net.diverged_at_}: the loss or the "
            f"weights became non-finite. Training stopped there, and the model "
            f"holds the weights of {which}. Lower learning_rate_init, or scale "
            "the data.",
            ConvergenceWarning,
            stacklevel=user_stacklevel(),
        )
    if net.interrupted_at_ is not None:
        warnings.warn(
            f"Training was interrupted (KeyboardInterrupt) during epoch "
            f"{net.interrupted_at_}. The model holds the weights of {which}; "
            "n_iter_ and loss_curve_ count the epochs that ended.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def lbfgs_warning(report: dict, max_iter: int) -> str | None:
    """scikit-learn's L-BFGS warning, word for word, from scipy's ``report``
    (see :func:`~sknn._optim.lbfgs_state`); None when L-BFGS converged."""
    if not report or report["status"] == 0:
        return None
    n_iter = min(report["n_iter"], max_iter)
    message = (
        f"lbfgs failed to converge after {n_iter} iteration(s) "
        f"(status={report['status']}):\n{report['message']}\n"
    )
    if n_iter == max_iter:
        message += (
            "\nIncrease the number of iterations to improve the convergence "
            f"(max_iter={max_iter})."
        )
    return message + (
        "\nYou might also want to scale the data as shown in:\n"
        "    https://scikit-learn.org/stable/modules/preprocessing.html"
    )
