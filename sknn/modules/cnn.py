"""A convolutional network for signals (1D) and images (2D)."""

import math

import torch
from torch import nn

from ._layers import conv_block, dense_layers, renamed_argument
from .augment import RandomShiftFlip


class CNN(nn.Module):
    """Convolution blocks, then a dense head: ``(N, C, L)`` or ``(N, C, H, W)``
    inputs to ``(N, n_outputs)`` raw scores.

    Each block is ``Conv -> [normalisation] -> activation -> [pooling] ->
    [Dropout]``; the blocks' output is flattened (or averaged over its
    positions with ``global_pool=True``) and fed to dense hidden layers
    ``Linear -> [normalisation] -> activation -> [Dropout]`` and a final
    ``Linear``. 1D or 2D layers follow the length of ``input_shape``.

    Parameters
    ----------
    input_shape : tuple of int
        Shape of one sample: ``(channels, length)`` for signals,
        ``(channels, height, width)`` for images.
    n_outputs : int
        Width of the output.
    filters : tuple of int, default=(32, 64)
        Number of filters of each convolution block, in order.
    kernel_size : int or tuple of int, default=3
        Size of the convolution kernels: one for every block, or one per
        block.
    stride : int, default=1
        Stride of the convolutions.
    padding : {"same", "valid"} or int, default="same"
        Padding of the convolutions; ``"same"`` keeps the size at stride 1.
    pooling : {"max", "mean", "none"}, default="max"
        Pooling after each block. Windows that overhang the edge are kept, so
        that small inputs never pool down to nothing.
    pool_size : int, default=2
        Size (and stride) of the pooling windows.
    activation : str, default="relu"
        Activation of every block and hidden layer.
    normalization : {"batch", "layer", "group"} or None, default=None
        Normalisation after each convolution and hidden layer (see
        :func:`~sknn.modules._layers.norm_layer`): with the statistics of the
        batch, or of each sample over all its channels (``"layer"``) or over
        groups of 8 channels (``"group"``); None: none.
    dropout : float, default=0.0
        Dropout probability after each block and hidden layer.
    global_pool : bool, default=False
        Average each filter over all positions instead of flattening.
    hidden_layer_sizes : tuple of int, default=(128,)
        Widths of the dense hidden layers of the head.
    random_shift : int, default=0
        Training-time augmentation: shift each sample by up to this many
        positions along each spatial axis (see :class:`RandomShiftFlip`).
    random_flip : bool, default=False
        Training-time augmentation: mirror samples left-right at random.

    Examples
    --------
    >>> import torch
    >>> from sknn.modules import CNN
    >>> net = CNN(input_shape=(1, 8, 8), n_outputs=10)
    >>> net(torch.zeros(5, 1, 8, 8)).shape
    torch.Size([5, 10])
    """

    def __init__(
        self,
        input_shape: tuple[int, ...],
        n_outputs: int,
        filters: tuple[int, ...] = (32, 64),
        kernel_size: int | tuple[int, ...] = 3,
        stride: int = 1,
        padding: str | int = "same",
        pooling: str = "max",
        pool_size: int = 2,
        activation: str = "relu",
        normalization: str | None = None,
        dropout: float = 0.0,
        global_pool: bool = False,
        hidden_layer_sizes: tuple[int, ...] = (128,),
        random_shift: int = 0,
        random_flip: bool = False,
    ):
        super().__init__()
        if len(input_shape) not in (2, 3):
            raise ValueError(
                "input_shape must be (channels, length) or (channels, height, "
                f"width), got {tuple(input_shape)}."
            )
        self.input_shape = tuple(input_shape)
        self.n_outputs = n_outputs
        self.filters = tuple(filters)
        self.kernel_size = kernel_size
        kernel_sizes = self._kernel_sizes()
        self.stride = stride
        self.padding = padding
        if pooling == "avg":
            pooling = renamed_argument("CNN", "pooling", "avg", "pooling", "mean")
        self.pooling = pooling
        self.pool_size = pool_size
        self.activation = activation
        self.normalization = normalization
        self.dropout = dropout
        self.global_pool = global_pool
        self.hidden_layer_sizes = tuple(hidden_layer_sizes)
        self.random_shift = random_shift
        self.random_flip = random_flip

        blocks, channels = [], self.input_shape[0]
        if random_shift or random_flip:
            blocks.append(RandomShiftFlip(random_shift, random_flip))
        for n_filters, size in zip(self.filters, kernel_sizes, strict=True):
            blocks += conv_block(
                len(self.input_shape) - 1,
                channels,
                n_filters,
                size,
                activation,
                normalization,
                dropout,
                stride=stride,
                # torch's "same" needs stride 1
                padding=size // 2 if padding == "same" and stride != 1 else padding,
                pooling=pooling,
                pool_size=pool_size,
            )
            channels = n_filters
        self.features = nn.Sequential(*blocks)

        n_features = self._n_features()
        self.head = dense_layers(
            n_features, self.hidden_layer_sizes, activation, normalization, dropout
        )
        width = self.hidden_layer_sizes[-1] if self.hidden_layer_sizes else n_features
        self.output = nn.Linear(width, n_outputs)

    def _kernel_sizes(self) -> tuple[int, ...]:
        """One kernel size per block."""
        if isinstance(self.kernel_size, int):
            return (self.kernel_size,) * len(self.filters)
        sizes = tuple(self.kernel_size)
        if len(sizes) == 1:
            return sizes * len(self.filters)
        if len(sizes) != len(self.filters):
            raise ValueError(
                f"kernel_size must be one int or one per block: filters has "
                f"{len(self.filters)} blocks, but kernel_size={sizes} has "
                f"{len(sizes)} values."
            )
        return sizes

    def _n_features(self) -> int:
        """Width of the flattened (or pooled) block output; a ValueError if
        the blocks leave nothing of the input."""
        self.features.eval()  # batch norm cannot train on the single probe row
        try:
            with torch.no_grad():
                out = self.features(torch.zeros(1, *self.input_shape))
        except RuntimeError:  # a kernel larger than what is left of the input
            out = torch.zeros(0)
        self.features.train()
        if out.numel() == 0:
            raise ValueError(
                f"The convolutions reduce inputs of shape {self.input_shape} to "
                "nothing: use padding='same', a smaller kernel_size or stride, or "
                "fewer filters."
            )
        return out.shape[1] if self.global_pool else math.prod(out.shape[1:])

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """Raw scores (N, n_outputs) for inputs (N, C, L) or (N, C, H, W)."""
        features = self.features(X)  # (N, filters[-1], *positions)
        if self.global_pool:
            features = features.mean(dim=tuple(range(2, features.ndim)))  # (N, F)
        else:
            features = features.flatten(1)  # (N, F * positions)
        return self.output(self.head(features))  # (N, n_outputs)

    def extra_repr(self) -> str:
        return (
            f"input_shape={self.input_shape}, n_outputs={self.n_outputs}, "
            f"filters={self.filters}, global_pool={self.global_pool}"
        )
