"""Feedforward networks as drop-ins for ``sklearn.neural_network``'s MLPs."""

import numpy as np

from ._docs import (
    BATCH_NORM_PARAMETER,
    CLASS_WEIGHT_PARAMETER,
    CLASSES_ATTRIBUTE,
    FITTED_ATTRIBUTES,
    REGRESSION_LOSS_PARAMETER,
    RUNTIME_PARAMETERS,
    TRAINING_PARAMETERS,
    activation_parameter,
    normalization_parameter,
)
from ._params import BATCH_NORM, NETWORK_CONSTRAINTS, positive_ints, store_parameters
from ._supervised import BaseNeuralClassifier, BaseNeuralRegressor
from .modules import MLP

_MLP_NETWORK_DOC = """
    hidden_layer_sizes : array-like of shape (n_layers - 2,) or int, default=(100,)
        The number of units of each hidden layer.""" + activation_parameter(
    "the hidden layers (the first four are scikit-learn's)"
)

_MLP_PARAMETERS_DOC = (
    TRAINING_PARAMETERS
    + """
    dropout : float, default=0.0
        Probability of dropping each hidden unit during training."""
    + normalization_parameter("each hidden linear layer")
    + RUNTIME_PARAMETERS
    + BATCH_NORM_PARAMETER
)

_MLP_ATTRIBUTES_DOC = (
    FITTED_ATTRIBUTES
    + """
    coefs_ : list of ndarray
        Weight matrices, ``coefs_[i]`` of shape (fan_in, fan_out) for layer i,
        as scikit-learn's.
    intercepts_ : list of ndarray
        Bias vectors, ``intercepts_[i]`` of shape (fan_out,).
    n_layers_ : int
        Number of layers, input and output included.
    module_ : torch.nn.Module
        The trained :class:`sknn.modules.MLP`."""
)


class _MLPMixin:
    """The feedforward architecture: builds :class:`sknn.modules.MLP`."""

    _renamed = (BATCH_NORM,)

    def _build_module(self) -> MLP:
        return MLP(
            n_features=self.n_features_in_,
            n_outputs=self.n_outputs_,
            hidden_layer_sizes=positive_ints(
                "hidden_layer_sizes", self.hidden_layer_sizes
            ),
            activation=self.activation,
            dropout=self.dropout,
            normalization=self._param("normalization"),
        )

    @property
    def coefs_(self) -> list[np.ndarray]:
        """Weight matrices, ``coefs_[i]`` of shape (fan_in, fan_out)."""
        return [
            layer.weight.detach().cpu().numpy().T.copy()
            for layer in self.module_.linear_layers
        ]

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """Bias vectors, ``intercepts_[i]`` of shape (fan_out,)."""
        return [
            layer.bias.detach().cpu().numpy().copy()
            for layer in self.module_.linear_layers
        ]

    @property
    def n_layers_(self) -> int:
        """Number of layers: input, hidden and output."""
        return len(self.module_.linear_layers) + 1


class MLPClassifier(_MLPMixin, BaseNeuralClassifier):
    __doc__ = f"""Multi-layer perceptron classifier trained with PyTorch.

    A drop-in replacement for :class:`sklearn.neural_network.MLPClassifier`:
    the same parameters with the same defaults and meanings, the same fitted
    attributes, and the same methods. It adds dropout, normalisation,
    the AdamW optimizer, GPU training, class weights and skorch callbacks.

    Parameters
    ----------
    {_MLP_NETWORK_DOC.strip()}
    {_MLP_PARAMETERS_DOC.strip()}
    {CLASS_WEIGHT_PARAMETER.strip()}

    Attributes
    ----------
    {CLASSES_ATTRIBUTE.strip()}
    {_MLP_ATTRIBUTES_DOC.strip()}

    See Also
    --------
    MLPRegressor : The same network for regression.
    sklearn.neural_network.MLPClassifier : The scikit-learn original.

    Notes
    -----
    With ``dtype=None`` (the default) the network computes on the CPU in
    the input's float dtype, as scikit-learn does (float32 input trains
    faster), and in float32 on accelerators. Binary targets
    use one logistic output unit, multiclass targets a softmax layer, and
    multilabel indicator matrices one logistic unit per label.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sknn import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier(hidden_layer_sizes=(32,), solver="lbfgs", random_state=0)
    >>> clf.fit(X, y).predict(X[:3])
    array([0, 0, 0])
    >>> clf.predict_proba(X[:1]).shape
    (1, 3)
    >>> clf.score(X, y) > 0.95
    True
    """

    _parameter_constraints: dict = {
        **BaseNeuralClassifier._parameter_constraints,
        **NETWORK_CONSTRAINTS,
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
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
        dropout=0.0,
        normalization=None,
        class_weight=None,
        device="auto",
        dtype=None,
        callbacks=None,
        progress_bar=False,
        distributed=False,
        batch_norm="deprecated",
    ):
        store_parameters(self, locals())


class MLPRegressor(_MLPMixin, BaseNeuralRegressor):
    __doc__ = f"""Multi-layer perceptron regressor trained with PyTorch.

    A drop-in replacement for :class:`sklearn.neural_network.MLPRegressor`:
    the same parameters with the same defaults and meanings, the same fitted
    attributes, and the same methods. It adds more losses, dropout,
    normalisation, the AdamW optimizer, GPU training and skorch callbacks.

    Parameters
    ----------
    {REGRESSION_LOSS_PARAMETER.strip()}
    {_MLP_NETWORK_DOC.strip()}
    {_MLP_PARAMETERS_DOC.strip()}

    Attributes
    ----------
    {_MLP_ATTRIBUTES_DOC.strip()}

    See Also
    --------
    MLPClassifier : The same network for classification.
    sklearn.neural_network.MLPRegressor : The scikit-learn original.

    Notes
    -----
    With ``dtype=None`` (the default) the network computes on the CPU in
    the input's float dtype, as scikit-learn does (float32 input trains
    faster), and in float32 on accelerators. Scale the
    inputs (and large targets) first, e.g. with ``StandardScaler`` in a
    ``Pipeline``: like every MLP it trains poorly on raw, unscaled data.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn import MLPRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-1, 1, size=(200, 3))
    >>> y = X @ [1.0, -2.0, 0.5]
    >>> reg = MLPRegressor(hidden_layer_sizes=(32,), solver="lbfgs", random_state=0)
    >>> reg.fit(X, y).predict(X[:2]).shape
    (2,)
    >>> reg.score(X, y) > 0.99
    True
    """

    _parameter_constraints: dict = {
        **BaseNeuralRegressor._parameter_constraints,
        **NETWORK_CONSTRAINTS,
    }

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
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
        dropout=0.0,
        normalization=None,
        device="auto",
        dtype=None,
        callbacks=None,
        progress_bar=False,
        distributed=False,
        batch_norm="deprecated",
    ):
        store_parameters(self, locals())
