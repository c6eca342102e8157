"""Losses as scikit-learn's MLP scales them, per sample or averaged.

Every loss here is called as ``loss(raw, y, reduction)``: ``"none"`` gives one
value per sample (the engine weights them when there are sample weights),
``"mean"`` their mean, computed in as few kernels as torch allows (the common,
unweighted case).
"""

import functools

import torch
import torch.nn.functional as F
from torch import nn


# torch's poisson_nll_loss leaves out y log(y) - y, which scikit-learn counts.
def poisson_deviance(raw, y, reduction="none"):
    """Half Poisson deviance with a log link, as scikit-learn's ``poisson_loss``:
    ``y log(y / mu) - y + mu`` with ``mu = exp(raw)``, element-wise."""
    losses = torch.xlogy(y, y) - y * raw - y + torch.exp(raw)
    return losses if reduction == "none" else getattr(losses, reduction)()


class SampleLoss(nn.Module):
    """An element-wise loss function, reduced over each sample's outputs.

    Parameters
    ----------
    loss : callable
        ``loss(raw, y, reduction=...)`` as ``torch.nn.functional`` losses.
    outputs : {"sum", "mean"}
        How the values of one sample's outputs are combined.
    scale : float
        Factor applied to the result (0.5 for scikit-learn's squared error).
    """

    def __init__(self, loss, outputs: str = "mean", scale: float = 1.0):
        super().__init__()
        self.loss = loss
        self.outputs = outputs
        self.scale = scale

    def forward(self, raw: torch.Tensor, y: torch.Tensor, reduction: str = "none"):
        if reduction == "mean":
            # The mean over samples of per-sample means (sums) is the mean (sum)
            # over all elements (divided by the number of samples).
            if self.outputs == "mean":
                loss = self.loss(raw, y, reduction="mean")
            else:
                loss = self.loss(raw, y, reduction="sum") / raw.shape[0]
            return loss * self.scale if self.scale != 1.0 else loss  # ()
        losses = self.loss(raw, y, reduction="none")  # (N,) or (N, *outputs)
        if losses.ndim > 1:
            losses = losses.flatten(1)  # (N, outputs)
            losses = losses.sum(dim=1) if self.outputs == "sum" else losses.mean(dim=1)
        return losses * self.scale if self.scale != 1.0 else losses  # (N,)


class CrossEntropy(nn.Module):
    """Softmax cross-entropy of raw scores against class indices, the targets
    optionally smoothed (``label_smoothing`` of the mass spread evenly)."""

    def __init__(self, label_smoothing: float = 0.0):
        super().__init__()
        self.label_smoothing = label_smoothing

    def forward(self, raw: torch.Tensor, y: torch.Tensor, reduction: str = "none"):
        return F.cross_entropy(
            raw, y, reduction=reduction, label_smoothing=self.label_smoothing
        )  # (N,) or ()


def smoothed_logistic_loss(raw, y, reduction="none", *, label_smoothing=0.0):
    """Logistic loss against 0/1 targets moved ``label_smoothing / 2`` towards
    one half."""
    y = y * (1 - label_smoothing) + label_smoothing / 2
    return F.binary_cross_entropy_with_logits(raw, y, reduction=reduction)


def classification_loss(multiclass: bool, label_smoothing: float = 0.0) -> nn.Module:
    """Softmax cross-entropy, or logistic loss summed over the outputs."""
    if multiclass:
        return CrossEntropy(label_smoothing)
    if label_smoothing:
        loss = functools.partial(
            smoothed_logistic_loss, label_smoothing=label_smoothing
        )
        return SampleLoss(loss, outputs="sum")
    return SampleLoss(F.binary_cross_entropy_with_logits, outputs="sum")


class MemberLoss(nn.Module):
    """A loss over ensemble members: raw outputs ``(N, k, n_outputs)``, each
    member scored against the same targets by ``loss``, per sample the mean
    over members. Outputs of eval mode, ``(N, n_outputs)``, go to ``loss`` as
    they are."""

    def __init__(self, loss: nn.Module):
        super().__init__()
        self.loss = loss

    def forward(self, raw: torch.Tensor, y: torch.Tensor, reduction: str = "none"):
        if raw.ndim < 3:
            return self.loss(raw, y, reduction=reduction)
        n, k = raw.shape[:2]
        members = raw.flatten(0, 1)  # (N * k, ...)
        losses = self.loss(members, y.repeat_interleave(k, dim=0), reduction="none")
        losses = losses.view(n, k).mean(dim=1)  # (N,)
        return losses if reduction == "none" else getattr(losses, reduction)()


def regression_loss(name: str) -> nn.Module:
    """The regression loss by its scikit-learn name, averaged over outputs."""
    if name == "squared_error":
        return SampleLoss(F.mse_loss, scale=0.5)
    if name == "absolute_error":
        return SampleLoss(F.l1_loss)
    if name == "huber":
        return SampleLoss(F.huber_loss)
    if name == "poisson":
        return SampleLoss(poisson_deviance, outputs="sum")
    raise ValueError(
        "loss must be one of 'squared_error', 'absolute_error', 'huber', "
        f"'poisson', got {name!r}."
    )
