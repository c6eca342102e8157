"""How every sknn estimator trains: parameters, data, seeding, device, the net.

:class:`BaseNeuralEstimator` validates and converts the data through its kind
of input (``sknn/_prepare.py``, ``sknn/_inputs.py``), builds the module and
trains it with the one shared engine (:class:`sknn._engine.TrainingNet`, a
skorch ``NeuralNet``). ``_fit`` reads as its stages: prepare the data, choose
the batch size, build or reuse the net, train, record.

The override points, all of them, each documented where it is defined:

- class attributes: ``_input_type``, the kind of input (an
  :class:`~sknn._inputs.InputKind` subclass; table rows by default);
  ``_predict_chunk_size``, rows per forward pass outside training (it bounds
  the memory of activations); ``_renamed``, parameters renamed
  (:class:`~sknn._params.Renamed`), whose old names keep working;
  ``_validation_score_name``, how the progress bar names the early-stopping
  score;
- the network: ``_build_module()``, the ``torch.nn.Module`` for the sizes
  found in the data; ``_criterion()``, the loss ``loss(raw, y, reduction)``
  (``_losses.py``); ``_net_kwargs()``, extra
  :class:`~sknn._engine.TrainingNet` arguments; ``_param(name)``, a
  parameter as the network is built with it (old names resolved);
- the data (``_prepare.py``): ``_prepare_data(...)``, the whole stage;
  ``_y_kwargs()``, ``validate_data`` arguments for y;
  ``_sample_weight(sample_weight, X, y)``, per-sample weights (class
  weights); ``_targets(X, y, reset, classes)``, training targets as the loss
  expects them (labels encoded, values checked, or the samples themselves);
  ``_target_dtype(dtype)``, their tensor dtype;
- early stopping: ``_early_stopping(y)``, whether a fit holds data out
  (``_can_hold_out(y)``: whether it can); ``_stratify_labels(y)``, the
  labels its split is stratified by; ``_validation_score(raw, y,
  sample_weight)``, its score;
- training: ``_check_params()``, checks that constraints cannot express;
  ``_make_callbacks(valid, seen)``, the engine's callbacks and the user's;
  ``_warn_if_not_converged()``, the ``ConvergenceWarning`` after a fit;
  ``_partial_fit_available()`` (``partial_fit`` exists, or an
  AttributeError says why not) and ``_check_partial_fit()`` (a call is
  allowed);
- outputs: ``_decoder()``, raw outputs -> encoded predictions;
  ``_graph_outputs(module, x)``, what an exported graph computes
  (``sknn.onnx``; in ``_supervised.py`` and ``autoencoder.py``).

Classification, regression and autoencoders fill in the targets, losses and
scores (``_supervised.py``, ``autoencoder.py``); an architecture adds its
parameters, its module and its kind of input.
"""

import contextlib
import warnings

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from torch import nn

from ._callbacks import check_callback_names, fresh_callbacks, user_callbacks
from ._data import all_finite, chunk_rows, to_tensor
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
from ._inputs import Rows
from ._optim import SOLVERS, lbfgs_state
from ._params import (
    LAYER_SIZE,
    TRAINING_CONSTRAINTS,
    Renamed,
    positive_ints,
    resolve_renamed,
)
from ._prepare import DataStages
from ._progress import EpochProgress, SklearnLog
from ._saving import SavedNet
from ._stopping import (
    NON_FINITE,
    LastGoodEpoch,
    StopOnPlateau,
    lbfgs_warning,
    report_stop,
)
from ._warnings import user_stacklevel

# Layers that normalise with the statistics of the batch: they need batches
# of at least 2 samples.
_BATCH_STATISTICS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)


def _densified(X):
    """A chunk of rows as a dense array (sparse rows densified)."""
    return X.toarray() if sp.issparse(X) else X


class BaseNeuralEstimator(DataStages, FittedAttributes, SavedNet, BaseEstimator):
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

    def _early_stopping(self, y) -> bool:
        """Whether a fit on targets ``y`` (encoded) holds out data to stop on."""
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
        held_out = self._early_stopping(y) and self._stochastic and not incremental
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

    # ------------------------------------------------------------ inference
    def _forward(self, X) -> torch.Tensor:
        """Raw module outputs for ``X``, validated, in eval mode, chunk by chunk."""
        return self._infer(self._validated(X), self.module_)

    def _infer(self, X, function) -> torch.Tensor:
        """``function`` (the module or one of its parts) on ``X``, chunk by
        chunk, in eval mode."""
        module = self.module_
        if module.training:
            module.eval()
        param = self.net_.first_parameter()
        dtype = self._input.tensor_dtype(param.dtype)
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
