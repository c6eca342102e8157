"""What a fit shows while it trains: scikit-learn's ``Iteration N, loss =
...`` lines (``verbose``) and a progress bar (``progress_bar``)."""

import math
import sys
import time

from skorch.callbacks import Callback
from tqdm.auto import tqdm


class SklearnLog(Callback):
    """Print scikit-learn's ``Iteration N, loss = ...`` lines."""

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        print(f"Iteration {row['epoch']}, loss = {row['train_loss']:.8f}")
        if "valid_score" in row:
            print(f"Validation score: {row['valid_score']:f}")


class EpochProgress(Callback):
    """``progress_bar=True``: a bar on stderr that advances once an epoch and
    shows the training loss and the validation score. Once an epoch has
    taken longer than ``batch_seconds``, a second bar follows the batches of
    the next ones. ``total`` is the number of epochs the fit may run.
    """

    def __init__(self, total=None, batch_seconds=2.0):
        self.total = total
        self.batch_seconds = batch_seconds

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
        row = net.history[-1]
        shown = {"loss": f"{row['train_loss']:.4g}"}
        if "valid_score" in row:
            shown["validation score"] = f"{row['valid_score']:.4g}"
        self.epochs_.set_postfix(shown, refresh=False)
        self.epochs_.update(1)
        self.slow_ = time.perf_counter() - self._started > self.batch_seconds

    def on_train_end(self, net, **kwargs):
        self._close_batches()
        if self.epochs_ is not None:
            self.epochs_.close()
            self.epochs_ = None

    def _close_batches(self):
        if self.batches_ is not None:
            self.batches_.close()
            self.batches_ = None
