"""A convolutional autoencoder for signals (1D) and images (2D)."""

import math

import torch
from torch import nn

from ._layers import CONV_LAYERS, conv_block, dense_layers, renamed_argument
from .autoencoder import CodeAutoencoder


class ConvAutoencoder(CodeAutoencoder):
    """``(N, C, L)`` or ``(N, C, H, W)`` inputs to ``(N, n_components)`` codes
    and back.

    The encoder is convolution blocks ``Conv -> [BatchNorm] -> activation ->
    [pooling] -> [Dropout]`` (as :class:`CNN`'s, at stride 1 with "same"
    padding, so that only the pooling shrinks the maps), optional dense
    hidden layers, and a linear layer to the code. The decoder mirrors it:
    dense layers from the code back to the last feature maps, then per block
    an upsampling to the size the encoder pooled from (nearest neighbour,
    then a convolution: free of the checkerboard artefacts of transposed
    convolutions) and ``Conv -> [BatchNorm] -> activation -> [Dropout]``, and
    a last convolution to the input's channels: raw outputs, logits when the
    data is reconstructed through a sigmoid.

    Parameters
    ----------
    input_shape : tuple of int
        Shape of one sample: ``(channels, length)`` for signals,
        ``(channels, height, width)`` for images.
    n_components : int
        Width of the code.
    filters : tuple of int, default=(32, 64)
        Number of filters of each encoder block; the decoder's blocks have
        them in reverse.
    kernel_size : int, default=3
        Size of the convolution kernels.
    pooling : {"max", "mean", "none"}, default="max"
        Down-sampling after each encoder block (and up-sampling before each
        decoder block). Windows that overhang the edge are kept.
    pool_size : int, default=2
        Size (and stride) of the pooling windows.
    hidden_layer_sizes : tuple of int, default=()
        Widths of dense hidden layers between the flattened feature maps and
        the code (mirrored in the decoder).
    activation : str, default="relu"
        Activation of every block and hidden layer.
    normalization : {"batch", "layer", "group"} or None, default=None
        Normalisation after each convolution and hidden layer (see
        :func:`~sknn.modules._layers.norm_layer`).
    dropout : float, default=0.0
        Dropout after each block and hidden layer.
    noise : {"gaussian", "mask"} or None, default=None
        Corruption of the input during training (see :class:`Corruption`).
    noise_level : float, default=0.1
        Standard deviation (gaussian) or rate (mask) of the corruption.
    variational : bool, default=False
        A variational autoencoder (see :class:`DenseAutoencoder`).

    Examples
    --------
    >>> import torch
    >>> from sknn.modules import ConvAutoencoder
    >>> net = ConvAutoencoder(input_shape=(1, 8, 8), n_components=8)
    >>> net.encode(torch.zeros(5, 1, 8, 8)).shape
    torch.Size([5, 8])
    >>> net(torch.zeros(5, 1, 8, 8)).shape
    torch.Size([5, 1, 8, 8])
    >>> signals = ConvAutoencoder(input_shape=(2, 30), n_components=4)
    >>> signals(torch.zeros(5, 2, 30)).shape
    torch.Size([5, 2, 30])
    """

    def __init__(
        self,
        input_shape: tuple[int, ...],
        n_components: int,
        filters: tuple[int, ...] = (32, 64),
        kernel_size: int = 3,
        pooling: str = "max",
        pool_size: int = 2,
        hidden_layer_sizes: tuple[int, ...] = (),
        activation: str = "relu",
        normalization: str | None = None,
        dropout: float = 0.0,
        noise: str | None = None,
        noise_level: float = 0.1,
        variational: bool = False,
    ):
        super().__init__(n_components, noise, noise_level, variational)
        if len(input_shape) not in (2, 3):
            raise ValueError(
                "input_shape must be (channels, length) or (channels, height, "
                f"width), got {tuple(input_shape)}."
            )
        if not filters:
            raise ValueError("filters must hold at least one block, got ().")
        self.input_shape = tuple(input_shape)
        self.filters = tuple(filters)
        self.kernel_size = kernel_size
        if pooling == "avg":
            pooling = renamed_argument(
                "ConvAutoencoder", "pooling", "avg", "pooling", "mean"
            )
        self.pooling = pooling
        self.pool_size = pool_size
        self.hidden_layer_sizes = tuple(hidden_layer_sizes)
        n_dims = len(self.input_shape) - 1
        conv, max_pool, _ = CONV_LAYERS[n_dims]
        block = {
            "activation": activation,
            "normalization": normalization,
            "dropout": dropout,
        }

        # Encoder: the blocks, recording the size each one pools from.
        sizes, encoder, channels = [], [], self.input_shape[0]
        probe = torch.zeros(1, *self.input_shape)
        for n_filters in self.filters:
            sizes.append(tuple(probe.shape[2:]))
            encoder += conv_block(
                n_dims, channels, n_filters, kernel_size, **block,
                pooling=pooling, pool_size=pool_size,
            )  # fmt: skip
            if pooling != "none":  # any pooling shrinks the maps alike
                probe = max_pool(pool_size, ceil_mode=True)(probe)
            channels = n_filters
        maps = (channels, *probe.shape[2:])  # the last feature maps
        width = math.prod(maps)
        hidden = self.hidden_layer_sizes
        self.encoder = nn.Sequential(
            *encoder,
            nn.Flatten(),
            *dense_layers(width, hidden, **block),
            nn.Linear(hidden[-1] if hidden else width, self.code_width),
        )

        # Decoder: the mirror image, up-sampling back to each recorded size.
        decoder = [
            *dense_layers(n_components, (*hidden[::-1], width), **block),
            nn.Unflatten(1, maps),
        ]
        for size, n_filters in zip(sizes[::-1], self.filters[::-1], strict=True):
            if pooling != "none":
                decoder.append(nn.Upsample(size=size, mode="nearest"))
            decoder += conv_block(n_dims, channels, n_filters, kernel_size, **block)
            channels = n_filters
        decoder.append(conv(channels, self.input_shape[0], kernel_size, padding="same"))
        self.decoder = nn.Sequential(*decoder)

    def extra_repr(self) -> str:
        return (
            f"input_shape={self.input_shape}, n_components={self.n_components}, "
            f"filters={self.filters}"
        )
