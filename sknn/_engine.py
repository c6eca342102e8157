"""The one training engine: a skorch ``NeuralNet`` plus the callbacks that give
it scikit-learn's MLP semantics.

Every estimator trains through :class:`TrainingNet`; what differs between
estimators (module, loss, target encoding) reaches it as arguments.
"""

import contextlib
import math

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EpochTimer, ParamMapper, PassthroughScoring
from skorch.history import History
from skorch.utils import TeeGenerator, to_numpy

from ._data import BatchLoader, chunk_rows
from ._device import forward_flops
from ._optim import LBFGS, BatchSteps, add_scaled_
from ._progress import EpochProgress
from ._stopping import LastGoodEpoch, StopOnPlateau, sigint_seen
from .modules._norm import batch_weights, weighted_norms

# skorch methods that TrainingNet overrides or calls and that skorch does not
# document: a release that renames one fails here, at import, by name.
_SKORCH_INTERNALS = ("_set_training", "_zero_grad_optimizer", "_step_optimizer")
if missing := [name for name in _SKORCH_INTERNALS if not hasattr(NeuralNet, name)]:
    raise ImportError(
        f"sknn's engine uses skorch's NeuralNet.{', '.join(missing)}, which this "
        "skorch does not have. Install a skorch release that sknn supports (see "
        "its pyproject.toml)."
    )


def penalized(parameter: torch.Tensor) -> bool:
    """Whether the L2 penalty ``alpha`` (and AdamW's decay) applies to a
    parameter: to the weights of dense, convolution and recurrent layers and
    to embeddings (2 or more dimensions), not to biases or normalisation
    scales and shifts (1 dimension), as scikit-learn penalises ``coefs_`` and
    not ``intercepts_``."""
    return parameter.ndim > 1


def default_callbacks() -> list:
    """The callbacks every net has, before the estimator's: skorch's, but no
    PrintLog and no valid_loss (the estimator prints scikit-learn's lines
    itself, and validation is scored by ValidationScore)."""
    return [
        ("epoch_timer", EpochTimer()),
        ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
    ]


class TrainingNet(NeuralNet):
    """skorch ``NeuralNet`` fed with whole-tensor batches and sample weights.

    Batches come from :class:`~sknn._data.BatchLoader`: ``(X, y)``, or
    ``({"X": X, "sample_weight": w}, y)`` with sample weights.
    The loss is the weighted mean of the per-sample losses plus scikit-learn's
    L2 penalty ``0.5 * alpha * ||W||^2 / n`` on the weights (see
    :func:`penalized`), where ``n`` is the (weighted) size of
    the batch. As in scikit-learn, the penalty's gradient ``alpha * W / n`` is
    added to the weights' gradients directly after the backward pass (one
    foreach kernel) rather than differentiated through autograd, which cost a
    dozen more small kernels each way per step: with the default alpha,
    benchmark case b's network (batches of 32) trained 1.43x as long as with
    alpha=0, and now 1.14x. L-BFGS (:class:`~sknn._optim.LBFGS`) takes the
    penalty and its gradient on the flat vector it minimises over instead.

    Epochs that no callback follows batch by batch run each batch through
    :meth:`minimal_step`, the same operations without skorch's per-batch call
    chain; epochs with such a callback take skorch's path, with every
    notification.

    In a distributed fit (:meth:`spread_over`), the module trains inside a
    ``DistributedDataParallel`` on each process's share of every global
    batch, as :mod:`sknn._distributed` describes.

    Parameters (beyond skorch's)
    ----------------------------
    alpha : float
        L2 penalty strength, as scikit-learn scales it. Use 0 when the
        optimizer decays weights itself (AdamW).
    decode : callable
        Raw module output -> encoded prediction, used by :meth:`predict`.
    clip_grad_norm : float or None
        Rescale the gradients of each step to at most this total L2 norm.
    """

    # The process group and the module's DistributedDataParallel while a
    # distributed fit trains (see spread_over); None otherwise.
    _group = None
    _data_parallel = None

    def __init__(self, *args, alpha=0.0, decode=None, clip_grad_norm=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.alpha = alpha
        self.decode = decode
        self.clip_grad_norm = clip_grad_norm

    @contextlib.contextmanager
    def spread_over(self, group, device):
        """Within the block, train across the processes of ``group`` (a
        :class:`~sknn._distributed.ProcessGroup`): each takes its share of
        every batch, and the gradients are averaged by a
        ``DistributedDataParallel`` around the module (built now: it
        broadcasts rank 0's weights). ``module_`` stays the plain module."""
        self._group = group
        # Not through skorch's __setattr__, which takes a module attribute
        # for one of the net's own, to be registered and saved with it: this
        # wrapper shares module_'s parameters and lives for the block only.
        vars(self)["_data_parallel"] = group.wrap(self.module_, device)
        try:
            yield
            with torch.no_grad():
                group.broadcast_buffers(self.module_)
        finally:
            vars(self).pop("_group", None)
            vars(self).pop("_data_parallel", None)

    def get_iterator(self, dataset, training=False):
        loader = super().get_iterator(dataset, training=training)
        if training and self._group is not None:
            loader.group = self._group
        return loader

    @property
    def _default_callbacks(self):
        return default_callbacks()

    def initialize_callbacks(self):
        super().initialize_callbacks()
        # The engine's own callbacks, held by reference by what reads their
        # state (the epoch the model holds, the bar's total, whether data is
        # held out); None where this fit has none.
        own = {type(callback): callback for _, callback in self.callbacks_}
        self.stopper_ = own.get(StopOnPlateau)
        self.last_good_ = own.get(LastGoodEpoch)
        self.progress_bar_ = own.get(EpochProgress)
        self.validation_ = own.get(ValidationScore)
        # Whether any callback acts on single batches; if none does, epochs
        # run without per-batch notifications (see run_single_epoch).
        self.batch_hooks_ = any(
            getattr(type(callback), hook) is not getattr(Callback, hook)
            for _, callback in self.callbacks_
            for hook in ("on_batch_begin", "on_batch_end", "on_grad_computed")
        )
        return self

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if training and iterator is not None:
            self._check_trainable()
        if iterator is None or self.batch_hooks_ or not training or fit_params:
            super().run_single_epoch(iterator, training, prefix, step_fn, **fit_params)
            if iterator is not None and training and self._group is not None:
                self._sum_over_processes(prefix)
            return
        # No callback looks at single batches: each batch takes the minimal
        # step (see minimal_step); the weights and the history are those of
        # skorch's path. On the CPU each loss is read at once: small tensors
        # kept alive between the batches' large ones fragment the heap (a
        # 100,000-row epoch peaked 20 MB higher). On a GPU each read waits
        # for the device: the losses are read once per epoch, stacked a few
        # hundred at a time.
        self._set_training(True)
        params = [p for group in self.optimizer_.param_groups for p in group["params"]]
        at_once = reads_at_once(params[0].device)
        step_optimizer = BatchSteps(self.optimizer_)
        values, losses, sizes = [], [], []
        try:
            for batch in iterator:
                loss = self.minimal_step(batch, params, step_optimizer)
                sizes.append(len(batch[1]))
                if at_once:
                    values.append(loss.item())
                    continue
                losses.append(loss)
                if len(losses) == 256:
                    values += torch.stack(losses).tolist()
                    losses = []
        finally:
            step_optimizer.close()
        if losses:
            values += torch.stack(losses).tolist()
        loss_key, size_key = prefix + "_loss", prefix + "_batch_size"
        if type(self.history) is History:  # its rows are plain dicts
            self.history[-1]["batches"].extend(
                {loss_key: loss, size_key: size}
                for loss, size in zip(values, sizes, strict=True)
            )
        else:  # e.g. skorch's DistributedHistory: through its interface
            for loss, size in zip(values, sizes, strict=True):
                self.history.new_batch()
                self.history.record_batch(loss_key, loss)
                self.history.record_batch(size_key, size)
        self.history.record(prefix + "_batch_count", len(values))
        if self._group is not None:
            self._sum_over_processes(prefix)

    def _check_trainable(self) -> None:
        """Before a training epoch (after the callbacks' ``on_epoch_begin``):
        a clear error if no parameter is left to train (skorch's ``Freezer``
        given every parameter), rather than torch's at the backward pass."""
        params = [p for group in self.optimizer_.param_groups for p in group["params"]]
        if any(p.requires_grad for p in params):
            return
        freezers = [
            name
            for name, callback in self.callbacks_
            if isinstance(callback, ParamMapper)
        ]
        by = f"the callbacks {freezers}" if freezers else "a callback"
        names = [name for name, _ in self.module_.named_parameters()]
        shown = f"{names}" if len(names) <= 6 else f"{names[:6]} and more"
        raise ValueError(
            f"No parameter is left to train at epoch {self.history[-1]['epoch']}: "
            f"{by} froze every one (requires_grad=False). Freeze only some: "
            f"the network's parameters are {shown} (skorch's Freezer takes "
            "patterns of these names)."
        )

    def _sum_over_processes(self, prefix) -> None:
        """In a distributed fit, after an epoch: each batch's loss and size
        in the history become the whole batch's, summed over the processes
        in one collective, so that every process records (and stops on) the
        same values. A process's loss is its share of the batch's mean loss
        times the number of processes (see :meth:`get_loss`), plus the
        penalty: the sum, divided by that number, is the batch's loss."""
        loss_key, size_key = prefix + "_loss", prefix + "_batch_size"
        batches = self.history[-1]["batches"]
        values = torch.tensor(
            [[batch[loss_key], batch[size_key]] for batch in batches],
            dtype=torch.float64,
        )
        totals = self._group.sum(values).tolist()
        for batch, (loss, size) in zip(batches, totals, strict=True):
            batch[loss_key] = loss / self._group.size
            batch[size_key] = round(size)

    def minimal_step(self, batch, params, step_optimizer) -> torch.Tensor:
        """One training step on ``batch`` without skorch's per-batch call
        chain, for epochs that no callback follows batch by batch: the same
        operations in the same order as :meth:`train_step` (zero the
        gradients, forward, loss, backward, penalty gradient, clipping,
        optimizer step), hence the same weights, bit for bit. ``params`` are
        the optimizer's parameters; ``step_optimizer()`` steps it (see
        :class:`~sknn._optim.BatchSteps`). Returns the detached loss."""
        X, y = batch
        if self._lbfgs:

            def closure():
                for param in params:
                    param.grad = None
                return self._whole_loss(self._loss_and_gradients(X, y).detach())

            return self.optimizer_.step(closure, **self._lbfgs_penalty(X, y))
        for param in params:
            param.grad = None
        loss = self._loss_and_gradients(X, y)
        step_optimizer()
        return loss.detach()

    def _loss_and_gradients(self, X, y) -> torch.Tensor:
        """Forward, loss, backward, then :meth:`_finish_gradients`."""
        loss = self.get_loss(self.infer(X), y, X=X, training=True)
        loss.backward()
        self._finish_gradients(X, y)
        return loss

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        # Callbacks end training by raising KeyboardInterrupt (skorch's
        # convention, which sknn's stopping rules follow), and skorch swallows
        # it; a Ctrl-C raises it too. Tell them apart, and after a Ctrl-C
        # return to the last finished epoch (LastGoodEpoch).
        self.diverged_at_ = self.interrupted_at_ = None
        with sigint_seen() as interrupted:
            try:
                return super().fit_loop(X, y, epochs=epochs, **fit_params)
            except KeyboardInterrupt:
                if interrupted():
                    self.interrupted_at_ = len(self.history)
                    if self.last_good_ is not None:
                        self.last_good_.roll_back(self)
                raise

    def _set_training(self, training=True):
        # skorch switches every module's mode before every batch; walking the
        # module tree costs more than a small network's step, so switch only
        # when the mode changes.
        if self.module_.training != training:
            super()._set_training(training)

    def _whole_loss(self, loss: torch.Tensor) -> torch.Tensor:
        """L-BFGS's loss: in a distributed fit, the whole data's, summed over
        the processes at each evaluation (scipy's line search compares them);
        else ``loss``."""
        if self._group is None:
            return loss
        return self._group.sum(loss) / self._group.size

    def infer(self, x, **fit_params):
        module = self.module_
        if self._data_parallel is not None and module.training:
            module = self._data_parallel  # a distributed fit's training pass
        if isinstance(x, dict):
            # Batch statistics weigh the samples as the loss does.
            with batch_weights(self._weighted_norms(), x.get("sample_weight")):
                return module(x["X"], **fit_params)
        return module(x, **fit_params)

    def predict(self, X):
        """Encoded predictions (class indices, or regression values), so that
        skorch scoring callbacks such as ``EpochScoring("accuracy")`` work."""
        return np.concatenate(
            [to_numpy(self.decode(raw)) for raw in self.forward_iter(X)]
        )

    def get_loss(self, y_pred, y_true, X=None, training=False):
        n = _batch_weight(X, y_true)
        if isinstance(X, dict):  # sample weights, or a share of a batch
            losses = self.criterion_(y_pred, y_true, reduction="none")  # (N,)
            if "sample_weight" in X:
                losses = losses * X["sample_weight"]
            loss = losses.sum() / n
            if training and self._group is not None:
                # DistributedDataParallel averages the processes' gradients:
                # their sum is the whole batch's.
                loss = loss * self._group.size
        else:
            loss = self.criterion_(y_pred, y_true, reduction="mean")
        if self.alpha and not self._lbfgs:
            # The penalty's value only: train_step_single adds its gradient.
            # (L-BFGS adds both to the flat vector it minimises over.)
            with torch.no_grad():
                weights = self._penalized_weights()
                flat = torch.cat([w.reshape(-1) for w in weights])
                squares = torch.dot(flat, flat)  # sum of ||W||^2, in 2 kernels
            scale = 0.5 * self.alpha / n
            if isinstance(scale, torch.Tensor):  # weighted: no device sync
                loss = loss + squares * scale
            else:
                loss = torch.add(loss, squares, alpha=scale)
        return loss

    def get_params_for_optimizer(self, prefix, named_parameters):
        args, kwargs = super().get_params_for_optimizer(prefix, named_parameters)
        if kwargs.get("weight_decay"):
            # AdamW's decoupled decay applies to what the L2 penalty covers.
            groups = []
            for group in args[0]:
                params = group["params"]
                groups.append({**group, "params": [p for p in params if penalized(p)]})
                rest = [p for p in params if not penalized(p)]
                groups.append({**group, "params": rest, "weight_decay": 0.0})
            args = ([group for group in groups if group["params"]], *args[1:])
        return args, kwargs

    def initialize_optimizer(self, *args, **kwargs):
        super().initialize_optimizer(*args, **kwargs)
        # The parameters are final now (built, on their device): list the
        # penalised ones once rather than walking the module at every step.
        self._penalized = None
        self._norms = None
        return self

    def step_flops(self, dataset, batch_size: int) -> float:
        """Floating-point operations of a training step on ``batch_size``
        rows of ``dataset``: forward and backward, the backward counted as
        twice the forward. Counted once per net on a forward pass of a few
        rows (infinite where torch cannot count them)."""
        if getattr(self, "_flops_per_sample", None) is None:
            n_rows = min(8, len(dataset))
            X, _ = dataset[0:n_rows]
            module = self.module_
            training = module.training
            module.eval()  # no batch statistics updated, no dropout drawn
            try:
                flops = forward_flops(module, self.infer, X, n_rows)
            finally:
                module.train(training)
            self._flops_per_sample = math.inf if flops is None else flops
        return 3 * self._flops_per_sample * batch_size

    def first_parameter(self) -> torch.Tensor:
        """The module's first parameter, whose dtype and device are the
        module's: found once per module rather than at every predict."""
        found = getattr(self, "_first_parameter", None)
        if found is None or found[0] is not self.module_:
            found = self._first_parameter = (
                self.module_,
                next(self.module_.parameters()),
            )
        return found[1]

    def _penalized_weights(self) -> list:
        """The parameters the L2 penalty applies to (see :func:`penalized`)."""
        if getattr(self, "_penalized", None) is None:
            self._penalized = [p for p in self.module_.parameters() if penalized(p)]
        return self._penalized

    def _weighted_norms(self) -> list:
        """The layers whose batch statistics take the sample weights (see
        :func:`~sknn.modules._norm.batch_weights`), listed once per net."""
        if getattr(self, "_norms", None) is None:
            self._norms = weighted_norms(self.module_)
        return self._norms

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_penalized", None)  # listed again from module_ when needed
        state.pop("_norms", None)
        state.pop("_flops_per_sample", None)  # counted again when needed
        state.pop("_first_parameter", None)
        state.pop("_group", None)  # set only while a distributed fit trains
        state.pop("_data_parallel", None)
        return state

    def train_step_single(self, batch, **fit_params):
        step = super().train_step_single(batch, **fit_params)
        self._finish_gradients(*batch)
        return step

    def _finish_gradients(self, X, y) -> None:
        """After the backward pass: add the L2 penalty's gradient, as
        scikit-learn does, and clip the gradients' norm."""
        if self.alpha and not self._lbfgs:
            # d(0.5 * alpha * ||W||^2 / n) / dW, added as scikit-learn does.
            weights = [w for w in self._penalized_weights() if w.grad is not None]
            grads = [w.grad for w in weights]
            with torch.no_grad():  # the gradients are values, not a graph
                add_scaled_(grads, weights, self.alpha / _batch_weight(X, y))
        if self.clip_grad_norm is not None:
            torch.nn.utils.clip_grad_norm_(
                self.module_.parameters(), self.clip_grad_norm, foreach=True
            )

    def train_step(self, batch, **fit_params):
        if not self._lbfgs:
            self._zero_grad_optimizer(set_to_none=True)
            step = self.train_step_single(batch, **fit_params)
            if self.batch_hooks_:
                self.notify(
                    "on_grad_computed",
                    named_parameters=TeeGenerator(self.get_all_learnable_params()),
                    batch=batch,
                    training=True,
                )
            self._step_optimizer(None)
            return step

        # L-BFGS evaluates the closure many times in its one step; report
        # the loss at its solution, and the outputs of its last evaluation.
        steps = []

        def closure():
            self._zero_grad_optimizer()
            steps.append(self.train_step_single(batch, **fit_params))
            return self._whole_loss(steps[-1]["loss"].detach())

        Xi, yi = batch
        loss = self.optimizer_.step(closure, **self._lbfgs_penalty(Xi, yi))
        return {"loss": loss, "y_pred": steps[-1]["y_pred"]}

    @property
    def _lbfgs(self) -> bool:
        return isinstance(getattr(self, "optimizer_", None), LBFGS)

    def _lbfgs_penalty(self, X, y) -> dict:
        """L-BFGS's penalty arguments: the L2 penalty ``0.5 * alpha * ||W||^2
        / n`` and its gradient are computed on the flat float64 vector L-BFGS
        minimises over, in NumPy: in torch, they cost a fifth of an
        evaluation of a small network."""
        params = [p for group in self.optimizer_.param_groups for p in group["params"]]
        return {
            "penalty": self.alpha / float(_batch_weight(X, y)),
            "penalized": [penalized(p) for p in params],
        }


def reads_at_once(device: torch.device) -> bool:
    """Whether the training loop reads each batch's loss as it comes (on the
    CPU, where a read waits for nothing) rather than once per epoch."""
    return device.type == "cpu"


def _batch_weight(X, y):
    """The (weighted) number of samples of a batch: scikit-learn's ``n``; in
    a distributed fit, of the whole batch that ``X`` is a share of."""
    if not isinstance(X, dict):
        return len(y)
    if "batch_weight" in X:
        return X["batch_weight"][0]
    return X["sample_weight"].sum()


class ValidationScore(Callback):
    """Score the held-out data after each epoch and record it as ``valid_score``.

    Parameters
    ----------
    dataset : ArrayDataset
        The validation data.
    score : callable
        ``score(raw_output, y, sample_weight) -> float``, higher is better.
    """

    def __init__(self, dataset, score):
        self.dataset = dataset
        self.score = score

    def on_epoch_end(self, net, **kwargs):
        net.module_.eval()
        with torch.inference_mode():
            rows = chunk_rows(self.dataset.X, 4096)
            outputs = [net.infer(X) for X, _ in BatchLoader(self.dataset, rows)]
        if isinstance(outputs[0], tuple):  # (reconstruction, kl) of a VAE
            raw = tuple(torch.cat(parts) for parts in zip(*outputs, strict=True))
        else:
            raw = torch.cat(outputs)
        y, weight = self.dataset.y, self.dataset.sample_weight
        score = self.score(raw, y, weight)
        if net._group is not None:
            # Each process scored the same weights on the same data: the
            # mean makes the stopping decisions one, bit for bit.
            score = net._group.mean(score)
        net.history.record("valid_score", score)


class InvScalingLR(Callback):
    """scikit-learn's ``learning_rate="invscaling"``.

    After each epoch the learning rate becomes ``lr_init / (t + 1) ** power_t``,
    where ``t`` is the number of samples seen so far (scikit-learn's ``t_``).
    """

    def __init__(self, lr_init, power_t, samples_before=0):
        self.lr_init = lr_init
        self.power_t = power_t
        self.samples_before = samples_before

    def initialize(self):
        self.samples_seen_ = self.samples_before
        return self

    def on_epoch_end(self, net, **kwargs):
        self.samples_seen_ += sum(net.history[-1, "batches", :, "train_batch_size"])
        lr = self.lr_init / (self.samples_seen_ + 1) ** self.power_t
        for group in net.optimizer_.param_groups:
            group["lr"] = lr


def make_loader_kwargs(batch_size: int, shuffle: bool) -> dict:
    """skorch arguments that feed the net with :class:`BatchLoader` batches."""
    return {
        "batch_size": batch_size,
        "iterator_train": BatchLoader,
        "iterator_train__shuffle": shuffle,
        "iterator_valid": BatchLoader,
        "train_split": None,
    }


def history_column(history, key) -> list:
    """``history[:, key]`` over the epochs that recorded ``key``."""
    return [float(row[key]) for row in history if key in row]


def samples_seen(history) -> int:
    """Number of training samples processed over the whole history."""
    return int(
        np.sum([b["train_batch_size"] for row in history for b in row["batches"]])
    )
