"""What a fit shows while it trains: scikit-learn's ``Iteration N, loss =
...`` lines (``verbose``), a progress bar (``progress_bar``), and which
epoch's weights the model holds when training ends.

Lines and bars never overlap: while a bar is open, lines go through
``tqdm.write`` (:func:`say`), which clears the bar, prints the line and
draws the bar again below it.
"""

import math
import sys
import time

from skorch.callbacks import Callback
from tqdm.auto import tqdm


def say(text: str) -> None:
    """Print a line of the training log on stdout, above any open bar."""
    if not getattr(tqdm, "_instances", None):  # no bar open
        # print, not sys.stdout.write: libraries may replace the builtin
        # (Ray's tqdm_ray does, on a driver that shows progress bars).
        print(text)
        return
    tqdm.write(text, file=sys.stdout)
    sys.stdout.flush()  # before the bar, on unbuffered stderr, draws again


def held_epoch(net) -> int:
    """The epoch whose weights the model holds once training has ended (0:
    the initial weights): with early stopping, the best on the validation
    data; after a divergence or an interrupt, the last that ended well;
    else the last."""
    stop = net.stopper_
    if stop is not None and stop.load_best and stop.best_epoch_ is not None:
        return stop.best_epoch_
    diverged = getattr(net, "diverged_at_", None) is not None
    if diverged or getattr(net, "interrupted_at_", None) is not None:
        return net.last_good_.epoch_
    return net.history[-1, "epoch"] if len(net.history) else 0


class SklearnLog(Callback):
    """Print scikit-learn's ``Iteration N, loss = ...`` lines."""

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        say(f"Iteration {row['epoch']}, loss = {row['train_loss']:.8f}")
        if "valid_score" in row:
            say(f"Validation score: {row['valid_score']:f}")


class EpochProgress(Callback):
    """``progress_bar=True``: a bar on stderr that advances once an epoch and
    shows the training loss and the validation score (named
    ``score_name``: the estimator's early-stopping score). Once an epoch has
    taken longer than ``batch_seconds``, a second bar follows the batches of
    the next ones. ``total`` is the number of epochs the fit may run.

    When training ends before ``total`` (early stopping, a divergence, an
    interrupt), the bar says why; then, and whenever the model holds
    another epoch than the last (the best on held-out data), its last
    figures are those of that epoch, named ``kept epoch``.
    """

    def __init__(self, total=None, batch_seconds=2.0, score_name="score"):
        self.total = total
        self.batch_seconds = batch_seconds
        self.score_name = score_name

    def initialize(self):
        self.epochs_ = self.batches_ = None
        self.slow_ = False
        return self

    def on_train_begin(self, net, **kwargs):
        self.epochs_ = tqdm(total=self.total, unit="epoch", file=sys.stderr)

    def on_epoch_begin(self, net, dataset_train=None, **kwargs):
        self._started = time.perf_counter()
        if self.slow_ and dataset_train is not None:
            n_batches = math.ceil(len(dataset_train) / net.batch_size)
            self.batches_ = tqdm(
                total=n_batches, unit="batch", leave=False, file=sys.stderr
            )

    def on_batch_end(self, net, training=True, **kwargs):
        if training and self.batches_ is not None:
            self.batches_.update(1)

    def on_epoch_end(self, net, **kwargs):
        self._close_batches()
        self.epochs_.set_postfix(self._figures(net.history[-1]), refresh=False)
        self.epochs_.update(1)
        self.slow_ = time.perf_counter() - self._started > self.batch_seconds

    def on_train_end(self, net, **kwargs):
        self._close_batches()
        if self.epochs_ is None:
            return
        why = _why_it_ended(net)
        if why is not None:
            self.epochs_.set_description(why, refresh=False)
        last = net.history[-1, "epoch"] if len(net.history) else 0
        kept = held_epoch(net)
        if why is not None or kept != last:
            rows = [row for row in net.history if row["epoch"] == kept]
            figures = self._figures(rows[0]) if rows else {}
            shown = {"kept epoch": kept if kept else "initial weights", **figures}
            self.epochs_.set_postfix(shown, refresh=False)
        self.epochs_.close()
        self.epochs_ = None

    def _figures(self, row) -> dict:
        shown = {"loss": f"{row['train_loss']:.4g}"}
        if "valid_score" in row:
            shown[f"validation {self.score_name}"] = f"{row['valid_score']:.4g}"
        return shown

    def _close_batches(self):
        if self.batches_ is not None:
            self.batches_.close()
            self.batches_ = None


def _why_it_ended(net) -> str | None:
    """Why training ended before its last epoch, in a few words; None when
    it ran them all (or ended as L-BFGS converged)."""
    if getattr(net, "diverged_at_", None) is not None:
        return "diverged"
    if getattr(net, "interrupted_at_", None) is not None:
        return "interrupted"
    stop = net.stopper_
    if stop is not None and getattr(stop, "stopped_at_", None) is not None:
        return "early stopping"
    return None
