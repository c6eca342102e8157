"""A feedforward network: stacked dense layers, as in scikit-learn's MLP."""

import math

import torch
from torch import nn

from ._layers import dense_layers, normalization_argument


class MLP(nn.Module):
    """Fully connected network: ``n_features`` inputs, hidden layers, ``n_outputs``.

    Each hidden block is ``Linear -> [normalisation] -> activation -> [Dropout]``;
    the output layer is a plain ``Linear`` producing raw scores (logits), the
    loss or the estimator applies the output activation.

    Weights are initialised like scikit-learn's MLP (Glorot uniform, with the
    bound scaled for the logistic activation), so that a drop-in replacement
    starts from the same kind of point.

    Parameters
    ----------
    n_features : int
        Width of the input rows.
    n_outputs : int
        Width of the output.
    hidden_layer_sizes : tuple of int, default=(100,)
        Width of each hidden layer, in order.
    activation : str, default="relu"
        Name of the hidden activation (see ``sknn.modules.ACTIVATIONS``).
    dropout : float, default=0.0
        Probability of zeroing a hidden unit during training.
    normalization : {"batch", "layer"} or None, default=None
        Normalisation of each hidden layer's pre-activations: over the batch
        (``BatchNorm1d``, weighted by the sample weights), or over each
        sample's units (``LayerNorm``); None: none.
    batch_norm : bool or None, default=None
        Deprecated (0.1), removed in 0.3: ``True`` is
        ``normalization="batch"``.

    Examples
    --------
    >>> import torch
    >>> from sknn.modules import MLP
    >>> net = MLP(n_features=4, n_outputs=3, hidden_layer_sizes=(8, 8))
    >>> net(torch.zeros(5, 4)).shape
    torch.Size([5, 3])
    """

    def __init__(
        self,
        n_features: int,
        n_outputs: int,
        hidden_layer_sizes: tuple[int, ...] = (100,),
        activation: str = "relu",
        dropout: float = 0.0,
        normalization: str | None = None,
        batch_norm: bool | None = None,
    ):
        super().__init__()
        self.n_features = n_features
        self.n_outputs = n_outputs
        self.hidden_layer_sizes = tuple(hidden_layer_sizes)
        self.activation = activation
        self.dropout = dropout
        self.normalization = normalization_argument("MLP", normalization, batch_norm)

        self.hidden = dense_layers(
            n_features, self.hidden_layer_sizes, activation, self.normalization, dropout
        )
        width = self.hidden_layer_sizes[-1] if self.hidden_layer_sizes else n_features
        self.output = nn.Linear(width, n_outputs)
        self.reset_parameters()

    @property
    def linear_layers(self) -> list[nn.Linear]:
        """The dense layers in order, output layer last."""
        return [m for m in self.hidden if isinstance(m, nn.Linear)] + [self.output]

    def reset_parameters(self) -> None:
        """Draw new weights and biases (Glorot uniform, as scikit-learn's MLP)."""
        # Glorot uniform as in sklearn's BaseMultilayerPerceptron._init_coef:
        # the bound uses factor 2 for the logistic activation, 6 otherwise.
        factor = 2.0 if self.activation == "logistic" else 6.0
        for layer in self.linear_layers:
            bound = math.sqrt(factor / (layer.in_features + layer.out_features))
            nn.init.uniform_(layer.weight, -bound, bound)
            nn.init.uniform_(layer.bias, -bound, bound)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """Raw scores (logits) of shape (N, n_outputs) for inputs (N, n_features)."""
        hidden = self.hidden(X)  # (N, hidden_layer_sizes[-1])
        return self.output(hidden)  # (N, n_outputs)

    def extra_repr(self) -> str:
        return (
            f"n_features={self.n_features}, n_outputs={self.n_outputs}, "
            f"hidden_layer_sizes={self.hidden_layer_sizes}, "
            f"activation={self.activation!r}, dropout={self.dropout}, "
            f"normalization={self.normalization!r}"
        )
