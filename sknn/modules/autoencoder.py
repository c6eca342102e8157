"""A dense autoencoder: an encoder to a small code and a decoder back."""

import torch
from torch import nn

from ._layers import dense_layers, normalization_argument

NOISES = ("gaussian", "mask")


class Corruption(nn.Module):
    """Training-time corruption of the input, for denoising autoencoders.

    ``"gaussian"`` adds noise of standard deviation ``level``; ``"mask"`` sets
    each value to 0 with probability ``level``. The identity in eval mode.

    Examples
    --------
    >>> import torch
    >>> from sknn.modules.autoencoder import Corruption
    >>> noisy = Corruption("mask", 0.5)
    >>> noisy.eval()(torch.ones(2, 3))
    tensor([[1., 1., 1.],
            [1., 1., 1.]])
    """

    def __init__(self, kind: str, level: float):
        super().__init__()
        if kind not in NOISES:
            raise ValueError(f"noise must be one of {NOISES}, got {kind!r}.")
        self.kind = kind
        self.level = level

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        if not self.training or self.level == 0:
            return X
        if self.kind == "gaussian":
            return X + self.level * torch.randn_like(X)
        return X * (torch.rand_like(X) >= self.level)

    def extra_repr(self) -> str:
        return f"kind={self.kind!r}, level={self.level}"


class CodeAutoencoder(nn.Module):
    """What every autoencoder module shares: a corruption of the input, an
    ``encoder`` to codes and a ``decoder`` back, set by the subclasses, and
    the variational sampling between them.

    With ``variational``, the encoder gives ``2 * n_components`` values, the
    mean and the log variance of a Gaussian code; training decodes a sample
    of it, and ``forward`` returns ``(reconstruction, kl)`` where ``kl`` is
    each sample's KL divergence from the standard normal prior. ``encode``
    returns the mean.
    """

    def __init__(
        self,
        n_components: int,
        noise: str | None = None,
        noise_level: float = 0.1,
        variational: bool = False,
    ):
        super().__init__()
        self.n_components = n_components
        self.variational = variational
        if noise is None:
            self.corrupt = nn.Identity()
        else:
            self.corrupt = Corruption(noise, noise_level)

    @property
    def code_width(self) -> int:
        """Width of the encoder's output: the code, or its mean and log variance."""
        return 2 * self.n_components if self.variational else self.n_components

    def encode(self, X: torch.Tensor) -> torch.Tensor:
        """Codes (N, n_components) of inputs: the means of the codes of a
        variational autoencoder."""
        codes = self.encoder(X)  # (N, code_width)
        return codes[:, : self.n_components] if self.variational else codes

    def decode(self, codes: torch.Tensor) -> torch.Tensor:
        """Raw reconstructions, in the input's shape, of codes (N, n_components)."""
        return self.decoder(codes)

    def forward(self, X: torch.Tensor):
        """Raw reconstructions of (corrupted, in training) inputs; with
        ``variational``, ``(reconstructions, kl)``."""
        codes = self.encoder(self.corrupt(X))  # (N, code_width)
        if not self.variational:
            return self.decode(codes)
        mean, log_var = codes.chunk(2, dim=1)  # (N, n_components) each
        if self.training:
            codes = mean + torch.exp(0.5 * log_var) * torch.randn_like(mean)
        else:
            codes = mean
        kl = -0.5 * (1 + log_var - mean.square() - log_var.exp()).sum(dim=1)  # (N,)
        return self.decode(codes), kl


class DenseAutoencoder(CodeAutoencoder):
    """``(N, n_features)`` rows to ``(N, n_components)`` codes and back.

    The encoder is dense hidden layers ``Linear -> [normalisation] -> activation
    -> [Dropout]`` then a linear layer to the code; the decoder mirrors the
    hidden layers (or uses ``decoder_layer_sizes``) and ends in a linear layer
    to ``n_features`` raw outputs (logits when the data is reconstructed
    through a sigmoid).

    Parameters
    ----------
    n_features : int
        Width of the input.
    n_components : int
        Width of the code.
    hidden_layer_sizes : tuple of int, default=(512,)
        Widths of the encoder's hidden layers, from the input.
    decoder_layer_sizes : tuple of int or None, default=None
        Widths of the decoder's hidden layers, from the code; None mirrors
        ``hidden_layer_sizes``.
    activation : str, default="relu"
        Activation of the hidden layers.
    normalization : {"batch", "layer"} or None, default=None
        Normalisation after each hidden layer (see :class:`MLP`).
    batch_norm : bool or None, default=None
        Deprecated (0.1), removed in 0.3: ``True`` is
        ``normalization="batch"``.
    dropout : float, default=0.0
        Dropout after each hidden layer.
    noise : {"gaussian", "mask"} or None, default=None
        Corruption of the input during training (see :class:`Corruption`).
    noise_level : float, default=0.1
        Standard deviation (gaussian) or rate (mask) of the corruption.
    variational : bool, default=False
        A variational autoencoder: the encoder gives the mean and the log
        variance of a Gaussian code, training decodes a sample of it, and
        ``forward`` returns ``(reconstruction, kl)`` where ``kl`` is each
        sample's KL divergence from the standard normal prior. ``encode``
        returns the mean.

    Examples
    --------
    >>> import torch
    >>> from sknn.modules import DenseAutoencoder
    >>> net = DenseAutoencoder(n_features=64, n_components=8)
    >>> net.encode(torch.zeros(5, 64)).shape
    torch.Size([5, 8])
    >>> net(torch.zeros(5, 64)).shape
    torch.Size([5, 64])
    >>> vae = DenseAutoencoder(n_features=64, n_components=8, variational=True)
    >>> reconstruction, kl = vae(torch.zeros(5, 64))
    >>> reconstruction.shape, kl.shape
    (torch.Size([5, 64]), torch.Size([5]))
    """

    def __init__(
        self,
        n_features: int,
        n_components: int,
        hidden_layer_sizes: tuple[int, ...] = (512,),
        decoder_layer_sizes: tuple[int, ...] | None = None,
        activation: str = "relu",
        normalization: str | None = None,
        dropout: float = 0.0,
        noise: str | None = None,
        noise_level: float = 0.1,
        variational: bool = False,
        batch_norm: bool | None = None,
    ):
        super().__init__(n_components, noise, noise_level, variational)
        self.n_features = n_features
        self.hidden_layer_sizes = tuple(hidden_layer_sizes)
        if decoder_layer_sizes is None:
            decoder_layer_sizes = self.hidden_layer_sizes[::-1]
        self.decoder_layer_sizes = tuple(decoder_layer_sizes)
        layers = {
            "activation": activation,
            "normalization": normalization_argument(
                "DenseAutoencoder", normalization, batch_norm
            ),
            "dropout": dropout,
        }
        self.encoder = self._stack(
            n_features, self.hidden_layer_sizes, self.code_width, **layers
        )
        self.decoder = self._stack(
            n_components, self.decoder_layer_sizes, n_features, **layers
        )

    @staticmethod
    def _stack(n_in, sizes, n_out, **layers) -> nn.Sequential:
        hidden = dense_layers(n_in, sizes, **layers)
        return nn.Sequential(*hidden, nn.Linear(sizes[-1] if sizes else n_in, n_out))

    def extra_repr(self) -> str:
        return f"n_features={self.n_features}, n_components={self.n_components}"
