"""How training ends: on a plateau, on divergence, on a Ctrl-C, and what the
user is told.

The engine's side is callbacks (:class:`StopOnPlateau`, scikit-learn's
``n_iter_no_change`` rule; :class:`LastGoodEpoch`, the rollback of a
diverging or interrupted fit) and :func:`sigint_seen`, which tells a Ctrl-C
from the ``KeyboardInterrupt`` by which callbacks end training. The
estimator's side is :func:`report_stop` (scikit-learn's non-finite error, or
a warning) and L-BFGS's convergence report (:func:`lbfgs_stalled`,
:func:`lbfgs_warning`), in scikit-learn's words.
"""

import contextlib
import copy
import functools
import math
import signal
import threading
import warnings

import numpy as np
import scipy.optimize
import torch
from sklearn.exceptions import ConvergenceWarning
from skorch.callbacks import Callback

from ._optim import lbfgs_state

NON_FINITE = (
    "Solver produced non-finite parameter weights. The input data may contain "
    "large values and need to be preprocessed."
)

# scipy's ftol, which scikit-learn's L-BFGS leaves at its default: a relative
# decrease of the loss this small is convergence.
_SCIPY_FTOL = 2.22e-9


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
        if math.isfinite(row["train_loss"]) and _finite(net.module_.parameters()):
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
        with torch.no_grad():
            module = _module_state(net)
            if self._copy is None:
                self._copy = [tensor.clone() for tensor in module]
            else:
                for saved, tensor in zip(self._copy, module, strict=True):
                    saved.copy_(tensor)
            optimizer = _optimizer_state(net)
            if self._optimizer_copy is None or len(optimizer) != len(
                self._optimizer_copy
            ):  # the optimizer makes its state at its first step
                self._optimizer_copy = [tensor.clone() for tensor in optimizer]
            else:
                for saved, tensor in zip(self._optimizer_copy, optimizer, strict=True):
                    saved.copy_(tensor)
        self._saving = False

    def _restore(self, net):
        with torch.no_grad():
            for tensor, saved in zip(_module_state(net), self._copy, strict=True):
                tensor.copy_(saved)
            optimizer = _optimizer_state(net)
            if isinstance(net.optimizer_, torch.optim.LBFGS):
                return  # its one step is the whole fit: nothing to resume
            if len(optimizer) != len(self._optimizer_copy):
                net.optimizer_.state.clear()  # saved before its first step
                return
            for tensor, saved in zip(optimizer, self._optimizer_copy, strict=True):
                tensor.copy_(saved)


def _module_state(net) -> list:
    """The module's parameters and buffers (normalisation statistics)."""
    return list(net.module_.state_dict().values())


def _optimizer_state(net) -> list:
    """The optimizer's tensors (moments, step counts) of every parameter."""
    if isinstance(net.optimizer_, torch.optim.LBFGS):
        return []
    return [
        value
        for state in net.optimizer_.state.values()
        for value in state.values()
        if isinstance(value, torch.Tensor)
    ]


def _finite(parameters) -> bool:
    """Whether every value of the parameters is finite: one reduction over
    them all (the largest magnitude) and one read."""
    tensors = [p.detach() for p in parameters]
    largest = torch.nn.utils.get_total_norm(tensors, math.inf, foreach=True)
    return math.isfinite(largest.item())


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
        sink=print,
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
        raise KeyboardInterrupt  # skorch's way to end training

    def on_train_end(self, net, **kwargs):
        if (
            self.best_model_weights_ is not None
            and self.best_epoch_ != net.history[-1, "epoch"]
        ):
            net.module_.load_state_dict(self.best_model_weights_)
        # Loaded: a fitted model does not hold its weights twice.
        self.best_model_weights_ = None

    def _say(self, text, net):
        if self.sink is not print or net.verbose:
            self.sink(text)


# --------------------------------------------------------- what the user hears
def report_stop(net, held_out: bool) -> None:
    """What a diverged or interrupted training call tells the user.

    A diverged fit that holds nothing out raises scikit-learn's error; with
    early stopping (``held_out``), scikit-learn keeps the best weights: a
    ``ConvergenceWarning``. An interrupt warns, naming the epoch whose
    weights the model holds.
    """
    if net.diverged_at_ is None and net.interrupted_at_ is None:
        return
    callbacks = dict(net.callbacks_)
    stop = callbacks.get("stop_on_plateau")
    best = None if stop is None or not stop.load_best else stop.best_epoch_
    held = best if best is not None else callbacks["last_good_epoch"].epoch_
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
            stacklevel=5,
        )
    if net.interrupted_at_ is not None:
        warnings.warn(
            f"Training was interrupted (KeyboardInterrupt) during epoch "
            f"{net.interrupted_at_}. The model holds the weights of {which}; "
            "n_iter_ and loss_curve_ count the epochs that ended.",
            UserWarning,
            stacklevel=5,
        )


def lbfgs_stalled(net, dataset, *, tol: float, max_iter: int, max_fun: int) -> bool:
    """Whether L-BFGS stopped short of scipy's convergence tests, within
    ``max_iter`` and ``max_fun``: torch's also stops when its last step
    barely moved the weights, where scipy's line search fails (and
    scikit-learn warns). scipy's tests: the largest gradient value at most
    ``tol``, or a relative decrease of the loss at most its ``ftol``. Costs
    one more evaluation of the loss and its gradient, on ``dataset``."""
    state = lbfgs_state(net.optimizer_)
    if (
        net.diverged_at_ is not None
        or net.interrupted_at_ is not None
        or state.get("n_iter", 0) >= max_iter
        or state.get("func_evals", 0) >= max_fun
    ):
        return False  # reported otherwise
    net._zero_grad_optimizer()
    net.train_step_single(dataset[0 : len(dataset)])  # the final gradient
    gradients = [p.grad for p in net.module_.parameters() if p.grad is not None]
    if max(float(g.abs().max()) for g in gradients) <= tol:
        return False
    step, size = state.get("d"), state.get("t")
    tolerance = net.optimizer_.defaults["tolerance_change"]
    if step is not None and float((step * size).abs().max()) <= tolerance:
        return True  # the last step left the weights: a failed line search
    loss, previous = net.history[-1, "train_loss"], state.get("prev_loss")
    if previous is None:
        return True
    scale = max(abs(loss), abs(previous), 1.0)
    return abs(previous - loss) > _SCIPY_FTOL * scale


@functools.cache
def scipy_reason(limit: str) -> str:
    """scipy's own words for L-BFGS-B reaching ``limit`` ("maxiter" or
    "maxfun"), which its releases spell differently ("TOTAL NO. OF F,G
    EVALUATIONS", "TOTAL NO. of f AND g EVALUATIONS"): asked of this scipy
    once, on a two-variable problem stopped at its first step."""

    def loss(x):
        return float(x @ x + np.sin(x).sum()), 2 * x + np.cos(x)

    result = scipy.optimize.minimize(
        loss, np.full(2, 5.0), jac=True, method="L-BFGS-B", options={limit: 1}
    )
    return str(result.message)


def lbfgs_warning(
    n_iter: int, max_iter: int, evaluations: int, max_fun: int, stalled: bool
) -> str | None:
    """scikit-learn's L-BFGS warning, word for word, with scipy's reason; None
    when L-BFGS converged."""
    if n_iter >= max_iter:
        status, reason = 1, scipy_reason("maxiter")
    elif evaluations >= max_fun:
        status, reason = 1, scipy_reason("maxfun")
    elif stalled:
        status, reason = 2, "ABNORMAL: ROUNDING ERRORS PREVENT PROGRESS"
    else:
        return None
    message = (
        f"lbfgs failed to converge after {n_iter} iteration(s) "
        f"(status={status}):\n{reason}\n"
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
