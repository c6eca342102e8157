"""A network for tables: numeric embeddings, category embeddings, an MLP, and
an optional ensemble of members that share it (TabM-style).

The input is the matrix that :class:`sknn._tables.Tables` converts a table
into: ``n_numeric`` scaled numeric columns, then one-hot and indicator
columns, then one column of integer codes per embedded categorical column.
"""

import math

import torch
from torch import nn

from ._layers import dense_layers

NUMERIC_EMBEDDINGS = ("none", "periodic")


class PeriodicEmbedding(nn.Module):
    """Each numeric feature as itself plus ``size`` learnt periodic features.

    Feature ``x_j`` becomes ``[x_j, relu(W_j cos(2 pi f_j x_j + b_j))]`` with
    ``n_frequencies`` frequencies ``f_j`` (initialised from N(0, sigma)) and
    phases ``b_j`` per feature, and a per-feature linear map ``W_j`` to
    ``size`` values: the periodic embeddings of Gorishniy et al. (2022), with
    the value itself kept beside them, as in RealMLP's PBLD.

    Examples
    --------
    >>> import torch
    >>> from sknn.modules import PeriodicEmbedding
    >>> embed = PeriodicEmbedding(n_features=3, size=4)
    >>> embed(torch.zeros(5, 3)).shape
    torch.Size([5, 15])
    """

    def __init__(self, n_features, n_frequencies=16, size=4, sigma=0.1):
        super().__init__()
        self.n_features, self.size = n_features, size
        self.frequencies = nn.Parameter(torch.randn(n_features, n_frequencies) * sigma)
        self.phases = nn.Parameter(torch.rand(n_features, n_frequencies) * 2 * math.pi)
        bound = 1 / math.sqrt(n_frequencies)
        self.weight = nn.Parameter(
            torch.empty(n_features, n_frequencies, size).uniform_(-bound, bound)
        )
        self.bias = nn.Parameter(torch.zeros(n_features, size))

    @property
    def width(self) -> int:
        return self.n_features * (1 + self.size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        angles = (
            2 * math.pi * self.frequencies * x[..., None] + self.phases
        )  # (N, F, K)
        features = torch.einsum("nfk,fks->nfs", torch.cos(angles), self.weight)
        features = torch.relu(features + self.bias)  # (N, F, size)
        return torch.cat([x, features.flatten(1)], dim=1)  # (N, F * (1 + size))


class TabularMLP(nn.Module):
    """An MLP over a converted table, with embeddings and ensemble members.

    Parameters
    ----------
    n_numeric : int
        Leading scaled numeric columns (where ``numeric_embedding`` applies).
    n_dense : int
        Columns before the codes: numeric, indicator and one-hot columns.
    cardinalities : tuple of int
        Number of codes of each embedded categorical column, in order.
    n_outputs : int
        Width of the output.
    hidden_layer_sizes : tuple of int
        Width of each hidden layer.
    activation : str
        Name of the hidden activation (see ``sknn.modules.ACTIVATIONS``).
    dropout : float
        Probability of zeroing a hidden unit during training.
    numeric_embedding : {"none", "periodic"}
        How numeric columns enter the network: as they are, or with
        :class:`PeriodicEmbedding` features beside them.
    embedding_dim : int
        Size of the embedding of each embedded categorical column.
    n_ensemble : int
        Members sharing the MLP (BatchEnsemble's "mini" form, as in TabM):
        each scales the input by its own learnt vector (initialised to random
        signs) and has its own output layer. In training the output is
        ``(N, n_ensemble, n_outputs)``, one prediction per member, each
        trained on its own loss; in eval mode the members' predictions are
        averaged by ``combine``.
    combine : {"mean", "softmax", "sigmoid"}
        How members are averaged in eval mode: raw outputs (regression), or
        probabilities, given back as the logits of the mean probability.

    Examples
    --------
    Two numeric columns, one one-hot column, one embedded column of 5 codes:

    >>> import torch
    >>> from sknn.modules import TabularMLP
    >>> net = TabularMLP(2, 3, (5,), n_outputs=3, n_ensemble=4, combine="softmax")
    >>> X = torch.tensor([[0.5, -1.0, 1.0, 2.0]])
    >>> net.train()(X).shape  # one output per member
    torch.Size([1, 4, 3])
    >>> net.eval()(X).shape  # the members' mean probabilities, as logits
    torch.Size([1, 3])
    """

    def __init__(
        self,
        n_numeric: int,
        n_dense: int,
        cardinalities: tuple[int, ...],
        n_outputs: int,
        hidden_layer_sizes: tuple[int, ...] = (256, 256),
        activation: str = "silu",
        dropout: float = 0.0,
        numeric_embedding: str = "periodic",
        embedding_dim: int = 8,
        n_ensemble: int = 1,
        combine: str = "mean",
    ):
        super().__init__()
        if numeric_embedding not in NUMERIC_EMBEDDINGS:
            raise ValueError(
                f"numeric_embedding must be one of {NUMERIC_EMBEDDINGS}, got "
                f"{numeric_embedding!r}."
            )
        self.n_numeric, self.n_dense = n_numeric, n_dense
        self.cardinalities = tuple(cardinalities)
        self.n_outputs, self.n_ensemble, self.combine = n_outputs, n_ensemble, combine
        self.numeric = (
            PeriodicEmbedding(n_numeric)
            if numeric_embedding == "periodic" and n_numeric
            else None
        )
        self.embeddings = nn.ModuleList(
            nn.Embedding(n, embedding_dim) for n in self.cardinalities
        )
        width = (
            (self.numeric.width if self.numeric else n_numeric)
            + (n_dense - n_numeric)
            + embedding_dim * len(self.cardinalities)
        )
        self.scale = nn.Parameter(torch.ones(width))  # learnt front scaling
        self.adapters = (
            nn.Parameter(torch.randint(0, 2, (n_ensemble, width)).float() * 2 - 1)
            if n_ensemble > 1
            else None
        )
        sizes = tuple(hidden_layer_sizes)
        self.hidden = dense_layers(width, sizes, activation, None, dropout)
        last = sizes[-1] if sizes else width
        bound = 1 / math.sqrt(last)
        self.head_weight = nn.Parameter(
            torch.empty(n_ensemble, last, n_outputs).uniform_(-bound, bound)
        )
        self.head_bias = nn.Parameter(torch.zeros(n_ensemble, n_outputs))

    @property
    def linear_layers(self) -> list[nn.Linear]:
        return [m for m in self.hidden if isinstance(m, nn.Linear)]

    def features(self, X: torch.Tensor) -> torch.Tensor:
        """The first layer's input: embedded numeric, dense and coded parts."""
        numeric = X[:, : self.n_numeric]
        parts = [self.numeric(numeric) if self.numeric else numeric]
        parts.append(X[:, self.n_numeric : self.n_dense])
        if self.embeddings:
            codes = X[:, self.n_dense :].long()
            parts += [emb(codes[:, i]) for i, emb in enumerate(self.embeddings)]
        return torch.cat(parts, dim=1) * self.scale  # (N, width)

    def members(self, X: torch.Tensor) -> torch.Tensor:
        """Each member's raw output, ``(N, n_ensemble, n_outputs)``."""
        z = self.features(X)
        if self.adapters is not None:
            z = z[:, None, :] * self.adapters  # (N, k, width)
        else:
            z = z[:, None, :]
        hidden = self.hidden(z)  # (N, k, last)
        return torch.einsum("nkh,kho->nko", hidden, self.head_weight) + self.head_bias

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        raw = self.members(X)  # (N, k, n_outputs)
        if self.training and self.n_ensemble > 1:
            return raw
        return combine_members(raw, self.combine)  # (N, n_outputs)

    def extra_repr(self) -> str:
        return (
            f"n_numeric={self.n_numeric}, n_dense={self.n_dense}, "
            f"cardinalities={self.cardinalities}, n_outputs={self.n_outputs}, "
            f"n_ensemble={self.n_ensemble}, combine={self.combine!r}"
        )


def combine_members(raw: torch.Tensor, combine: str) -> torch.Tensor:
    """Average members' raw outputs ``(N, k, n_outputs)`` into ``(N, n_outputs)``:
    means of values, or the logits of mean probabilities."""
    k = raw.shape[1]
    if k == 1:
        return raw[:, 0]
    if combine == "mean":
        return raw.mean(dim=1)
    log_k = math.log(k)
    if combine == "softmax":
        return torch.logsumexp(torch.log_softmax(raw, dim=2), dim=1) - log_k
    # sigmoid: log p - log(1 - p) of the mean probability p, without cancellation
    log_p = torch.logsumexp(nn.functional.logsigmoid(raw), dim=1)
    log_q = torch.logsumexp(nn.functional.logsigmoid(-raw), dim=1)
    return log_p - log_q
