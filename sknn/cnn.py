"""Convolutional networks for images and signals, as scikit-learn estimators."""

from numbers import Integral

from sklearn.base import is_classifier

from ._docs import (
    CLASS_WEIGHT_PARAMETER,
    CLASSES_ATTRIBUTE,
    FITTED_ATTRIBUTES,
    FLOAT32_RUNTIME_PARAMETERS,
    INPUT_SHAPE_ATTRIBUTE,
    INPUT_SHAPE_PARAMETER,
    REGRESSION_LOSS_PARAMETER,
    activation_parameter,
)
from ._inputs import Samples
from ._params import (
    CONV_CONSTRAINTS,
    LAYER_SIZES,
    NETWORK_CONSTRAINTS,
    POSITIVE_INT,
    positive_ints,
    store_parameters,
)
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
from .modules import CNN

_CNN_PARAMETERS_DOC = (
    """
    filters : int or array-like of int, default=(32, 64, 128)
        Number of filters of each convolution block, in order.
    kernel_size : int or array-like of int, default=3
        Size of the convolution kernels (square for images): one for every
        block, or one per block.
    stride : int, default=1
        Stride of the convolutions.
    padding : {"same", "valid"} or int, default="same"
        Padding of the convolutions; ``"same"`` keeps the size at stride 1.
    pooling : {"max", "mean", "none"}, default="max"
        Pooling after each convolution block: the maximum or the mean of
        each window (``"avg"``, its former name, is deprecated since 0.1).
    pool_size : int, default=2
        Size (and stride) of the pooling windows.
    global_pool : bool or "auto", default="auto"
        Average each filter over all positions before the dense head, instead
        of flattening the feature maps. ``"auto"``: when a classifier reads
        signals (1D), where it won on the dev series, not for images, where
        the position of a stroke matters, nor for regression, whose targets
        may depend on where a pattern is.
    hidden_layer_sizes : int or array-like of int, default=(128,)
        Widths of the dense hidden layers between the convolutions and the
        output (empty: none)."""
    + activation_parameter("the blocks and hidden layers")
    + """
    dropout : float, default=0.0
        Dropout probability after each block and hidden layer.
    normalization : {"batch", "layer", "group"} or None, default="batch"
        Normalisation after each convolution and hidden layer. ``"batch"``
        normalises with the statistics of each training batch, weighted by
        the sample weights (a weight of 2 counts as two copies of a sample),
        and with running statistics at prediction; ``"layer"`` normalises
        each sample over all its channels and positions, ``"group"`` over
        groups of up to 8 channels (GroupNorm), each sample on its own. None:
        no normalisation. Batch normalisation won on the dev suite (OSULeaf
        0.96, against 0.68 with layer normalisation and 0.46 without).
    random_shift : int, default=0
        Light augmentation during training: shift each sample by up to this
        many positions (pixels) along each axis, filling with zeros. Off at
        prediction.
    random_flip : bool, default=False
        Light augmentation during training: mirror samples left-right at
        random (for images whose class does not depend on the side)."""
)
_CNN_PARAMETERS_DOC += INPUT_SHAPE_PARAMETER
_CNN_TRAINING_DOC = training_doc(
    500,
    "the default, it beat a constant rate on the dev suite",
    batch_size="32",
    learning_rate='"cosine"',
    max_iter="60",
    n_iter_no_change="20",
)

# float64 against float32 fit times: benchmarks/defaults.py --timing.
_CNN_NOTES = """
    Notes
    -----
    The network computes in float32 by default (``dtype``), as PyTorch and
    Keras do, whatever the dtype of ``X``: float64 input (``X / 16.0``, the
    output of ``StandardScaler``) is converted batch by batch. On a CPU,
    float64 convolutions took 3.6 times the float32 time on the digits as
    images (1.5 to 2 times on the dev series), for the same accuracy.
    ``dtype=None`` computes in the dtype of ``X``, as scikit-learn's
    estimators do, and ``dtype="float64"`` always in float64."""

_SMOOTHING_WHY = "A little better than none on the digits (0.992 against 0.991)."

_CNN_ATTRIBUTES_DOC = f"""
    {INPUT_SHAPE_ATTRIBUTE.strip()}
    module_ : torch.nn.Module
        The trained :class:`sknn.modules.CNN`."""


class _CNNMixin(TrainingExtras):
    """The convolutional architecture: takes signals and images, builds the CNN."""

    _input_type = Samples
    _predict_chunk_size = 1024  # feature maps are large: bound their memory

    _cnn_constraints: dict = {
        **{k: v for k, v in NETWORK_CONSTRAINTS.items() if k != "batch_norm"},
        "early_stopping": EARLY_STOPPING,
        "learning_rate": LEARNING_RATE,
        **CONV_CONSTRAINTS,
        "stride": POSITIVE_INT,
        "padding": [
            StrOptions({"same", "valid"}),
            Interval(Integral, 0, None, closed="left"),
        ],
        "kernel_size": LAYER_SIZES,
        "global_pool": ["boolean", StrOptions({"auto"})],
        "random_shift": [Interval(Integral, 0, None, closed="left")],
        "random_flip": ["boolean"],
    }

    def _build_module(self) -> CNN:
        return CNN(
            input_shape=self.input_shape_,
            n_outputs=self.n_outputs_,
            filters=positive_ints("filters", self.filters),
            kernel_size=positive_ints("kernel_size", self.kernel_size),
            stride=self.stride,
            padding=self.padding,
            pooling=self._param("pooling"),
            pool_size=self.pool_size,
            activation=self.activation,
            normalization=self.normalization,
            dropout=self.dropout,
            global_pool=self._global_pool(),
            hidden_layer_sizes=positive_ints(
                "hidden_layer_sizes", self.hidden_layer_sizes
            ),
            random_shift=self.random_shift,
            random_flip=self.random_flip,
        )

    def _global_pool(self) -> bool:
        if self.global_pool == "auto":
            # (channels, length): signals, classified wherever their
            # patterns are; a regressor's target (a window's sum, a peak's
            # height in a spectrum) may depend on where they are.
            return len(self.input_shape_) == 2 and is_classifier(self)
        return self.global_pool


class CNNClassifier(ClassifierExtras, _CNNMixin, BaseNeuralClassifier):
    __doc__ = f"""Convolutional network classifier for images and signals.

    Convolution blocks (``Conv -> [normalisation] -> activation -> [pooling] ->
    [Dropout]``), then a dense head, trained with PyTorch by the same engine
    and with the same training parameters as :class:`MLPClassifier`. 1D or 2D
    convolutions follow the shape of the samples (see ``input_shape``).

    Parameters
    ----------
    {_CNN_PARAMETERS_DOC.strip()}
    {LABEL_SMOOTHING_DOC.format(default="0.1", why=_SMOOTHING_WHY).strip()}
    {_CNN_TRAINING_DOC.strip()}
    {FLOAT32_RUNTIME_PARAMETERS.strip()}
    {CLASS_WEIGHT_PARAMETER.strip()}

    Attributes
    ----------
    {CLASSES_ATTRIBUTE.strip()}
    {FITTED_ATTRIBUTES.strip()}
    {_CNN_ATTRIBUTES_DOC.strip()}

    See Also
    --------
    CNNRegressor : The same network for regression.
    MLPClassifier : A dense network, for tabular data.

    {_CNN_NOTES.strip()}

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sknn import CNNClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = CNNClassifier(filters=(8,), hidden_layer_sizes=(), max_iter=30,
    ...                     learning_rate_init=0.01, input_shape=(1, 8, 8),
    ...                     random_state=0)
    >>> clf.fit(X[:500] / 16, y[:500]).input_shape_
    (1, 8, 8)
    >>> clf.score(X[500:700] / 16, y[500:700]) > 0.8
    True
    """

    _parameter_constraints: dict = {
        **BaseNeuralClassifier._parameter_constraints,
        **_CNNMixin._cnn_constraints,
        "label_smoothing": LABEL_SMOOTHING,
    }

    def __init__(
        self,
        filters=(32, 64, 128),
        kernel_size=3,
        *,
        stride=1,
        padding="same",
        pooling="max",
        pool_size=2,
        global_pool="auto",
        hidden_layer_sizes=(128,),
        activation="relu",
        dropout=0.0,
        normalization="batch",
        random_shift=0,
        random_flip=False,
        input_shape=None,
        label_smoothing=0.1,
        solver="adam",
        alpha=0.0001,
        batch_size=32,
        learning_rate="cosine",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=60,
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
        n_iter_no_change=20,
        max_fun=15000,
        class_weight=None,
        device="auto",
        dtype="float32",
        callbacks=None,
        progress_bar=False,
        distributed=False,
    ):
        store_parameters(self, locals())


class CNNRegressor(_CNNMixin, BaseNeuralRegressor):
    __doc__ = f"""Convolutional network regressor for images and signals.

    The network of :class:`CNNClassifier` with a linear output, trained with
    the regression losses of :class:`MLPRegressor`.

    Parameters
    ----------
    {_CNN_PARAMETERS_DOC.strip()}
    {REGRESSION_LOSS_PARAMETER.strip()}
    {_CNN_TRAINING_DOC.strip()}
    {FLOAT32_RUNTIME_PARAMETERS.strip()}

    Attributes
    ----------
    {FITTED_ATTRIBUTES.strip()}
    {_CNN_ATTRIBUTES_DOC.strip()}

    See Also
    --------
    CNNClassifier : The same network for classification.
    MLPRegressor : A dense network, for tabular data.

    {_CNN_NOTES.strip()}

    Examples
    --------
    >>> import numpy as np
    >>> from sknn import CNNRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 32))  # 300 signals of length 32
    >>> y = X[:, 10:14].sum(axis=1)     # the sum over a window
    >>> reg = CNNRegressor(filters=(8,), max_iter=100, random_state=0)
    >>> reg.fit(X, y).input_shape_
    (1, 32)
    >>> reg.score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **BaseNeuralRegressor._parameter_constraints,
        **_CNNMixin._cnn_constraints,
    }

    def __init__(
        self,
        filters=(32, 64, 128),
        kernel_size=3,
        *,
        stride=1,
        padding="same",
        pooling="max",
        pool_size=2,
        global_pool="auto",
        hidden_layer_sizes=(128,),
        activation="relu",
        dropout=0.0,
        normalization="batch",
        random_shift=0,
        random_flip=False,
        input_shape=None,
        loss="squared_error",
        solver="adam",
        alpha=0.0001,
        batch_size=32,
        learning_rate="cosine",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=60,
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
        n_iter_no_change=20,
        max_fun=15000,
        device="auto",
        dtype="float32",
        callbacks=None,
        progress_bar=False,
        distributed=False,
    ):
        store_parameters(self, locals())
