"""Batch normalisation whose batch statistics honour sample weights.

In training, a batch-normalisation layer normalises each sample with the
mean and variance of its batch. With sample weights, those statistics are
the weighted ones here: a sample of weight 2 counts as two copies of it, and
one of weight 0 as none, so that weighting a sample and repeating it train
the same network (scikit-learn's sample-weight semantics). Without weights,
and in evaluation mode (running statistics), the layers are torch's.

The engine gives the weights of each training batch to every such layer of
the module (:func:`weighted_norms`, listed once per net) with
:func:`batch_weights` around the forward pass.
"""

import contextlib

import torch
from torch import nn

from .._torch import check_batch_norm_input


# torch's batch_norm takes no sample weights: the weighted statistics are here.
class _WeightedBatchNorm:
    """What :class:`WeightedBatchNorm1d` and ``2d`` add to torch's layers."""

    #: The weights of the samples of the current training batch, or None.
    sample_weight: torch.Tensor | None = None

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        weight = self.sample_weight
        if weight is None or not self.training:
            return super().forward(X)
        check_batch_norm_input(self, X)
        # (N,) weights -> (N, 1, *1): broadcast over channels and positions.
        w = weight.to(X.dtype).view(-1, *([1] * (X.ndim - 1)))
        axes = [0, *range(2, X.ndim)]  # all but the channels
        positions = X[0, 0].numel()  # per sample and channel
        total = w.sum() * positions
        mean = (w * X).sum(axes) / total  # (C,)
        shape = (1, -1, *([1] * (X.ndim - 2)))
        centred = X - mean.view(shape)
        variance = (w * centred.square()).sum(axes) / total  # biased, (C,)
        if self.track_running_stats:
            with torch.no_grad():
                self.num_batches_tracked.add_(1)
                momentum = self.momentum
                if momentum is None:  # cumulative moving average
                    momentum = 1.0 / float(self.num_batches_tracked)
                # torch keeps the unbiased variance: n / (n - 1), n the
                # (weighted) number of values per channel.
                unbiased = variance * total / torch.clamp(total - 1, min=1)
                self.running_mean.lerp_(mean, momentum)
                self.running_var.lerp_(unbiased, momentum)
        out = centred * torch.rsqrt(variance + self.eps).view(shape)
        if self.affine:
            out = out * self.weight.view(shape) + self.bias.view(shape)
        return out


class WeightedBatchNorm1d(_WeightedBatchNorm, nn.BatchNorm1d):
    """``torch.nn.BatchNorm1d`` with weighted batch statistics (see module)."""


class WeightedBatchNorm2d(_WeightedBatchNorm, nn.BatchNorm2d):
    """``torch.nn.BatchNorm2d`` with weighted batch statistics (see module)."""


def weighted_norms(module: nn.Module) -> list[nn.Module]:
    """The weighted batch-normalisation layers of ``module``."""
    return [m for m in module.modules() if isinstance(m, _WeightedBatchNorm)]


@contextlib.contextmanager
def batch_weights(layers: list[nn.Module], sample_weight: torch.Tensor | None):
    """Give ``sample_weight`` to ``layers`` (:func:`weighted_norms` of a
    module) for the forward passes inside the block."""
    if sample_weight is None or not layers:
        yield
        return
    for layer in layers:
        layer.sample_weight = sample_weight
    try:
        yield
    finally:
        for layer in layers:
            layer.sample_weight = None
