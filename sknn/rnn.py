"""Recurrent networks for sequences, as scikit-learn estimators."""

import math
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.utils._param_validation import Interval, StrOptions

from ._docs import FITTED_ATTRIBUTES, RUNTIME_PARAMETERS, TRAINING_PARAMETERS
from ._supervised import BaseNeuralClassifier, BaseNeuralRegressor
from ._validation import SampleShapeMixin, positive_ints
from .modules import ACTIVATIONS, RNN
from .modules.rnn import CELLS, PADDING_ID, POOLINGS, UNKNOWN_ID

_RNN_PARAMETERS_DOC = """
    cell : {"lstm", "gru", "rnn"}, default="gru"
        The recurrent layer: ``torch.nn.LSTM``, ``GRU`` or a plain ``RNN``
        (tanh).
    hidden_size : int, default=64
        Width of the recurrent state, per direction.
    num_layers : int, default=1
        Number of stacked recurrent layers.
    bidirectional : bool, default=False
        Whether each layer also reads the sequences backwards.
    pooling : {"last", "mean", "max", "attention"}, default="max"
        How each sequence is summarised for the head: the final state (after
        the sequence's own last step), the mean or the maximum of the
        outputs over its steps, or a learned attention-weighted mean.
    hidden_layer_sizes : array-like of int, default=()
        Widths of the dense hidden layers between the summary and the output
        (empty: none).
    activation : str, default="relu"
        Activation of the head's hidden layers: ``"identity"``,
        ``"logistic"``, ``"tanh"``, ``"relu"``, ``"gelu"``, ``"elu"``,
        ``"leaky_relu"``, ``"selu"``, ``"silu"``.
    dropout : float, default=0.0
        Dropout between stacked recurrent layers, on the summary and after
        each hidden layer of the head.
    batch_norm : bool, default=False
        Whether to add batch normalisation after each hidden layer of the
        head.
    clip_grad_norm : float or None, default=None
        Rescale the gradients of each step to at most this L2 norm, against
        the exploding gradients of long sequences (1.0 is a common choice);
        None: no clipping.
    embedding_dim : int or None, default=None
        With an int, X holds integer token ids (one per time step), embedded
        in vectors of this size before the recurrent layers. The vocabulary
        is read from the training data; ids unseen in training are embedded
        as zeros at prediction.
    padding_id : int or None, default=None
        With token ids, the id that pads sequences to a common length (e.g. 0
        for most tokenizers). NaN always pads.
    input_shape : tuple of int or None, default=None
        ``(n_timesteps, n_features)`` of one sample when X holds flat rows
        (after a transformer in a ``Pipeline``, or a DataFrame). None reads
        the shape from X: 2D X is one univariate sequence per row, 3D X is
        (n_samples, n_timesteps, n_features).

    Sequences of different lengths come as a list of arrays of shape
    (length_i, n_features) (or (length_i,)), or as arrays padded at the end
    with time steps that are NaN in every feature (or ``padding_id``).
    Padding never changes a prediction: padded batches run as packed
    sequences."""

_RNN_ATTRIBUTES_DOC = """
    n_step_features_ : int
        Features per time step (1 for token ids).
    vocabulary_size_ : int
        With ``embedding_dim``: one more than the largest token id seen in
        training.
    module_ : torch.nn.Module
        The trained :class:`sknn.modules.RNN`."""


class _RNNMixin(SampleShapeMixin):
    """The recurrent architecture: reads sequences, builds the RNN."""

    _X_check_kwargs = {"allow_nd": True, "ensure_all_finite": "allow-nan"}

    _rnn_constraints: dict = {
        "cell": [StrOptions(set(CELLS))],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "pooling": [StrOptions(set(POOLINGS))],
        "hidden_layer_sizes": ["array-like"],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
        "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "embedding_dim": [Interval(Integral, 1, None, closed="left"), None],
        "padding_id": [Integral, None],
        "input_shape": ["array-like", None],
    }

    def _check_params(self) -> None:
        positive_ints("hidden_layer_sizes", self.hidden_layer_sizes)

    # ------------------------------------------------------------- sequences
    def _check_predict_X(self, X):
        # A list of 1D sequences is univariate at prediction, whatever its
        # lengths: (n, length, 1), so that it needs no feature count.
        return super()._check_predict_X(self._as_array(X, univariate=True))

    def _as_array(self, X, *, univariate=False):
        """Lists of sequences as one (n_samples, max_length, n_features)
        array; sequences of different lengths are padded at the end with NaN
        steps. A list of 1D sequences of one length is a 2D array, as
        everywhere in scikit-learn, unless ``univariate``."""
        if isinstance(X, np.ndarray) and X.dtype != object:
            return X
        if not isinstance(X, list | tuple | np.ndarray) or len(X) == 0:
            return X
        try:
            sequences = [np.asarray(s, dtype=float) for s in X]
        except (TypeError, ValueError):
            return X  # not numbers: validation says so
        shapes = {s.shape for s in sequences}
        if len(shapes) == 1:
            X = np.stack(sequences)
            return X[:, :, np.newaxis] if univariate and X.ndim == 2 else X
        ndims = {s.ndim for s in sequences}
        widths = {s.shape[1] for s in sequences if s.ndim == 2}
        if ndims - {1, 2} or len(ndims) > 1 or len(widths) > 1:
            raise ValueError(
                f"{type(self).__name__} got sequences of shapes "
                f"{sorted(shapes)[:5]}: variable-length sequences must all be "
                "1D (length_i,) or all 2D (length_i, n_features) with the "
                "same n_features."
            )
        n_features = widths.pop() if widths else 1
        length = max(len(s) for s in sequences)
        padded = np.full((len(sequences), length, n_features), np.nan)
        for row, sequence in zip(padded, sequences, strict=True):
            row[: len(sequence)] = sequence.reshape(len(sequence), n_features)
        return padded

    def _sequences(self, X) -> np.ndarray:
        """X as (n_samples, n_timesteps, n_features)."""
        name = type(self).__name__
        if self.input_shape is not None:
            shape = tuple(self.input_shape)
            if (
                len(shape) not in (1, 2)
                or any(not isinstance(v, Integral) or v <= 0 for v in shape)
                or math.prod(shape) != math.prod(X.shape[1:])
            ):
                raise ValueError(
                    f"{name} got input_shape={shape}, but X has samples of "
                    f"shape {X.shape[1:]} ({math.prod(X.shape[1:])} values). "
                    "Give (n_timesteps, n_features) with n_timesteps * "
                    "n_features values per sample, or (n_timesteps,)."
                )
            return X.reshape(X.shape[0], shape[0], -1)
        if X.ndim == 2:
            return X[:, :, np.newaxis]  # one univariate sequence per row
        if X.ndim == 3:
            return X
        raise ValueError(
            f"{name} expects sequences of shape (n_samples, n_timesteps, "
            "n_features), univariate sequences (n_samples, n_timesteps), a "
            "list of (length_i, n_features) arrays, or flat rows with "
            f"input_shape; got X of shape {X.shape}."
        )

    def _check_padding(self, padding: np.ndarray) -> None:
        """Padding (n_samples, n_timesteps) must end every sequence."""
        name = type(self).__name__
        inside = padding[:, :-1] & ~padding[:, 1:]
        if inside.any():
            row = int(np.flatnonzero(inside.any(1))[0])
            raise ValueError(
                f"{name} got NaN (padding) before the end of sequence {row}. "
                "NaN time steps mark the end of shorter sequences and must "
                "come after every real step; impute missing values first "
                "(e.g. with sklearn.impute.SimpleImputer)."
            )
        if padding[:, 0].any():
            row = int(np.flatnonzero(padding[:, 0])[0])
            raise ValueError(
                f"{name} got sequence {row} with no time step (it is all "
                "NaN/padding); every sequence needs at least one step."
            )

    def _reshape_X(self, X, *, reset=False):
        name = type(self).__name__
        if sp.issparse(X):
            X = X.toarray()
        n_columns = X.shape[1] if X.ndim == 2 else None
        X = self._sequences(X)
        n_features = X.shape[2]
        if reset:
            self.n_step_features_ = n_features
            # 2D X keeps scikit-learn's count of columns; for 3D X, whose
            # number of steps may vary, it is the features per step.
            self.n_features_in_ = n_columns or n_features
        elif n_features != self.n_step_features_:
            raise ValueError(
                f"{name} was fitted on sequences of {self.n_step_features_} "
                f"feature(s) per time step, got {n_features}. Pass X of shape "
                f"(n_samples, n_timesteps, {self.n_step_features_})."
            )
        nan = np.isnan(X)
        if nan.any():
            padding = nan.all(axis=2)
            if (nan.any(axis=2) & ~padding).any():
                raise ValueError(
                    f"{name} got NaN in some but not all features of a time "
                    "step. NaN marks padding, a whole time step after the end "
                    "of a shorter sequence; impute missing values first (e.g. "
                    "with sklearn.impute.SimpleImputer)."
                )
        else:
            padding = None
        if self.embedding_dim is not None:
            return self._token_ids(X, padding, reset=reset)
        if padding is not None:
            self._check_padding(padding)
        return X

    def _token_ids(self, X, padding, *, reset) -> np.ndarray:
        """Token ids (n_samples, n_timesteps, 1) as the module's int64 ids."""
        name = type(self).__name__
        if X.shape[2] != 1:
            raise ValueError(
                f"{name} with embedding_dim expects one token id per time "
                f"step, got {X.shape[2]} features per step. Pass X of shape "
                "(n_samples, n_timesteps) or a list of 1D id sequences."
            )
        ids = X[:, :, 0]
        if padding is None:
            padding = np.zeros(ids.shape, dtype=bool)
        else:
            padding = padding.copy()
        if self.padding_id is not None:
            padding |= ids == self.padding_id
        self._check_padding(padding)
        tokens = ids[~padding]
        if (tokens < 0).any() or (tokens != np.round(tokens)).any():
            raise ValueError(
                f"{name} with embedding_dim expects token ids that are "
                "integers >= 0 (padding_id and NaN pad); got "
                f"{tokens[(tokens < 0) | (tokens != np.round(tokens))][:3]}."
            )
        if reset:
            self.vocabulary_size_ = int(tokens.max()) + 1 if tokens.size else 0
        internal = np.full(ids.shape, PADDING_ID, dtype=np.int64)
        known = tokens < self.vocabulary_size_
        internal[~padding] = np.where(known, tokens + 2, UNKNOWN_ID)
        return internal

    def _input_dtype(self, dtype):
        return torch.int64 if self.embedding_dim is not None else dtype

    # --------------------------------------------------------------- network
    def _net_kwargs(self) -> dict:
        return {"clip_grad_norm": self.clip_grad_norm}

    def _build_module(self) -> RNN:
        return RNN(
            n_features=self.n_step_features_,
            n_outputs=self.n_outputs_,
            cell=self.cell,
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            bidirectional=self.bidirectional,
            dropout=self.dropout,
            pooling=self.pooling,
            hidden_layer_sizes=positive_ints(
                "hidden_layer_sizes", self.hidden_layer_sizes
            ),
            activation=self.activation,
            batch_norm=self.batch_norm,
            vocabulary_size=(
                self.vocabulary_size_ if self.embedding_dim is not None else None
            ),
            embedding_dim=self.embedding_dim or 1,
        )


class RNNClassifier(_RNNMixin, BaseNeuralClassifier):
    __doc__ = f"""Recurrent network classifier for sequences.

    Recurrent layers (LSTM, GRU or plain RNN) read each sequence, a summary
    of it (final state, mean, max or attention) feeds a dense head; trained
    with PyTorch by the same engine and with the same training parameters as
    :class:`MLPClassifier`.

    Parameters
    ----------
    {_RNN_PARAMETERS_DOC.strip()}
    {TRAINING_PARAMETERS.strip()}
    {RUNTIME_PARAMETERS.strip()}
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss; multiplies ``sample_weight``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    {FITTED_ATTRIBUTES.strip()}
    {_RNN_ATTRIBUTES_DOC.strip()}

    See Also
    --------
    RNNRegressor : The same network for regression.
    CNNClassifier : Convolutions, for images and signals.

    Examples
    --------
    Does token 1 come before token 2 in the sequence? Order decides the class:

    >>> import numpy as np
    >>> from sknn import RNNClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randint(0, 4, size=(600, 10))
    >>> y = [list(x).index(1) < list(x).index(2) if {{1, 2}} <= set(x) else False
    ...      for x in X]
    >>> clf = RNNClassifier(hidden_size=32, embedding_dim=8, batch_size=32,
    ...                     max_iter=60, random_state=0)
    >>> clf.fit(X[:500], y[:500]).score(X[500:], y[500:]) > 0.9
    True

    Variable-length sequences come as a list of arrays:

    >>> sequences = [rng.normal(size=(n, 3)) for n in rng.randint(2, 9, 40)]
    >>> labels = [s[:, 0].sum() > 0 for s in sequences]
    >>> clf = RNNClassifier(max_iter=5, random_state=0).fit(sequences, labels)
    >>> clf.predict(sequences[:3]).shape
    (3,)
    """

    _parameter_constraints: dict = {
        **BaseNeuralClassifier._parameter_constraints,
        **_RNNMixin._rnn_constraints,
    }

    def __init__(
        self,
        cell="gru",
        hidden_size=64,
        *,
        num_layers=1,
        bidirectional=False,
        pooling="max",
        hidden_layer_sizes=(),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        clip_grad_norm=None,
        embedding_dim=None,
        padding_id=None,
        input_shape=None,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        class_weight=None,
        device="auto",
        callbacks=None,
    ):
        super().__init__(
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            device=device,
            callbacks=callbacks,
        )
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.clip_grad_norm = clip_grad_norm
        self.embedding_dim = embedding_dim
        self.padding_id = padding_id
        self.input_shape = input_shape
        self.class_weight = class_weight


class RNNRegressor(_RNNMixin, BaseNeuralRegressor):
    __doc__ = f"""Recurrent network regressor for sequences.

    The network of :class:`RNNClassifier` with a linear output, trained with
    the regression losses of :class:`MLPRegressor`; several outputs (e.g.
    several steps ahead of a forecast) come from a 2D ``y``.

    Parameters
    ----------
    {_RNN_PARAMETERS_DOC.strip()}
    loss : {{"squared_error", "poisson", "absolute_error", "huber"}}, \
default="squared_error"
        The training loss, as :class:`MLPRegressor`'s.
    {TRAINING_PARAMETERS.strip()}
    {RUNTIME_PARAMETERS.strip()}

    Attributes
    ----------
    {FITTED_ATTRIBUTES.strip()}
    {_RNN_ATTRIBUTES_DOC.strip()}

    See Also
    --------
    RNNClassifier : The same network for classification.
    MLPRegressor : A dense network, for tabular data.

    Examples
    --------
    Forecast the next two values of a noisy sine wave from windows of 20:

    >>> import numpy as np
    >>> from sknn import RNNRegressor
    >>> rng = np.random.RandomState(0)
    >>> series = np.sin(np.arange(1000) / 8) + 0.1 * rng.normal(size=1000)
    >>> windows = np.lib.stride_tricks.sliding_window_view(series, 22)
    >>> X, y = windows[:, :20], windows[:, 20:]
    >>> reg = RNNRegressor(hidden_size=32, max_iter=30, random_state=0)
    >>> reg.fit(X[:800], y[:800]).predict(X[800:]).shape
    (179, 2)
    >>> reg.score(X[800:], y[800:]) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **BaseNeuralRegressor._parameter_constraints,
        **_RNNMixin._rnn_constraints,
    }

    def __init__(
        self,
        cell="gru",
        hidden_size=64,
        *,
        num_layers=1,
        bidirectional=False,
        pooling="max",
        hidden_layer_sizes=(),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        clip_grad_norm=None,
        embedding_dim=None,
        padding_id=None,
        input_shape=None,
        loss="squared_error",
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        device="auto",
        callbacks=None,
    ):
        super().__init__(
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            device=device,
            callbacks=callbacks,
        )
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.clip_grad_norm = clip_grad_norm
        self.embedding_dim = embedding_dim
        self.padding_id = padding_id
        self.input_shape = input_shape
        self.loss = loss
