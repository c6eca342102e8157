"""Activation functions by the names scikit-learn and sknn accept, and the
dense hidden layers every architecture builds with them."""

from torch import nn

ACTIVATIONS = {
    "identity": nn.Identity,
    "logistic": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "gelu": nn.GELU,
    "elu": nn.ELU,
    "leaky_relu": nn.LeakyReLU,
    "selu": nn.SELU,
    "silu": nn.SiLU,
}


def make_activation(name: str) -> nn.Module:
    """Return a fresh activation module for ``name`` (a key of ``ACTIVATIONS``)."""
    try:
        return ACTIVATIONS[name]()
    except KeyError:
        raise ValueError(
            f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}."
        ) from None


def dense_layers(
    n_in: int,
    sizes: tuple[int, ...],
    activation: str,
    batch_norm: bool,
    dropout: float,
) -> nn.Sequential:
    """Hidden layers ``Linear -> [BatchNorm1d] -> activation -> [Dropout]``,
    one per entry of ``sizes``, from ``n_in`` inputs."""
    layers, width = [], n_in
    for size in sizes:
        layers.append(nn.Linear(width, size))
        if batch_norm:
            layers.append(nn.BatchNorm1d(size))
        layers.append(make_activation(activation))
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        width = size
    return nn.Sequential(*layers)
