"""Sequences as a kind of input: fixed or variable length, features or token ids.

Any sequence model takes X through :class:`Sequences`: ``(n_samples,
n_timesteps, n_features)`` arrays, univariate ``(n_samples, n_timesteps)``
arrays, flat rows with ``input_shape``, and sequences of different lengths as
lists of arrays or as arrays padded at the end with time steps that are NaN
in every feature. The module receives ``(N, T, n_features)`` floats with NaN
steps marking padding, or, with ``embedding_dim``, ``(N, T)`` int64 ids in
the convention of the sequence modules (:data:`~sknn.modules._sequence.
PADDING_ID`, :data:`~sknn.modules._sequence.UNKNOWN_ID`, then the tokens).
The parameters it takes are declared once for every sequence model:
``SEQUENCE_CONSTRAINTS`` (``sknn/_params.py``) and ``SEQUENCE_PARAMETERS``
(``sknn/_docs.py``).
"""

import numpy as np
import scipy.sparse as sp
import torch

from ._inputs import InputKind, check_input_shape, float_samples
from .modules._sequence import PADDING_ID, UNKNOWN_ID

# input_shape's lengths for sequences, and what each reads.
_SEQUENCE_LAYOUTS = {1: "(n_timesteps,)", 2: "(n_timesteps, n_features)"}

# The most values an embedding table may hold (4 GiB in float32): token ids
# beyond it are hashes or offsets, not indices of a vocabulary.
MAX_EMBEDDING_VALUES = 2**30


class Sequences(InputKind):
    """Sequences of feature vectors, or of token ids with ``embedding_dim``.

    Learns ``n_step_features_`` (features per time step) and, for token ids,
    ``vocabulary_size_`` (one more than the largest id seen); 2D X keeps
    scikit-learn's ``n_features_in_`` (its columns), while for 3D X, whose
    number of steps may vary, ``n_features_in_`` counts features per step.
    """

    parameters = ("input_shape", "embedding_dim", "padding_id")
    check_kwargs = {"allow_nd": True, "ensure_all_finite": "allow-nan"}

    def __init__(self, input_shape=None, embedding_dim=None, padding_id=None, **kind):
        super().__init__(**kind)
        self.input_shape = input_shape
        self.embedding_dim = embedding_dim
        self.padding_id = padding_id

    @property
    def published(self) -> tuple[str, ...]:
        names = ("n_step_features_", "n_features_in_")
        return names if self.embedding_dim is None else (*names, "vocabulary_size_")

    def tensor_dtype(self, compute_dtype):
        return torch.int64 if self.embedding_dim is not None else compute_dtype

    # ------------------------------------------------------------ validation
    def _as_array(self, X, *, fitting):
        """Lists of sequences as one (n_samples, max_length, n_features) array;
        sequences of different lengths are padded at the end with NaN steps.

        In ``fit``, a list of 1D sequences of one length is a 2D array, as
        everywhere in scikit-learn; later it is univariate, (n, length, 1),
        whatever its lengths, so that it needs no feature count.
        """
        sequences = float_samples(X)
        if sequences is None:
            return X
        shapes = {s.shape for s in sequences}
        if len(shapes) == 1:
            X = np.stack(sequences)
            return X[:, :, np.newaxis] if not fitting and X.ndim == 2 else X
        ndims = {s.ndim for s in sequences}
        widths = {s.shape[1] for s in sequences if s.ndim == 2}
        if ndims - {1, 2} or len(ndims) > 1 or len(widths) > 1:
            raise ValueError(
                f"{self.name} got sequences of shapes "
                f"{sorted(shapes)[:5]}: variable-length sequences must all be "
                "1D (length_i,) or all 2D (length_i, n_features) with the "
                "same n_features."
            )
        n_features = widths.pop() if widths else 1
        length = max(len(s) for s in sequences)
        padded = np.full((len(sequences), length, n_features), np.nan)
        for row, sequence in zip(padded, sequences, strict=True):
            row[: len(sequence)] = sequence.reshape(len(sequence), n_features)
        return padded

    # ------------------------------------------------------------ conversion
    def _learn(self, X) -> None:
        steps = self._sequences(X.toarray() if sp.issparse(X) else X)
        if 0 in steps.shape[1:]:
            raise ValueError(
                f"{self.name} got sequences of {steps.shape[1]} time step(s) with "
                f"{steps.shape[2]} feature(s) each, which hold no values. Every "
                "sequence needs at least one time step of at least one feature."
            )
        self.n_step_features_ = steps.shape[2]
        # 2D X keeps scikit-learn's count of columns; for 3D X, whose number
        # of steps may vary, it is the features per step.
        self.n_features_in_ = X.shape[1] if X.ndim == 2 else steps.shape[2]
        if self.embedding_dim is not None:
            ids, padding = self._ids(*self._steps(X))
            tokens = ids[~padding]
            self.vocabulary_size_ = int(tokens.max()) + 1 if tokens.size else 0
            values = self.vocabulary_size_ * self.embedding_dim
            if values > MAX_EMBEDDING_VALUES:
                raise ValueError(
                    f"{self.name} got token ids up to {int(tokens.max())}: its "
                    f"embedding table would hold {values:.3g} values "
                    f"({values * 4 / 2**30:.3g} GiB in float32), one row per id "
                    "up to the largest. Ids index a vocabulary: map them to 0, "
                    "1, ... first (e.g. np.unique(ids, return_inverse=True))."
                )

    def _sequences(self, X) -> np.ndarray:
        """X as (n_samples, n_timesteps, n_features)."""
        if self.input_shape is not None:
            shape = check_input_shape(
                self.name, self.input_shape, X.shape[1:], _SEQUENCE_LAYOUTS
            )
            return X.reshape(X.shape[0], shape[0], -1)
        if X.ndim == 2:
            return X[:, :, np.newaxis]  # one univariate sequence per row
        if X.ndim == 3:
            return X
        raise ValueError(
            f"{self.name} expects sequences of shape (n_samples, n_timesteps, "
            "n_features), univariate sequences (n_samples, n_timesteps), a "
            "list of (length_i, n_features) arrays, or flat rows with "
            f"input_shape; got X of shape {X.shape}."
        )

    def _steps(self, X):
        """X as (n_samples, n_timesteps, n_step_features_) floats, and its
        padding mask (n_samples, n_timesteps), or None without NaN."""
        if sp.issparse(X):
            X = X.toarray()
        X = self._sequences(X)
        if X.shape[1] == 0:
            raise ValueError(
                f"{self.name} got sequences with no time steps (X of shape "
                f"{X.shape}). Every sequence needs at least one time step."
            )
        if X.shape[2] != self.n_step_features_:
            raise ValueError(
                f"{self.name} was fitted on sequences of {self.n_step_features_} "
                f"feature(s) per time step, got {X.shape[2]}. Pass X of shape "
                f"(n_samples, n_timesteps, {self.n_step_features_})."
            )
        nan = np.isnan(X)
        if not nan.any():
            return X, None
        padding = nan.all(axis=2)
        if (nan.any(axis=2) & ~padding).any():
            raise ValueError(
                f"{self.name} got NaN in some but not all features of a time "
                "step. NaN marks padding, a whole time step after the end "
                "of a shorter sequence; impute missing values first (e.g. "
                "with sklearn.impute.SimpleImputer)."
            )
        return X, padding

    def _convert(self, X):
        X, padding = self._steps(X)
        if self.embedding_dim is None:
            if padding is not None:
                self._check_padding(padding)
            return X
        ids, padding = self._ids(X, padding)
        internal = np.full(ids.shape, PADDING_ID, dtype=np.int64)
        tokens = ids[~padding]
        known = tokens < self.vocabulary_size_
        internal[~padding] = np.where(known, tokens + 2, UNKNOWN_ID)
        return internal

    def graph_input(self, x):
        steps = x.reshape(x.shape[0], -1, self.n_step_features_)  # (N, T, F)
        if self.embedding_dim is None:
            return steps.to(torch.float32)
        ids = steps[:, :, 0]  # (N, T)
        # NaN and padding_id pad; ids unseen in fit (which refuses others,
        # such as negative ones) are unknown tokens.
        padding = torch.isnan(ids) if ids.is_floating_point() else ids != ids
        if self.padding_id is not None:
            padding = padding | (ids == self.padding_id)
        ids = torch.where(padding, 0, ids).to(torch.int64)
        known = (ids >= 0) & (ids < self.vocabulary_size_)
        internal = torch.where(known, ids + 2, UNKNOWN_ID)
        return torch.where(padding, PADDING_ID, internal)  # (N, T)

    def _check_padding(self, padding: np.ndarray) -> None:
        """Padding (n_samples, n_timesteps) must end every sequence."""
        inside = padding[:, :-1] & ~padding[:, 1:]
        if inside.any():
            row = int(np.flatnonzero(inside.any(1))[0])
            raise ValueError(
                f"{self.name} got NaN (padding) before the end of sequence {row}. "
                "NaN time steps mark the end of shorter sequences and must "
                "come after every real step; impute missing values first "
                "(e.g. with sklearn.impute.SimpleImputer)."
            )
        if padding[:, 0].any():
            row = int(np.flatnonzero(padding[:, 0])[0])
            raise ValueError(
                f"{self.name} got sequence {row} with no time step (it is all "
                "NaN/padding); every sequence needs at least one step."
            )

    def _ids(self, X, padding):
        """Token ids (n_samples, n_timesteps) of X (n_samples, n_timesteps, 1),
        checked, and their padding mask (NaN steps and ``padding_id``)."""
        if X.shape[2] != 1:
            raise ValueError(
                f"{self.name} with embedding_dim expects one token id per time "
                f"step, got {X.shape[2]} features per step. Pass X of shape "
                "(n_samples, n_timesteps) or a list of 1D id sequences."
            )
        ids = X[:, :, 0]
        if padding is None:
            padding = np.zeros(ids.shape, dtype=bool)
        else:
            padding = padding.copy()
        if self.padding_id is not None:
            padding |= ids == self.padding_id
        self._check_padding(padding)
        tokens = ids[~padding]
        if (tokens < 0).any() or (tokens != np.round(tokens)).any():
            raise ValueError(
                f"{self.name} with embedding_dim expects token ids that are "
                "integers >= 0 (padding_id and NaN pad); got "
                f"{tokens[(tokens < 0) | (tokens != np.round(tokens))][:3]}."
            )
        return ids, padding
