"""A recurrent network for sequences, of fixed or variable length."""

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ._layers import dense_layers, normalization_argument
from ._sequence import MASKED_POOLINGS, TokenEmbedding, masked_pool, real_steps

CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}
POOLINGS = ("last", *MASKED_POOLINGS)


class RNN(nn.Module):
    """Recurrent layers, a summary of the sequence, then a dense head:
    ``(N, T, n_features)`` inputs (or ``(N, T)`` token ids) to ``(N,
    n_outputs)`` raw scores.

    Sequences may end before ``T``: for float inputs, trailing time steps of
    NaN are padding; for token ids, trailing ``0`` ids are. Padded batches run
    as packed sequences, so that padding never changes a sequence's result;
    batches without padding skip the packing.

    Parameters
    ----------
    n_features : int
        Features per time step (ignored with ``vocabulary_size``).
    n_outputs : int
        Width of the output.
    cell : {"gru", "lstm", "rnn"}, default="gru"
        The recurrent layer: ``torch.nn.LSTM``, ``GRU`` or ``RNN`` (tanh).
    hidden_size : int, default=64
        Width of the recurrent state (per direction).
    num_layers : int, default=1
        Number of stacked recurrent layers.
    bidirectional : bool, default=False
        Whether each layer also reads the sequence backwards; the summary then
        joins both directions (``2 * hidden_size`` wide).
    dropout : float, default=0.0
        Dropout between stacked recurrent layers, on the summary, and after
        each hidden layer of the head.
    pooling : {"last", "mean", "max", "attention"}, default="max"
        How the sequence is summarised for the head: the final state of the
        last layer (after each sequence's own last step; both directions'
        final states if bidirectional), the mean or the maximum of the
        outputs over the steps of each sequence, or an attention-weighted
        mean (a learned score per step, softmax over the steps).
    hidden_layer_sizes : tuple of int, default=()
        Widths of the dense hidden layers of the head.
    activation : str, default="relu"
        Activation of the head's hidden layers.
    normalization : {"batch", "layer"} or None, default=None
        Normalisation after each hidden layer of the head (see :class:`MLP`).
    vocabulary_size : int or None, default=None
        With an int, the input is ``(N, T)`` integer token ids and an
        embedding layer comes first: ``0`` pads, ``1`` stands for a token
        unseen in training (embedded as zeros), ``2 .. vocabulary_size + 1``
        are the tokens.
    embedding_dim : int, default=32
        Width of the token embeddings (with ``vocabulary_size``).
    batch_norm : bool or None, default=None
        Deprecated (0.1), removed in 0.3: ``True`` is
        ``normalization="batch"``.

    Examples
    --------
    >>> import torch
    >>> from sknn.modules import RNN
    >>> net = RNN(n_features=3, n_outputs=2, hidden_size=8)
    >>> net(torch.zeros(5, 10, 3)).shape
    torch.Size([5, 2])
    >>> X = torch.zeros(2, 4, 3)
    >>> X[1, 2:] = float("nan")  # the second sequence has 2 steps
    >>> net.eval()(X).shape
    torch.Size([2, 2])
    """

    def __init__(
        self,
        n_features: int,
        n_outputs: int,
        cell: str = "gru",
        hidden_size: int = 64,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        pooling: str = "max",
        hidden_layer_sizes: tuple[int, ...] = (),
        activation: str = "relu",
        normalization: str | None = None,
        vocabulary_size: int | None = None,
        embedding_dim: int = 32,
        batch_norm: bool | None = None,
    ):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {sorted(CELLS)}, got {cell!r}.")
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}.")
        self.n_features = n_features
        self.n_outputs = n_outputs
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.hidden_layer_sizes = tuple(hidden_layer_sizes)
        self.vocabulary_size = vocabulary_size

        if vocabulary_size is None:
            self.embedding = None
            n_inputs = n_features
        else:
            self.embedding = TokenEmbedding(vocabulary_size, embedding_dim)
            n_inputs = embedding_dim
        self.rnn = CELLS[cell](
            n_inputs,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            bidirectional=bidirectional,
            dropout=dropout if num_layers > 1 else 0.0,
        )
        width = hidden_size * (2 if bidirectional else 1)
        self.attention = nn.Linear(width, 1) if pooling == "attention" else None
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        normalization = normalization_argument("RNN", normalization, batch_norm)
        self.head = dense_layers(
            width, self.hidden_layer_sizes, activation, normalization, dropout
        )
        if self.hidden_layer_sizes:
            width = self.hidden_layer_sizes[-1]
        self.output = nn.Linear(width, n_outputs)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """Raw scores (N, n_outputs) for (N, T, n_features) or (N, T) ids."""
        steps = self.steps(X)  # (N, T): True on real steps
        if self.embedding is None:
            inputs = X.masked_fill(~steps.unsqueeze(-1), 0.0)
        else:
            inputs = self.embedding(X)  # (N, T, embedding_dim)
        lengths = steps.sum(1)  # (N,)
        n_steps = X.shape[1]
        # Packing keeps padding out of the recurrence. An exported graph
        # (torch.export) has no data-dependent branch: it reads every step,
        # and masks padding only where it pools the outputs (sknn.onnx gives
        # ONNX's recurrent operators the lengths, which keep padding out).
        exporting = torch.compiler.is_exporting()
        padded = not exporting and bool((lengths < n_steps).any())
        if padded:
            packed = pack_padded_sequence(
                inputs, lengths.cpu(), batch_first=True, enforce_sorted=False
            )
            outputs, state = self.rnn(packed)
            outputs, _ = pad_packed_sequence(
                outputs, batch_first=True, total_length=n_steps
            )
        else:
            outputs, state = self.rnn(inputs)  # outputs: (N, T, width)
        summary = self._summarise(
            outputs, state, steps if padded or exporting else None
        )
        return self.output(self.head(self.dropout(summary)))

    def steps(self, X: torch.Tensor) -> torch.Tensor:
        """(N, T) mask of the real steps of X, False on padding."""
        return real_steps(X, token_ids=self.embedding is not None)

    def _summarise(self, outputs, state, steps) -> torch.Tensor:
        """(N, width) summary of the outputs; ``steps`` masks padding (or None)."""
        if self.pooling == "last":
            hidden = state[0] if self.cell == "lstm" else state  # (L * D, N, H)
            directions = 2 if self.bidirectional else 1
            return torch.cat(list(hidden[-directions:]), dim=1)
        return masked_pool(outputs, steps, self.pooling, self.attention)

    def extra_repr(self) -> str:
        return (
            f"n_features={self.n_features}, n_outputs={self.n_outputs}, "
            f"pooling={self.pooling!r}"
        )
