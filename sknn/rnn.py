"""Recurrent networks for sequences, as scikit-learn estimators."""

from numbers import Real

from ._docs import (
    BATCH_NORM_PARAMETER,
    CLASS_WEIGHT_PARAMETER,
    CLASSES_ATTRIBUTE,
    FITTED_ATTRIBUTES,
    FLOAT32_RUNTIME_PARAMETERS,
    REGRESSION_LOSS_PARAMETER,
    SEQUENCE_ATTRIBUTES,
    SEQUENCE_PARAMETERS,
    activation_parameter,
)
from ._params import (
    BATCH_NORM,
    NETWORK_CONSTRAINTS,
    POSITIVE_INT,
    SEQUENCE_CONSTRAINTS,
    positive_ints,
    store_parameters,
)
from ._sequences import Sequences
from ._sklearn import Interval, StrOptions
from ._supervised import BaseNeuralClassifier, BaseNeuralRegressor
from ._training import (
    EARLY_STOPPING,
    LABEL_SMOOTHING,
    LABEL_SMOOTHING_DOC,
    LEARNING_RATE,
    ClassifierExtras,
    TrainingExtras,
    training_doc,
)
from .modules import RNN
from .modules.rnn import CELLS, POOLINGS

_RNN_PARAMETERS_DOC = (
    """
    cell : {"lstm", "gru", "rnn"}, default="gru"
        The recurrent layer: ``torch.nn.LSTM``, ``GRU`` or a plain ``RNN``
        (tanh).
    hidden_size : int, default=64
        Width of the recurrent state, per direction.
    num_layers : int, default=1
        Number of stacked recurrent layers.
    bidirectional : bool, default=True
        Whether each layer also reads the sequences backwards (the summary
        joins both directions: ``2 * hidden_size`` wide).
    pooling : {"last", "mean", "max", "attention"}, default="max"
        How each sequence is summarised for the head: the final state (after
        the sequence's own last step), the mean or the maximum of the
        outputs over its steps, or a learned attention-weighted mean.
    hidden_layer_sizes : int or array-like of int, default=()
        Widths of the dense hidden layers between the summary and the output
        (empty: none)."""
    + activation_parameter("the head's hidden layers")
    + """
    dropout : float, default=0.0
        Dropout between stacked recurrent layers, on the summary and after
        each hidden layer of the head.
    normalization : {"batch", "layer"} or None, default=None
        Normalisation after each hidden layer of the head (see
        :class:`MLPClassifier`'s).
    clip_grad_norm : float or None, default=1.0
        Rescale the gradients of each step to at most this L2 norm, against
        the exploding gradients of long sequences; None: no clipping."""
    + SEQUENCE_PARAMETERS
)

_RNN_TRAINING = {
    "batch_size": "32",
    "learning_rate_init": "0.002",
    "early_stopping": '"auto"',
    "n_iter_no_change": "20",
}
_RNN_RATE_NOTE = (
    "constant (the default) tied with it on the digits read row by row "
    "(0.983), and stopped sooner"
)
_RNN_CLASSIFIER_TRAINING_DOC = training_doc(
    500, _RNN_RATE_NOTE, max_iter="60", **_RNN_TRAINING
)
# The regressor trains for up to 100 epochs: in 60, scikit-learn's
# check_regressors_train underfits (R² under 0.5). The dev suite has no
# regression task to choose by.
_RNN_REGRESSOR_TRAINING_DOC = training_doc(
    500, _RNN_RATE_NOTE, max_iter="100", **_RNN_TRAINING
)

_SMOOTHING_WHY = "Better than none on the dev suite."

_RNN_ATTRIBUTES_DOC = (
    SEQUENCE_ATTRIBUTES
    + """
    module_ : torch.nn.Module
        The trained :class:`sknn.modules.RNN`."""
)


class _RNNMixin(TrainingExtras):
    """The recurrent architecture: takes sequences, builds the RNN."""

    _input_type = Sequences
    _renamed = (BATCH_NORM,)

    _rnn_constraints: dict = {
        **NETWORK_CONSTRAINTS,
        "early_stopping": EARLY_STOPPING,
        "learning_rate": LEARNING_RATE,
        "cell": [StrOptions(set(CELLS))],
        "hidden_size": POSITIVE_INT,
        "num_layers": POSITIVE_INT,
        "bidirectional": ["boolean"],
        "pooling": [StrOptions(set(POOLINGS))],
        "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        **SEQUENCE_CONSTRAINTS,
    }

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
            normalization=self._param("normalization"),
            vocabulary_size=(
                self.vocabulary_size_ if self.embedding_dim is not None else None
            ),
            embedding_dim=self.embedding_dim or 1,
        )


# float64 against float32 fit times: benchmarks/defaults.py --timing.
_RNN_NOTES = """
    Notes
    -----
    The network computes in float32 by default (``dtype``), as PyTorch and
    Keras do, whatever the dtype of ``X``: float64 input (the output of
    ``StandardScaler``) is converted batch by batch. On a CPU, float64
    recurrences took 1.1 to 2 times the float32 time on the digits read row
    by row and on BasicMotions. ``dtype=None`` computes in the dtype of
    ``X``, as scikit-learn's estimators do, and ``dtype="float64"`` always
    in float64."""


class RNNClassifier(ClassifierExtras, _RNNMixin, BaseNeuralClassifier):
    __doc__ = f"""Recurrent network classifier for sequences.

    Recurrent layers (LSTM, GRU or plain RNN) read each sequence, a summary
    of it (final state, mean, max or attention) feeds a dense head; trained
    with PyTorch by the same engine and with the same training parameters as
    :class:`MLPClassifier`.

    Parameters
    ----------
    {_RNN_PARAMETERS_DOC.strip()}
    {LABEL_SMOOTHING_DOC.format(default="0.1", why=_SMOOTHING_WHY).strip()}
    {_RNN_CLASSIFIER_TRAINING_DOC.strip()}
    {FLOAT32_RUNTIME_PARAMETERS.strip()}
    {BATCH_NORM_PARAMETER.strip()}
    {CLASS_WEIGHT_PARAMETER.strip()}

    Attributes
    ----------
    {CLASSES_ATTRIBUTE.strip()}
    {FITTED_ATTRIBUTES.strip()}
    {_RNN_ATTRIBUTES_DOC.strip()}

    See Also
    --------
    RNNRegressor : The same network for regression.
    CNNClassifier : Convolutions, for images and signals.

    {_RNN_NOTES.strip()}

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
        "label_smoothing": LABEL_SMOOTHING,
    }

    def __init__(
        self,
        cell="gru",
        hidden_size=64,
        *,
        num_layers=1,
        bidirectional=True,
        pooling="max",
        hidden_layer_sizes=(),
        activation="relu",
        dropout=0.0,
        normalization=None,
        clip_grad_norm=1.0,
        embedding_dim=None,
        padding_id=None,
        input_shape=None,
        label_smoothing=0.1,
        solver="adam",
        alpha=0.0001,
        batch_size=32,
        learning_rate="constant",
        learning_rate_init=0.002,
        power_t=0.5,
        max_iter=60,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping="auto",
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=20,
        max_fun=15000,
        class_weight=None,
        device="auto",
        dtype="float32",
        callbacks=None,
        progress_bar=False,
        distributed=False,
        batch_norm="deprecated",
    ):
        store_parameters(self, locals())


class RNNRegressor(_RNNMixin, BaseNeuralRegressor):
    __doc__ = f"""Recurrent network regressor for sequences.

    The network of :class:`RNNClassifier` with a linear output, trained with
    the regression losses of :class:`MLPRegressor`; several outputs (e.g.
    several steps ahead of a forecast) come from a 2D ``y``.

    Parameters
    ----------
    {_RNN_PARAMETERS_DOC.strip()}
    {REGRESSION_LOSS_PARAMETER.strip()}
    {_RNN_REGRESSOR_TRAINING_DOC.strip()}
    {FLOAT32_RUNTIME_PARAMETERS.strip()}
    {BATCH_NORM_PARAMETER.strip()}

    Attributes
    ----------
    {FITTED_ATTRIBUTES.strip()}
    {_RNN_ATTRIBUTES_DOC.strip()}

    See Also
    --------
    RNNClassifier : The same network for classification.
    MLPRegressor : A dense network, for tabular data.

    {_RNN_NOTES.strip()}

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
        bidirectional=True,
        pooling="max",
        hidden_layer_sizes=(),
        activation="relu",
        dropout=0.0,
        normalization=None,
        clip_grad_norm=1.0,
        embedding_dim=None,
        padding_id=None,
        input_shape=None,
        loss="squared_error",
        solver="adam",
        alpha=0.0001,
        batch_size=32,
        learning_rate="constant",
        learning_rate_init=0.002,
        power_t=0.5,
        max_iter=100,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping="auto",
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=20,
        max_fun=15000,
        device="auto",
        dtype="float32",
        callbacks=None,
        progress_bar=False,
        distributed=False,
        batch_norm="deprecated",
    ):
        store_parameters(self, locals())
