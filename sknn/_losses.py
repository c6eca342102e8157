"""Losses returning one value per sample, scaled as scikit-learn's MLP does.

The engine weights and averages the per-sample values itself, so every loss
here uses ``reduction="none"`` and reduces only over the outputs of a sample.
"""

import torch
from torch import nn


class PerSampleLoss(nn.Module):
    """Wrap an element-wise ``reduction="none"`` loss into one value per sample.

    Parameters
    ----------
    loss : nn.Module
        Element-wise loss, shape-preserving.
    outputs : {"sum", "mean"}
        How the values of one sample's outputs are combined.
    scale : float
        Factor applied to the result (0.5 for scikit-learn's squared error).
    """

    def __init__(self, loss: nn.Module, outputs: str = "mean", scale: float = 1.0):
        super().__init__()
        self.loss = loss
        self.outputs = outputs
        self.scale = scale

    def forward(self, raw: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        losses = self.loss(raw, y)  # (N,) or (N, n_outputs)
        if losses.ndim > 1:
            losses = losses.sum(dim=1) if self.outputs == "sum" else losses.mean(dim=1)
        return losses * self.scale if self.scale != 1.0 else losses  # (N,)


class PoissonDeviance(nn.Module):
    """Half Poisson deviance with a log link, element-wise, as scikit-learn's
    ``poisson_loss``: ``y log(y / mu) - y + mu`` with ``mu = exp(raw)``."""

    def forward(self, raw: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return torch.xlogy(y, y) - y * raw - y + torch.exp(raw)


def classification_loss(multiclass: bool) -> nn.Module:
    """Softmax cross-entropy, or logistic loss summed over the outputs."""
    if multiclass:
        return nn.CrossEntropyLoss(reduction="none")
    return PerSampleLoss(nn.BCEWithLogitsLoss(reduction="none"), outputs="sum")


def regression_loss(name: str) -> nn.Module:
    """The regression loss by its scikit-learn name, averaged over outputs."""
    if name == "squared_error":
        return PerSampleLoss(nn.MSELoss(reduction="none"), scale=0.5)
    if name == "absolute_error":
        return PerSampleLoss(nn.L1Loss(reduction="none"))
    if name == "huber":
        return PerSampleLoss(nn.HuberLoss(reduction="none"))
    if name == "poisson":
        return PerSampleLoss(PoissonDeviance(), outputs="sum")
    raise ValueError(
        "loss must be one of 'squared_error', 'absolute_error', 'huber', "
        f"'poisson', got {name!r}."
    )
