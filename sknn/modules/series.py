"""Random-kernel features of series: MiniRocket's convolutions and pooling."""

import itertools
import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

#: Kernels of 9 weights: -1 everywhere but 2 at three of the nine positions
#: (the 84 ways to choose them), so that each sums to 0 and answers to a
#: shape whatever the level of the series.
KERNEL_LENGTH = 9
N_KERNELS = math.comb(KERNEL_LENGTH, 3)

#: Convolutions run on chunks of series of at most this many output values
#: (some 64 MiB in float32), so that many long series never fill the memory.
CHUNK_VALUES = 2**24


def _kernels() -> torch.Tensor:
    weights = torch.full((N_KERNELS, 1, KERNEL_LENGTH), -1.0)
    for kernel, positions in enumerate(itertools.combinations(range(9), 3)):
        weights[kernel, 0, list(positions)] = 2.0
    return weights  # (84, 1, 9)


def kernel_dilations(
    length: int, n_kernel_features: int, max_dilations: int
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """MiniRocket's dilations for series of ``length`` steps, spread
    exponentially from 1 to about ``length / 8`` (a kernel then spans the
    whole series), and how many features each kernel gives at each."""
    per_kernel = max(1, n_kernel_features // N_KERNELS)
    n_dilations = min(per_kernel, max_dilations)
    exponent = math.log2(max((length - 1) / (KERNEL_LENGTH - 1), 1))
    spread = np.logspace(0, exponent, n_dilations, base=2).astype(int)
    dilations, counts = np.unique(spread, return_counts=True)
    per_dilation = (counts * per_kernel // n_dilations).astype(int)
    for i in range(per_kernel - per_dilation.sum()):
        per_dilation[i % len(per_dilation)] += 1
    return tuple(int(d) for d in dilations), tuple(int(f) for f in per_dilation)


#: How each kernel's outputs, less a bias, pool over a series' positions:
#: MiniRocket's proportion of positive values (PPV), and MultiRocket's mean
#: of the positive values (MPV), mean position of the positive values
#: (MIPV, a fraction of the series; -1 where none is) and longest stretch of
#: positive values (LSPV, a fraction of the series).
POOLINGS = ("ppv", "mpv", "mipv", "lspv")


def pooling_names(pooling) -> tuple[str, ...]:
    """``pooling`` (a name or a sequence of names) as a tuple of names; a
    ValueError saying which are valid otherwise."""
    names = (pooling,) if isinstance(pooling, str) else tuple(pooling)
    if not names or set(names) - set(POOLINGS) or len(set(names)) < len(names):
        raise ValueError(
            f"pooling must be one of {POOLINGS} or a sequence of distinct ones, "
            f"got {pooling!r}."
        )
    return names


def quantile_levels(n: int) -> torch.Tensor:
    """``n`` levels in (0, 1) that spread evenly whatever ``n`` (the
    fractional parts of multiples of the golden ratio)."""
    return torch.from_numpy((np.arange(1, n + 1) * (math.sqrt(5) + 1) / 2) % 1)


class MiniRocket(nn.Module):
    """MiniRocket's features of series (Dempster, Schmidt and Webb, 2021):
    ``(N, C, L)`` series to ``(N, n_features)`` features (proportions in
    [0, 1] with the default pooling).

    84 fixed kernels of length 9 are applied at several dilations; each
    kernel reads a random combination of the channels (summed). Each output
    is compared with biases drawn from the training series' own outputs at
    spread quantiles (:meth:`fit_biases`), and pooled over the positions of
    each series: as the proportion of positive values (PPV), or also as
    MultiRocket's poolings (``pooling``). Every other
    kernel counts only the positions its receptive field covers without
    padding. Nothing here is trained by gradients: the features are fixed
    once the biases are set, and a model reads them.

    Series of different lengths come zero-padded at the end with their
    ``lengths``: positions past a series' end never count.

    Parameters
    ----------
    n_channels : int
        Channels of the series.
    length : int
        Length of the training series (the longest): it sets the dilations.
    n_kernel_features : int, default=10_000
        How many features to make, rounded down to a multiple of 84.
    max_dilations : int, default=32
        The most dilations per kernel.
    seed : int, default=0
        Seed of the channels' combinations.
    pooling : tuple of {"ppv", "mpv", "mipv", "lspv"}, default=("ppv",)
        How each kernel's outputs, less each bias, pool over the series'
        positions: the proportion of positive values (MiniRocket's), their
        mean (``"mpv"``), their mean position and their longest stretch, as
        fractions of the series (MultiRocket's, Tan et al., 2022). Each gives
        ``n_kernel_features / len(pooling)`` features.

    Examples
    --------
    >>> import torch
    >>> from sknn.modules import MiniRocket
    >>> rocket = MiniRocket(n_channels=1, length=50, n_kernel_features=840)
    >>> X = torch.randn(20, 1, 50)
    >>> rocket.fit_biases(X)
    >>> rocket(X).shape
    torch.Size([20, 840])
    """

    def __init__(
        self,
        n_channels: int,
        length: int,
        n_kernel_features: int = 10_000,
        max_dilations: int = 32,
        seed: int = 0,
        pooling: tuple[str, ...] = ("ppv",),
    ):
        super().__init__()
        pooling = pooling_names(pooling)
        self.pooling = pooling
        self.n_channels = n_channels
        self.length = length
        self.n_kernel_features = n_kernel_features
        self.max_dilations = max_dilations
        self.seed = seed
        self.dilations, self.per_dilation = kernel_dilations(
            length, n_kernel_features // len(pooling), max_dilations
        )
        self.n_features = N_KERNELS * sum(self.per_dilation) * len(pooling)
        self.register_buffer("kernels", _kernels())
        # The three positions of each kernel's weights of 2: (84, 3).
        positions = (self.kernels[:, 0] > 0).nonzero()[:, 1].reshape(N_KERNELS, 3)
        self.register_buffer("positions", positions, persistent=False)
        generator = torch.Generator().manual_seed(seed)
        self.register_buffer("channel_masks", self._channel_masks(generator))
        self.register_buffer(
            "biases",
            torch.zeros(len(self.dilations), N_KERNELS, max(self.per_dilation)),
        )

    def arguments(self) -> dict:
        """The arguments that build this module again (its fitted biases
        come with its state dict)."""
        return {
            "n_channels": self.n_channels,
            "length": self.length,
            "n_kernel_features": self.n_kernel_features,
            "max_dilations": self.max_dilations,
            "seed": self.seed,
            "pooling": self.pooling,
        }

    def _channel_masks(self, generator) -> torch.Tensor:
        """Which channels each kernel sums at each dilation: of 1 to 9 of
        them, drawn as MiniRocket draws them (2 ** uniform(0, log2(C' + 1)))."""
        shape = (len(self.dilations), N_KERNELS)
        masks = torch.zeros(*shape, self.n_channels)  # (D, 84, C)
        limit = math.log2(min(self.n_channels, KERNEL_LENGTH) + 1)
        counts = (2 ** (torch.rand(shape, generator=generator) * limit)).long()
        counts = counts.clamp(1, self.n_channels)
        for index in np.ndindex(*shape):
            order = torch.randperm(self.n_channels, generator=generator)
            masks[index][order[: counts[index]]] = 1.0
        return masks

    def _convolve(self, X: torch.Tensor, index: int) -> torch.Tensor:
        """Every kernel at dilation ``index`` over X (N, C, L), its channels
        combined: (N, 84, L).

        As MiniRocket computes them: a kernel's output is 3 times the sum of
        the three inputs under its weights of 2, less the sum of all nine.
        Each output is so a fixed sequence of additions of its own inputs,
        the same whatever else the batch holds (a convolution's rounding
        varies with the batch's size), so that a series' outputs, and which
        side of a bias drawn from them they fall, never depend on the series
        read beside it."""
        _, channels, length = X.shape
        dilation = self.dilations[index]
        edge = (KERNEL_LENGTH - 1) // 2 * dilation
        padded = F.pad(X, (edge, edge))  # (N, C, L + 2 * edge)
        taps = torch.stack(
            [
                padded[..., tap * dilation : tap * dilation + length]
                for tap in range(KERNEL_LENGTH)
            ],
            dim=2,
        )  # (N, C, 9, L)
        total = taps[:, :, 0]
        for tap in range(1, KERNEL_LENGTH):
            total = total + taps[:, :, tap]
        first, second, third = self.positions.unbind(1)  # (84,) each
        out = taps[:, :, first] + taps[:, :, second]  # (N, C, 84, L)
        out += taps[:, :, third]
        out *= 3
        out -= total[:, :, None]
        if channels == 1:
            return out[:, 0]
        masks = self.channel_masks[index].to(X.dtype)  # (84, C)
        combined = out[:, 0] * masks[:, 0, None]
        for channel in range(1, channels):
            combined = combined + out[:, channel] * masks[:, channel, None]
        return combined  # (N, 84, L)

    def _stretches(self, index: int, lengths: torch.Tensor):
        """Where each kernel's pooling starts and stops counting positions at
        dilation ``index``: (N, 84) each. Kernels of odd ``kernel + index``
        count those whose receptive field lies within the series, where
        there are any; the others every position of the series."""
        edge = (KERNEL_LENGTH - 1) // 2 * self.dilations[index]
        kernels = torch.arange(N_KERNELS, device=lengths.device)
        inner = ((kernels + index) % 2 == 1)[None, :] & (lengths > 2 * edge)[:, None]
        start = torch.where(inner, edge, 0)
        stop = torch.where(inner, lengths[:, None] - edge, lengths[:, None])
        return start, stop

    def _counted(self, index: int, lengths: torch.Tensor, length: int):
        """Which positions each kernel's pooling counts at dilation
        ``index``: (N, 84, L) (:meth:`_stretches`)."""
        start, stop = self._stretches(index, lengths)
        positions = torch.arange(length, device=lengths.device)
        return (positions >= start[..., None]) & (positions < stop[..., None])

    @torch.no_grad()
    def fit_biases(
        self,
        X: torch.Tensor,
        lengths: torch.Tensor | None = None,
        sample_weight: torch.Tensor | None = None,
        max_positions: int = 128,
    ) -> None:
        """Set the biases from training series X (N, C, L): for each kernel
        and dilation, quantiles of its outputs over every series' positions
        (up to ``max_positions`` evenly spaced ones per series), the series
        weighted by ``sample_weight`` (a weight of 2 counts as two copies).
        The quantiles are of the weighted distribution, without interpolation,
        so that equal weights and repeated series give equal biases."""
        n, _, length = X.shape
        lengths = self._lengths(X, lengths)
        weight = (
            torch.ones(n, dtype=torch.float64)
            if sample_weight is None
            else (sample_weight.to(torch.float64))
        )
        step = max(1, math.ceil(length / max_positions))
        kept = torch.arange(0, length, step, device=X.device)
        real = kept[None, :] < lengths[:, None]  # (N, P)
        position_weight = weight[:, None].expand(real.shape)[real]  # (M,)
        levels = iter(quantile_levels(N_KERNELS * sum(self.per_dilation)).tolist())
        # Only the kept positions of each chunk's outputs stay.
        chunk = max(1, CHUNK_VALUES // (X.shape[1] * N_KERNELS * length))
        for index, n_biases in enumerate(self.per_dilation):
            out = torch.cat(
                [
                    self._convolve(X[i : i + chunk], index)[:, :, kept]
                    for i in range(0, n, chunk)
                ]
            )  # (N, 84, P)
            values = out.permute(1, 0, 2)[:, real]  # (84, M)
            values, order = values.to(torch.float64).sort(dim=1)
            cumulative = position_weight[order].cumsum(dim=1)  # (84, M)
            q = torch.tensor(
                [[next(levels) for _ in range(n_biases)] for _ in range(N_KERNELS)],
                dtype=torch.float64,
            )  # (84, n_biases)
            at = torch.searchsorted(cumulative, q * cumulative[:, -1:])
            at = at.clamp(max=values.shape[1] - 1)
            self.biases[index, :, :n_biases] = values.gather(1, at).to(self.biases)

    @staticmethod
    def _lengths(X, lengths):
        if lengths is None:
            return torch.full((X.shape[0],), X.shape[2], device=X.device)
        return lengths.to(X.device)

    def forward(self, X: torch.Tensor, lengths: torch.Tensor | None = None):
        # X: (N, C, L), zero past each series' length
        lengths = self._lengths(X, lengths)
        features = []
        for index, n_biases in enumerate(self.per_dilation):
            out = self._convolve(X, index)  # (N, 84, L)
            biases = self.biases[index, :, :n_biases].to(X.dtype)  # (84, B)
            counted = self._counted(index, lengths, X.shape[2])  # (N, 84, L)
            start, stop = self._stretches(index, lengths)
            n_counted = (stop - start).to(X.dtype)[..., None]  # (N, 84, 1)
            features.extend(self._pool(out, biases, counted, n_counted))
        return torch.cat(features, dim=1)  # (N, n_features)

    def _pool(self, out, biases, counted, n_counted) -> list[torch.Tensor]:
        """The pooled features of outputs (N, 84, L) less biases (84, B),
        over the ``counted`` positions (N, 84, L), ``n_counted`` of them
        (N, 84, 1): one (N, 84 * B) per pooling."""
        positive = (out[..., None] > biases[:, None, :]) & counted[..., None]
        n_positive = positive.sum(2).to(out.dtype)  # (N, 84, B)
        some = n_positive.clamp(min=1)
        pooled = []
        for name in self.pooling:
            if name == "ppv":
                value = n_positive / n_counted
            elif name == "mpv":
                shifted = out[..., None] - biases[:, None, :]  # (N, 84, L, B)
                value = (shifted * positive).sum(2) / some
            elif name == "mipv":
                # Positions from the first counted one, as fractions of the
                # counted stretch.
                rank = counted.cumsum(2).to(out.dtype) - 1  # (N, 84, L)
                mean = (positive * rank[..., None]).sum(2) / some
                value = torch.where(
                    n_positive > 0, mean / (n_counted - 1).clamp(min=1), -1.0
                )
            else:  # lspv
                # Each position's stretch is the count of values not positive
                # up to it: the longest stretch is the most positive values
                # in one.
                stretch = (~positive).long().cumsum(2)  # (N, 84, L, B)
                shape = (*stretch.shape[:2], stretch.shape[2] + 1, stretch.shape[3])
                counts = out.new_zeros(shape).scatter_add(
                    2, stretch, positive.to(out.dtype)
                )
                value = counts.amax(2) / n_counted
            pooled.append(value.flatten(1))
        return pooled

    def extra_repr(self) -> str:
        return (
            f"n_channels={self.n_channels}, length={self.length}, "
            f"n_features={self.n_features}, dilations={self.dilations}"
        )


def first_differences(X: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Each step's change from the step before (0 at the first), zero past
    each series' length: (N, C, L) -> (N, C, L)."""
    changes = torch.diff(X, dim=2, prepend=X[:, :, :1])
    real = torch.arange(X.shape[2], device=X.device) < lengths[:, None]  # (N, L)
    return changes * real[:, None, :]


def series_statistics(X: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """What MiniRocket's kernels, which sum to 0, cannot see: each channel's
    level and spread (mean, standard deviation, minimum and maximum over its
    real steps), and the log of each series' length. (N, C, L) series, zero
    past each length -> (N, 4 * C + 1)."""
    real = torch.arange(X.shape[2], device=X.device) < lengths[:, None]  # (N, L)
    real = real[:, None, :]  # (N, 1, L)
    count = lengths[:, None].to(X.dtype)  # (N, 1)
    mean = X.sum(2) / count  # (N, C)
    spread = (((X - mean[..., None]) * real) ** 2).sum(2) / count
    low = X.masked_fill(~real, torch.inf).amin(2)
    high = X.masked_fill(~real, -torch.inf).amax(2)
    size = torch.log(count)
    return torch.cat([mean, spread.sqrt(), low, high, size], dim=1)
