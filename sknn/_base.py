"""How every sknn estimator trains: parameters, data, seeding, device, the net.

:class:`BaseNeuralEstimator` validates and converts the data through its kind
of input (``sknn/_inputs.py``), builds the module and trains it with the one
shared engine (:class:`sknn._engine.TrainingNet`, a skorch ``NeuralNet``).
``_fit`` reads as its stages: prepare the data, choose the batch size, build
or reuse the net, train, record.

The override points, all of them:

- ``_input_type`` (class attribute): the kind of input, an
  :class:`~sknn._inputs.InputKind` subclass (table rows by default);
- ``_build_module()``: the ``torch.nn.Module`` for the sizes found in the data;
- ``_criterion()``: the loss, ``loss(raw, y, reduction)`` (see ``_losses.py``);
- ``_targets(X, y, reset, classes)``: training targets as the loss expects
  them (labels encoded, values checked, or the samples themselves);
- ``_y_kwargs()``: ``validate_data`` arguments for y;
- ``_target_dtype(dtype)``: the tensor dtype of the targets;
- ``_sample_weight(sample_weight, X, y)``: per-sample weights (class weights);
- ``_early_stopping(n_samples)``: whether a fit holds data out to stop on;
- ``_stratify_labels(y)``: the labels the held-out split is stratified by;
- ``_validation_score(raw, y, sample_weight)``: the early-stopping score;
- ``_decoder()``: raw outputs -> encoded predictions;
- ``_net_kwargs()``: extra :class:`~sknn._engine.TrainingNet` arguments;
- ``_check_params()``: checks of parameters that constraints cannot express;
- ``_predict_chunk_size`` (class attribute): rows per forward pass in
  ``predict``, which bounds the memory of activations.

Classification, regression and autoencoders fill in the targets, losses and
scores (``_supervised.py``, ``autoencoder.py``); an architecture adds its
parameters, its module and its kind of input.
"""

import contextlib
import math
import warnings

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_array, check_random_state, get_tags
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    check_X_y,
    validate_data,
)
from torch import nn

from ._callbacks import check_callback_names, fresh_callbacks, user_callbacks
from ._data import ArrayDataset, all_finite, chunk_rows, to_tensor
from ._device import (
    FUSED_OPTIMIZER_DEVICES,
    intra_op_threads,
    private_rng,
    resolve_device,
    training_threads,
)
from ._distributed import ProcessGroup, local_device, rank_0
from ._engine import (
    InvScalingLR,
    TrainingNet,
    ValidationScore,
    make_loader_kwargs,
)
from ._fitted import FittedAttributes
from ._inputs import InputKind, Rows
from ._optim import SOLVERS, lbfgs_state
from ._params import (
    LAYER_SIZE,
    TRAINING_CONSTRAINTS,
    Renamed,
    positive_ints,
    resolve_renamed,
)
from ._progress import EpochProgress, SklearnLog
from ._saving import SavedNet
from ._sklearn import check_sample_weight, check_y
from ._stopping import (
    NON_FINITE,
    LastGoodEpoch,
    StopOnPlateau,
    lbfgs_warning,
    report_stop,
)
from ._validation import float_overflow
from ._warnings import user_stacklevel

# Layers that normalise with the statistics of the batch: they need batches
# of at least 2 samples.
_BATCH_STATISTICS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)


def _densified(X):
    """A chunk of rows as a dense array (sparse rows densified)."""
    return X.toarray() if sp.issparse(X) else X


class BaseNeuralEstimator(FittedAttributes, SavedNet, BaseEstimator):
    """Base class of the sknn estimators: the shared training machinery.

    Not meant to be used directly. Each estimator's ``__init__`` takes the
    training parameters (``TRAINING_CONSTRAINTS``, with scikit-learn's MLP
    defaults, documented by ``_docs.TRAINING_PARAMETERS``) and its own, and
    stores them all with :func:`~sknn._params.store_parameters`.
    """

    _parameter_constraints: dict = dict(TRAINING_CONSTRAINTS)

    # ------------------------------------------------------------------ hooks
    _input_type = Rows

    # Rows per forward pass in predict: bounds the memory of activations.
    _predict_chunk_size = 16384

    # Parameters renamed (``sknn._params.Renamed``): the old names keep
    # working, with a FutureWarning, for a deprecation cycle.
    _renamed: tuple[Renamed, ...] = ()

    def _build_module(self) -> torch.nn.Module:
        """The module for the sizes found in the data (``n_features_in_``...)."""
        raise NotImplementedError

    def _criterion(self) -> torch.nn.Module:
        """The loss module, ``loss(raw, y, reduction="none" | "mean")``."""
        raise NotImplementedError

    def _targets(self, X, y, *, reset: bool, classes=None) -> np.ndarray:
        """Training targets as the loss expects them, from validated (and
        converted) X and y; sets ``n_outputs_`` when ``reset``."""
        raise NotImplementedError

    def _y_kwargs(self) -> dict:
        """``validate_data`` arguments for y (none: X is validated alone)."""
        return {}

    def _validation_score(self, raw, y, sample_weight) -> float:
        """Score (higher is better) of raw outputs on held-out targets."""
        raise NotImplementedError

    #: The name of ``_validation_score``, as the progress bar shows it.
    _validation_score_name = "score"

    def _decoder(self):
        """Picklable callable: raw outputs -> encoded predictions."""
        raise NotImplementedError

    def _net_kwargs(self) -> dict:
        """Extra :class:`~sknn._engine.TrainingNet` arguments."""
        return {}

    def _target_dtype(self, dtype: torch.dtype) -> torch.dtype:
        """dtype of the encoded targets as tensors, given the compute dtype."""
        return dtype

    def _check_params(self) -> None:
        """Checks of parameter values that constraints cannot express: the
        values inside every layer-sizes parameter; renamed parameters and
        values (a FutureWarning each)."""
        for name, constraints in self._parameter_constraints.items():
            value = getattr(self, name)
            if value is not None and any(c is LAYER_SIZE for c in constraints):
                positive_ints(name, value)
        resolve_renamed(self, self._renamed, warning=True)

    def _param(self, name: str):
        """Parameter ``name`` as the network is built with it: under its
        current name and spelling where the user gave a deprecated one."""
        values = resolve_renamed(self, self._renamed, warning=False)
        return values[name] if name in values else getattr(self, name)

    def _sample_weight(self, sample_weight, X, y):
        """Per-sample weights for the loss, or None when all samples weigh 1."""
        if sample_weight is None:
            return None
        return check_sample_weight(sample_weight, X, dtype=np.float64)

    def _stratify_labels(self, y) -> np.ndarray | None:
        """The labels (as the user gave them) the held-out split of early
        stopping is stratified by, or None: not stratified."""
        return None

    def _has_stochastic_solver(self) -> bool:
        """Whether ``partial_fit`` exists (``available_if``): it asks
        :meth:`_partial_fit_available`, which estimators may extend."""
        return self._partial_fit_available()

    def _partial_fit_available(self) -> bool:
        # As scikit-learn's MLPs: with L-BFGS there is no partial_fit at all.
        if self.solver == "lbfgs":
            raise AttributeError(
                "partial_fit is only available with a stochastic solver ('adam', "
                "'adamw' or 'sgd'), not with solver='lbfgs'."
            )
        return True

    def _early_stopping(self, n_samples: int) -> bool:
        """Whether a fit on ``n_samples`` holds out data to stop on."""
        return bool(self.early_stopping)

    def _check_partial_fit(self):
        if self.early_stopping:
            raise ValueError(
                "partial_fit does not support early_stopping=True: there is no "
                "held-out data to stop on. Set early_stopping=False."
            )

    # ------------------------------------------------------------- training
    @property
    def _stochastic(self) -> bool:
        return self.solver != "lbfgs"

    def _fit(self, X, y, sample_weight=None, *, incremental=False, classes=None):
        """Train, from scratch or (``partial_fit``, ``warm_start``) on."""
        continuing = hasattr(self, "net_") and (incremental or self.warm_start)
        self._check_params()
        group = ProcessGroup.current(self) if self.distributed else None
        X, y, weight = self._prepare_data(
            X, y, sample_weight, reset=not continuing, classes=classes
        )
        device = resolve_device(local_device(self.device) if group else self.device)
        dtype = self._compute_dtype(X, device, continuing)
        if not continuing:
            self._seed = check_random_state(self.random_state).randint(2**31 - 1)
            if group is not None:  # one model: rank 0's seed
                self._seed = group.broadcast_seed(self._seed)
        held_out = self._early_stopping(len(y)) and self._stochastic and not incremental
        train, valid = self._datasets(X, y, weight, device, dtype, held_out)
        batch_size = self._batch_size(len(train))
        processes = 1 if group is None else group.size
        self._check_shares(batch_size, processes)

        state = self._rng_state if continuing else None
        # In a distributed fit, each process draws its own dropout; the
        # initial weights and the order of the rows are rank 0's.
        seed = self._seed if group is None else self._seed + group.rank
        previous = getattr(self, "net_", None)
        with private_rng(device, seed, state) as rng_state:
            net = self._prepare_net(
                batch_size, device, dtype, valid, continuing, incremental
            )
            self._check_batch_statistics(
                net.module_, batch_size // processes, len(train), processes
            )
            self.net_ = net
            epochs_before = len(net.history)
            self._train(net, train, batch_size, device, incremental, group)
            if net.interrupted_at_ is not None and len(net.history) == epochs_before:
                # Interrupted before an epoch ended: nothing to keep.
                self._abandon(previous if continuing else None)
                raise KeyboardInterrupt
            self._rng_state = rng_state()
        self._record(net, epochs_before, incremental)
        report_stop(net, held_out=valid is not None)
        self._check_finite_weights()
        return self

    def _abandon(self, previous) -> None:
        """After an interrupted call: back to the fitted net of before (it was
        rolled back to where the call started), or unfitted."""
        if previous is None:
            del self.net_
        else:
            self.net_ = previous

    def _check_finite_weights(self) -> None:
        """scikit-learn's error, word for word, when training has left
        non-finite weights (or normalisation statistics)."""
        values = self.module_.state_dict().values()
        if not all_finite([v for v in values if v.is_floating_point()]):
            raise ValueError(NON_FINITE)

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
        """float64 for float64 input on the CPU, as scikit-learn; else float32.

        Accelerators compute in float32 (MPS has no float64, and GPUs run it
        far slower). A fitted module keeps its dtype across warm starts.
        """
        if continuing:
            return next(self.module_.parameters()).dtype
        if X.dtype == np.float64 and device.type == "cpu":
            return torch.float64
        return torch.float32

    def _datasets(self, X, y, weight, device, dtype, held_out):
        """The training data, and the held-out data for early stopping (or
        None), as tensors on ``device``."""
        if not held_out:
            return self._make_dataset(X, y, weight, device, dtype), None
        n_samples = len(y)
        n_valid = math.ceil(self.validation_fraction * n_samples)  # as the split
        if n_valid < n_samples:
            # The split of indices, not of X: the training part keeps X where
            # it lies (a memmap larger than memory) and names its rows. First,
            # as in scikit-learn's MLP: its errors (a class too rare to
            # stratify, fewer held-out rows than classes) name the classes.
            train_rows, valid_rows = train_test_split(
                np.arange(n_samples),
                test_size=self.validation_fraction,
                random_state=np.random.RandomState(self._seed),
                stratify=self._stratify_labels(y),
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

    def _make_dataset(self, X, y, weight, device, dtype, rows=None):
        """An :class:`~sknn._data.ArrayDataset` on ``device``; ``rows``: the
        rows of ``X`` it holds (None: all), to which ``y`` and ``weight``
        already correspond."""
        if not sp.issparse(X):
            X = to_tensor(X, self._input.dtype(dtype), device)
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

    def _batch_size(self, n_samples: int) -> int:
        """scikit-learn's batch size: all samples for L-BFGS, ``"auto"`` is
        ``min(200, n_samples)``, larger sizes are clipped with a warning."""
        if self.solver == "lbfgs":
            return n_samples
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                "Got `batch_size` larger than sample size. It is going to be clipped.",
                stacklevel=user_stacklevel(),
            )
        return min(self.batch_size, n_samples)

    def _check_shares(self, batch_size: int, processes: int) -> None:
        """A distributed fit splits each batch across the processes: each
        needs a row of it."""
        if batch_size < processes:
            raise ValueError(
                f"distributed=True splits each batch across the {processes} "
                f"processes, but the batches hold {batch_size} sample(s) "
                f"(batch_size={self.batch_size!r}): fewer than one per process. "
                f"Use a batch_size of at least {processes}, or more samples."
            )

    def _check_batch_statistics(
        self, module, batch_size, n_samples, processes: int = 1
    ) -> None:
        """``batch_size``: the rows each process normalises at a time."""
        if batch_size < 2 and any(
            isinstance(layer, _BATCH_STATISTICS) for layer in module.modules()
        ):
            split = "" if processes == 1 else f" per process ({processes} processes)"
            raise ValueError(
                "normalization='batch' needs batches of at least 2 samples to "
                f"normalise, but the data gives batches of {batch_size} "
                f"sample(s){split} (batch_size={self.batch_size!r}, {n_samples} "
                "training samples). Use more samples, a larger batch_size, or "
                "normalization='layer' (each sample on its own) or None."
            )

    def _prepare_net(self, batch_size, device, dtype, valid, continuing, incremental):
        """A new net (fresh fit, warm start), or the fitted one (partial_fit)."""
        if continuing and incremental:
            net = self.net_
            if net.validation_ is not None:
                # partial_fit after fit(early_stopping=True): keep the
                # optimizer state, drop the held-out scoring.
                net.callbacks = self._make_callbacks(None, self.t_)
                net.initialize_callbacks()
            return net
        module = self.module_ if continuing else self._build_module()
        seen = self.t_ if continuing else 0
        net = self._make_net(module, batch_size, device, dtype, valid, seen)
        # What the net is built from: a saved model rebuilds it alike.
        self._net_params = self.get_params(deep=False)
        net.initialize()
        if continuing:
            # warm_start: the learning curve goes on where it stopped.
            net.history_ = self.net_.history_
        return net

    def _train(self, net, dataset, batch_size, device, incremental, group) -> None:
        """Epochs over ``dataset``: one (partial_fit, L-BFGS's single call)
        or up to ``max_iter``; across the processes of ``group`` (a
        distributed fit), or in this one (None)."""
        epochs = 1 if (incremental or not self._stochastic) else self.max_iter
        if net.progress_bar_ is not None:
            net.progress_bar_.total = epochs
        threads = None
        if device.type == "cpu":
            threads = training_threads(lambda: net.step_flops(dataset, batch_size))
        spread = contextlib.nullcontext()
        if group is not None:
            spread = net.spread_over(group, device)
        with intra_op_threads(threads), spread:
            net.partial_fit(dataset, None, epochs=epochs)

    def _record(self, net, epochs_before, incremental) -> None:
        """``n_iter_`` as scikit-learn counts it, and its convergence warning.

        As scikit-learn: epochs (L-BFGS: iterations) of this call only, while
        ``loss_curve_`` and ``t_`` go on across warm starts and partial_fit.
        """
        if self._stochastic:
            self.n_iter_ = len(net.history) - epochs_before
        else:
            self.n_iter_ = min(
                lbfgs_state(net.optimizer_).get("n_iter", 0), self.max_iter
            )
        if not incremental:
            self._warn_if_not_converged()

    def _optimizer_options(self) -> tuple[float, float, dict]:
        """(learning rate, L2 penalty for the loss, optimizer keyword arguments)."""
        if self.solver == "lbfgs":
            return (
                1.0,
                self.alpha,
                {
                    "max_iter": self.max_iter,
                    "max_eval": self.max_fun,
                    "tolerance_grad": self.tol,
                    "history_size": 10,
                },
            )
        if self.solver == "sgd":
            nesterov = self.nesterovs_momentum and self.momentum > 0
            options = {"momentum": self.momentum, "nesterov": nesterov}
            return self.learning_rate_init, self.alpha, options
        options = {"betas": (self.beta_1, self.beta_2), "eps": self.epsilon}
        if self.solver == "adamw":
            # AdamW decays the weights itself (decoupled): no penalty in the loss.
            return self.learning_rate_init, 0.0, {**options, "weight_decay": self.alpha}
        return self.learning_rate_init, self.alpha, options

    def _make_net(self, module, batch_size, device, dtype, valid, seen):
        """A net training ``module``; ``seen``: the samples trained on before
        (``t_``), from which ``learning_rate="invscaling"`` goes on."""
        lr, alpha, options = self._optimizer_options()
        if self.solver != "lbfgs" and device.type in FUSED_OPTIMIZER_DEVICES:
            # One kernel per parameter and step instead of one per operation.
            options["fused"] = True
        callbacks = self._make_callbacks(valid, seen)
        check_callback_names(callbacks, self.callbacks)
        return TrainingNet(
            module=module.to(device=device, dtype=dtype),
            criterion=self._criterion(),
            optimizer=SOLVERS[self.solver],
            lr=lr,
            max_epochs=self.max_iter,
            device=device,
            callbacks=callbacks,
            verbose=self.verbose if self._prints() else 0,
            alpha=alpha,
            decode=self._decoder(),
            **self._net_kwargs(),
            **make_loader_kwargs(batch_size, self.shuffle),
            **{f"optimizer__{key}": value for key, value in options.items()},
        )

    def _make_callbacks(self, valid, seen) -> list:
        callbacks = []
        if self.solver == "sgd" and self.learning_rate == "invscaling":
            callbacks.append(
                (
                    "invscaling",
                    InvScalingLR(self.learning_rate_init, self.power_t, seen),
                )
            )
        if valid is not None:
            callbacks.append(
                ("valid_score", ValidationScore(valid, self._validation_score))
            )
        prints = self._prints()
        if self.verbose and prints:  # scikit-learn's lines, whatever the level
            callbacks.append(("sklearn_log", SklearnLog()))
        if self.progress_bar and prints:
            callbacks.append(
                ("progress_bar", EpochProgress(score_name=self._validation_score_name))
            )
        callbacks += user_callbacks(self.callbacks)
        # After every callback that scores the epoch: it ends well once they
        # have run.
        callbacks.append(("last_good_epoch", LastGoodEpoch()))
        if self._stochastic:
            # Last: the log and the user's callbacks see the epoch it stops on.
            callbacks.append(
                (
                    "stop_on_plateau",
                    StopOnPlateau(
                        monitor="train_loss" if valid is None else "valid_score",
                        lower_is_better=valid is None,
                        patience=self.n_iter_no_change + 1,
                        threshold=self.tol,
                        load_best=valid is not None,
                        adaptive_lr=self.solver == "sgd"
                        and self.learning_rate == "adaptive",
                    ),
                )
            )
        return callbacks

    def _prints(self) -> bool:
        """Whether fits print (logs, progress bars): in a distributed fit,
        rank 0 only."""
        return not self.distributed or rank_0()

    def _warn_if_not_converged(self) -> None:
        if self._stochastic:
            if self.n_iter_ >= self.max_iter:
                warnings.warn(
                    f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                    "reached and the optimization hasn't converged yet.",
                    ConvergenceWarning,
                    stacklevel=user_stacklevel(),
                )
            return
        message = lbfgs_warning(lbfgs_state(self.net_.optimizer_), self.max_iter)
        if message is not None:
            warnings.warn(message, ConvergenceWarning, stacklevel=user_stacklevel())

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

    # ------------------------------------------------------------ inference
    def _forward(self, X) -> torch.Tensor:
        """Raw module outputs for ``X``, validated, in eval mode, chunk by chunk."""
        return self._infer(self._validated(X), self.module_)

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

    def _infer(self, X, function) -> torch.Tensor:
        """``function`` (the module or one of its parts) on ``X``, chunk by
        chunk, in eval mode."""
        module = self.module_
        if module.training:
            module.eval()
        param = self.net_.first_parameter()
        dtype = self._input.dtype(param.dtype)
        if type(X) is np.ndarray and X.shape[0] <= self._predict_chunk_size:
            chunks = (X,)  # one dense chunk (rows served online): taken as is
        else:
            size = chunk_rows(X, self._predict_chunk_size)
            chunks = (
                _densified(X[start : start + size])
                for start in range(0, X.shape[0], size)
            )
        with torch.inference_mode():
            outputs = [
                function(to_tensor(chunk, dtype, param.device)) for chunk in chunks
            ]
        output = outputs[0] if len(outputs) == 1 else torch.cat(outputs)
        self._check_finite_output(output)
        return output

    def _check_finite_output(self, output) -> None:
        """Finite inputs can still overflow inside the network (values near
        the float maximum): an error, never NaN or infinite outputs."""
        parts = output if isinstance(output, tuple) else (output,)
        if all(all_finite(part) for part in parts):
            return
        raise ValueError(
            f"{type(self).__name__}'s network gave non-finite outputs for this X: "
            "its values overflow inside the network (values near the float "
            "maximum, or far beyond those it was trained on). Scale X as the "
            "training data was scaled (e.g. with StandardScaler)."
        )

    def __sklearn_clone__(self):
        # scikit-learn's clone deep-copies callbacks' parameters, which fails
        # on resources (a TensorBoard writer): these are shared instead.
        without = type(self).__new__(type(self))
        vars(without).update(vars(self), callbacks=None)
        cloned = super(BaseNeuralEstimator, without).__sklearn_clone__()
        cloned.callbacks = fresh_callbacks(self.callbacks)
        return cloned

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
