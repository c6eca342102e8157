"""Activation functions by the names scikit-learn and sknn accept, and the
dense and convolution blocks every architecture builds with them."""

from torch import nn

# The layers of 1D (signals) and 2D (images) convolutional networks.
CONV_LAYERS = {
    1: (nn.Conv1d, nn.BatchNorm1d, nn.MaxPool1d, nn.AvgPool1d),
    2: (nn.Conv2d, nn.BatchNorm2d, nn.MaxPool2d, nn.AvgPool2d),
}

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


def conv_block(
    n_dims: int,
    n_in: int,
    n_out: int,
    kernel_size: int,
    activation: str,
    batch_norm: bool,
    dropout: float,
    *,
    stride: int = 1,
    padding: str | int = "same",
    pooling: str = "none",
    pool_size: int = 2,
) -> list[nn.Module]:
    """One convolution block, ``Conv -> [BatchNorm] -> activation -> [pooling]
    -> [Dropout]``, over ``n_dims`` spatial dimensions (1: signals, 2: images).

    Pooling windows that overhang the edge are kept (ceil mode), so that small
    inputs never pool down to nothing.
    """
    conv, norm, max_pool, avg_pool = CONV_LAYERS[n_dims]
    layers = [conv(n_in, n_out, kernel_size, stride, padding)]
    if batch_norm:
        layers.append(norm(n_out))
    layers.append(make_activation(activation))
    if pooling != "none":
        pool = max_pool if pooling == "max" else avg_pool
        layers.append(pool(pool_size, ceil_mode=True))
    if dropout > 0:
        layers.append(nn.Dropout(dropout))
    return layers
