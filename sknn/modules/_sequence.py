"""Building blocks of every sequence model: padding, token ids, masked pooling.

A batch of sequences is ``(N, T, n_features)`` floats whose padding steps are
NaN in every feature, or ``(N, T)`` int64 token ids in which
:data:`PADDING_ID` pads and :data:`UNKNOWN_ID` stands for a token unseen in
training (the tokens themselves are ``2, 3, ...``). :func:`real_steps` gives
the mask of real steps, :class:`TokenEmbedding` embeds ids, and
:func:`masked_pool` summarises per-step outputs over the real steps only, so
that padding never changes a sequence's result.
"""

import torch
from torch import nn

# Token ids of the embedding input: padding, and tokens unseen in training.
PADDING_ID, UNKNOWN_ID = 0, 1

# Summaries of per-step outputs over the real steps (masked_pool).
MASKED_POOLINGS = ("mean", "max", "attention")


def real_steps(X: torch.Tensor, token_ids: bool) -> torch.Tensor:
    """(N, T) mask of the real steps of a batch, False on padding: steps that
    are NaN in every feature of (N, T, F) floats (the first feature is read:
    a step is padding in all its features or in none, as the input kind
    checks), or :data:`PADDING_ID` in (N, T) token ids."""
    if token_ids:
        return X != PADDING_ID
    return ~torch.isnan(X[..., 0])


class TokenEmbedding(nn.Embedding):
    """Embeddings of ``vocabulary_size`` tokens, ids ``2 ..
    vocabulary_size + 1``; :data:`PADDING_ID` and :data:`UNKNOWN_ID` embed as
    zeros, and stay zeros while training: no gradient reaches their rows
    (unknown tokens: their outputs are masked)."""

    def __init__(self, vocabulary_size: int, embedding_dim: int):
        super().__init__(vocabulary_size + 2, embedding_dim, padding_idx=PADDING_ID)
        self.vocabulary_size = vocabulary_size
        with torch.no_grad():
            self.weight[UNKNOWN_ID] = 0.0

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """(N, T, embedding_dim) vectors of (N, T) ids."""
        vectors = super().forward(ids)  # (N, T, embedding_dim)
        # Tokens unseen in training stay zeros, even when later training
        # meets them.
        return vectors.masked_fill((ids == UNKNOWN_ID).unsqueeze(-1), 0.0)


def masked_pool(
    outputs: torch.Tensor,
    steps: torch.Tensor | None,
    how: str,
    attention: nn.Module | None = None,
) -> torch.Tensor:
    """(N, width) summary of per-step ``outputs`` (N, T, width) over the real
    ``steps`` (N, T) (None: every step is real): their ``"mean"``, their
    ``"max"``, or an ``"attention"``-weighted mean, ``attention`` giving one
    score per step (a softmax over the real steps weighs them)."""
    if how == "mean":
        if steps is None:
            return outputs.mean(1)
        mask = steps.unsqueeze(-1)  # (N, T, 1)
        return (outputs * mask).sum(1) / mask.sum(1)
    if how == "max":
        if steps is None:
            return outputs.amax(1)
        return outputs.masked_fill(~steps.unsqueeze(-1), -torch.inf).amax(1)
    if how != "attention":
        raise ValueError(f"pooling must be one of {MASKED_POOLINGS}, got {how!r}.")
    scores = attention(outputs).squeeze(-1)  # (N, T)
    if steps is not None:
        scores = scores.masked_fill(~steps, -torch.inf)
    weights = torch.softmax(scores, dim=1).unsqueeze(-1)  # (N, T, 1)
    return (weights * outputs).sum(1)
