"""Activation functions by the names scikit-learn and sknn accept, and the
dense and convolution blocks every architecture builds with them."""

import warnings

from torch import nn

from ._norm import WeightedBatchNorm1d, WeightedBatchNorm2d

# The layers of 1D (signals) and 2D (images) convolutional networks.
CONV_LAYERS = {
    1: (nn.Conv1d, nn.MaxPool1d, nn.AvgPool1d),
    2: (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d),
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


# Normalisation layers by name. "batch" uses the statistics of the batch,
# weighted by the sample weights (a weight of 2 acts as a repeated sample);
# the others normalise each sample on its own.
NORMALIZATIONS = ("batch", "layer", "group")
GROUP_SIZE = 8  # channels per group of "group" normalisation (at most)


def norm_layer(name: str | None, n_dims: int, channels: int) -> nn.Module | None:
    """The normalisation layer ``name`` (one of ``NORMALIZATIONS``, or None:
    none) for ``channels`` features over ``n_dims`` spatial dimensions (0:
    dense layers).

    ``"layer"`` normalises each sample over its channels and positions,
    ``"group"`` over groups of up to ``GROUP_SIZE`` channels and the positions
    (GroupNorm; dense layers, which have no positions, use layer norm).
    """
    if name is None:
        return None
    if name == "batch":
        if n_dims == 2:
            return WeightedBatchNorm2d(channels)
        return WeightedBatchNorm1d(channels)
    if name not in NORMALIZATIONS:
        raise ValueError(
            f"normalization must be one of {NORMALIZATIONS} or None, got {name!r}."
        )
    if n_dims == 0:
        return nn.LayerNorm(channels)
    groups = 1 if name == "layer" else -(-channels // GROUP_SIZE)
    while channels % groups:  # the fewest groups of at most GROUP_SIZE channels
        groups += 1
    return nn.GroupNorm(groups, channels)


# Pooling over positions (convolutions' windows, a sequence's steps): the
# maximum, or the mean.
POOLINGS = ("max", "mean", "none")


def renamed_argument(module: str, old: str, value, new: str, new_value):
    """A module's argument given by its old name (or value): its value under
    the new one, with a FutureWarning (as the estimators' parameters)."""
    warnings.warn(
        f"{module}'s {old}={value!r} was renamed {new}={new_value!r} in 0.1 and "
        "will be removed in 0.3.",
        FutureWarning,
        stacklevel=3,
    )
    return new_value


def normalization_argument(module: str, normalization, batch_norm):
    """``normalization``, or the old ``batch_norm`` flag's (None: not given)."""
    if batch_norm is None:
        return normalization
    return renamed_argument(
        module,
        "batch_norm",
        batch_norm,
        "normalization",
        "batch" if batch_norm else None,
    )


def dense_layers(
    n_in: int,
    sizes: tuple[int, ...],
    activation: str,
    normalization: str | None,
    dropout: float,
) -> nn.Sequential:
    """Hidden layers ``Linear -> [normalisation] -> activation -> [Dropout]``,
    one per entry of ``sizes``, from ``n_in`` inputs; ``normalization`` a
    name of :data:`NORMALIZATIONS` or None (dense layers: ``"group"`` is
    layer normalisation)."""
    layers, width = [], n_in
    norm = normalization
    for size in sizes:
        layers.append(nn.Linear(width, size))
        if norm is not None:
            layers.append(norm_layer(norm, 0, size))
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
    normalization: str | None,
    dropout: float,
    *,
    stride: int = 1,
    padding: str | int = "same",
    pooling: str = "none",
    pool_size: int = 2,
) -> list[nn.Module]:
    """One convolution block, ``Conv -> [normalisation] -> activation ->
    [pooling] -> [Dropout]``, over ``n_dims`` spatial dimensions (1: signals,
    2: images); ``normalization`` a name of :data:`NORMALIZATIONS` or None.

    Pooling windows that overhang the edge are kept (ceil mode), so that small
    inputs never pool down to nothing.
    """
    conv, max_pool, avg_pool = CONV_LAYERS[n_dims]
    layers = [conv(n_in, n_out, kernel_size, stride, padding)]
    norm = norm_layer(normalization, n_dims, n_out)
    if norm is not None:
        layers.append(norm)
    layers.append(make_activation(activation))
    if pooling != "none":
        pool = max_pool if pooling == "max" else avg_pool
        layers.append(pool(pool_size, ceil_mode=True))
    if dropout > 0:
        layers.append(nn.Dropout(dropout))
    return layers
