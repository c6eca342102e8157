"""Series as a kind of input: univariate or multivariate, fixed or variable
length, in aeon's and sktime's layout, read through random-kernel features.

:class:`Series` takes ``(n_series, length)`` arrays (one channel),
``(n_series, n_channels, length)`` arrays, and series of different lengths
as lists of ``(length_i,)`` or ``(n_channels, length_i)`` arrays or as
arrays padded at the end with NaN. It learns in ``fit`` MiniRocket's biases
(:class:`~sknn.modules.MiniRocket`) from the training series, weighted as
training weighs them, and the mean and spread of each feature; it converts
series to their standardized features, which the model reads. Padding never
counts: each series' features pool over its own steps.
"""

import numpy as np
import torch
from sklearn.utils import check_random_state

from ._inputs import InputKind, float_samples
from .modules import MiniRocket
from .modules.series import (
    CHUNK_VALUES,
    N_KERNELS,
    first_differences,
    series_statistics,
)

# Biases are drawn from at most this many training series (a random subset
# beyond, drawn by weight): quantiles of up to 262,144 outputs per kernel
# (up to 128 positions of each series), sorted once per dilation.
_MAX_BIAS_SERIES = 2048

# Features are divided by their spread, but by no less than this: a feature
# (a proportion) all but constant on the training series, or on those of a
# heavy class, would otherwise take values of thousands on others, which the
# model's weights meet unregularised (scikit-learn's class-weight check
# failed so). The same accuracy on the dev suite as without (0.03: a little
# less).
_MIN_SCALE = 0.01


class Series(InputKind):
    """Series of one or several channels, of any length.

    Learns ``n_channels_``; 2D X keeps scikit-learn's ``n_features_in_``
    (its columns, the length), while for 3D X, whose length may vary,
    ``n_features_in_`` counts channels.
    """

    parameters = (
        "n_kernel_features",
        "max_dilations",
        "pooling",
        "random_state",
        "dtype",
    )
    check_kwargs = {"allow_nd": True, "ensure_all_finite": "allow-nan"}
    published = ("n_channels_", "n_features_in_")
    weighted = True

    def __init__(
        self,
        n_kernel_features=10_000,
        max_dilations=32,
        pooling="ppv",
        random_state=None,
        dtype=None,
        **kind,
    ):
        super().__init__(**kind)
        self.n_kernel_features = n_kernel_features
        self.max_dilations = max_dilations
        self.pooling = pooling
        self.random_state = random_state
        self.dtype = dtype

    def __getstate__(self):
        # The training features, kept between fit and transform, never leave;
        # the kernels' module travels as its arguments and numpy arrays, which
        # skops reads without trusting torch's types.
        state = vars(self).copy()
        state.pop("_fit_features", None)
        if "rockets_" in state:
            state["rockets_"] = [
                (
                    rocket.arguments(),
                    {k: v.cpu().numpy() for k, v in rocket.state_dict().items()},
                )
                for rocket in state["rockets_"]
            ]
        return state

    def __setstate__(self, state):
        if "rockets_" in state:
            rockets = []
            for arguments, tensors in state["rockets_"]:
                rocket = MiniRocket(**arguments)
                rocket.load_state_dict(
                    {k: torch.from_numpy(v) for k, v in tensors.items()}
                )
                rockets.append(rocket)
            state["rockets_"] = rockets
        super().__setstate__(state)

    # ------------------------------------------------------------ validation
    def _as_array(self, X, *, fitting):
        """Lists of series as one array: (n, length) for 1D series of one
        length in ``fit`` (later: (n, 1, length), which needs no count of
        columns), else (n, n_channels, longest), NaN past each end."""
        series = float_samples(X)
        if series is None:
            return X
        shapes = {s.shape for s in series}
        if len(shapes) == 1:
            X = np.stack(series)
            return X[:, np.newaxis] if not fitting and X.ndim == 2 else X
        ndims = {s.ndim for s in series}
        channels = {s.shape[0] for s in series if s.ndim == 2}
        if ndims - {1, 2} or len(ndims) > 1 or len(channels) > 1:
            widths = {s.shape[1] for s in series if s.ndim == 2}
            hint = (
                " They look like (length_i, n_channels) arrays: pass their "
                "transposes, s.T."
                if len(widths) == 1 and len(channels) > 1
                else ""
            )
            raise ValueError(
                f"{self.name} got series of shapes {sorted(shapes)[:5]}: series "
                "of different lengths must all be 1D (length_i,) or all 2D "
                f"(n_channels, length_i) with the same n_channels.{hint}"
            )
        n_channels = channels.pop() if channels else 1
        longest = max(s.shape[-1] for s in series)
        padded = np.full((len(series), n_channels, longest), np.nan)
        for row, s in zip(padded, series, strict=True):
            row[:, : s.shape[-1]] = s.reshape(n_channels, -1)
        return padded

    def _series(self, X) -> tuple[np.ndarray, np.ndarray]:
        """Validated X as (n, n_channels, length) floats, zero past each
        series' end, and the lengths (n,)."""
        if X.ndim == 2:
            X = X[:, np.newaxis]
        elif X.ndim != 3:
            raise ValueError(
                f"{self.name} expects series of shape (n_series, length), "
                "(n_series, n_channels, length), or a list of (length_i,) or "
                f"(n_channels, length_i) arrays; got X of shape {X.shape}."
            )
        if 0 in X.shape[1:]:
            raise ValueError(
                f"{self.name} got series of {X.shape[1]} channel(s) of "
                f"{X.shape[2]} step(s), which hold no values. Every series "
                "needs at least one step of at least one channel."
            )
        nan = np.isnan(X)
        if not nan.any():
            return X, np.full(len(X), X.shape[2])
        padding = nan.all(axis=1)  # (n, length)
        if (nan.any(axis=1) & ~padding).any():
            raise ValueError(
                f"{self.name} got NaN in some but not all channels of a step. "
                "NaN marks padding, whole steps after the end of a shorter "
                "series; impute missing values first."
            )
        if (padding[:, :-1] & ~padding[:, 1:]).any():
            row = int(np.flatnonzero((padding[:, :-1] & ~padding[:, 1:]).any(1))[0])
            raise ValueError(
                f"{self.name} got NaN before the end of series {row}. NaN steps "
                "mark the end of shorter series and must come after every "
                "real step; impute missing values first."
            )
        lengths = (~padding).sum(axis=1)
        if (lengths == 0).any():
            row = int(np.flatnonzero(lengths == 0)[0])
            raise ValueError(
                f"{self.name} got series {row} with no step (it is all NaN); "
                "every series needs at least one step."
            )
        return np.where(nan, 0.0, X), lengths

    # -------------------------------------------------------------- learning
    def _learn(self, X, sample_weight=None) -> None:
        series, lengths = self._series(X)
        self.n_channels_ = series.shape[1]
        # The features' dtype: float64 for float64 arithmetic, else fit's X's
        # (as the table networks'): later X of another float dtype converts
        # to it, so that its predictions are those of the same values.
        self.dtype_ = "float64" if self.dtype == "float64" else str(X.dtype)
        # 2D X keeps scikit-learn's count of columns; for 3D X, whose length
        # may vary, it is the channels.
        self.n_features_in_ = X.shape[1]
        rng = check_random_state(self.random_state)
        weight = np.ones(len(series)) if sample_weight is None else sample_weight
        # The features' statistics are of the series as weighted repeats: a
        # negative weight counts as none.
        weight = np.clip(weight, 0, None)
        if not weight.any():
            raise ValueError(
                f"{self.name} learns its features' biases and scales from the "
                "series of positive weight, and sample_weight gives none. Give "
                "some series a weight above 0."
            )
        # Half the kernel features read the series, half their first
        # differences (as MultiRocket's): ItalyPowerDemand 0.970 against
        # 0.966 with all on the series; 2 dev sets better, 2 worse, 4 alike.
        self.rockets_ = [
            MiniRocket(
                n_channels=self.n_channels_,
                length=series.shape[2],
                n_kernel_features=max(N_KERNELS, self.n_kernel_features // 2),
                max_dilations=self.max_dilations,
                pooling=self.pooling,
                seed=int(rng.randint(np.iinfo(np.int32).max)),
            )
            for _ in range(2)
        ]
        rows = np.flatnonzero(weight > 0)
        if len(rows) > _MAX_BIAS_SERIES:
            p = weight[rows] / weight[rows].sum()
            rows = np.sort(rng.choice(rows, _MAX_BIAS_SERIES, replace=False, p=p))
            biased = np.ones(len(rows))
        else:
            biased = weight[rows]
        sample = torch.from_numpy(np.array(series[rows], dtype=np.float32, order="C"))
        steps = torch.tensor(lengths[rows])
        for rocket, inputs in zip(
            self.rockets_, (sample, first_differences(sample, steps)), strict=True
        ):
            rocket.fit_biases(inputs, steps, torch.as_tensor(biased))
        features = self._features(series, lengths)
        self._fit_features = (X, features)
        # The spread of each feature, weighted as the rows (a weight of 2 acts
        # as a repeated series); a constant one is only centred.
        self.mean_ = np.average(features, axis=0, weights=weight)
        spread = np.sqrt(
            np.average((features - self.mean_) ** 2, axis=0, weights=weight)
        )
        self.scale_ = np.where(spread > 1e-6, np.maximum(spread, _MIN_SCALE), 1.0)

    def learnt(self) -> dict:
        return {**super().learnt(), "_n_series_features": len(self.mean_)}

    @torch.no_grad()
    def _features(self, series: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """MiniRocket's features of (n, C, L) series, in chunks: (n, F)."""
        n, channels, length = series.shape
        # Per series: convolutions (C x 84 x L) and comparisons with the
        # biases (84 x L x biases).
        width = max(channels, *self.rockets_[0].per_dilation)
        chunk = max(1, CHUNK_VALUES // (width * N_KERNELS * length))
        # A contiguous float32 copy: X may be read-only, or a reversed view.
        X = torch.from_numpy(np.array(series, dtype=np.float32, order="C"))
        steps = torch.tensor(lengths)
        parts = [
            self._module_features(X[i : i + chunk], steps[i : i + chunk])
            for i in range(0, n, chunk)
        ]
        return torch.cat(parts).numpy().astype(np.float64)

    def _module_features(self, X: torch.Tensor, lengths: torch.Tensor):
        """The features of (N, C, L) series, zero past their lengths: (N, F)."""
        series, differences = self.rockets_
        return torch.cat(
            [
                series(X, lengths),
                differences(first_differences(X, lengths), lengths),
                series_statistics(X, lengths),
            ],
            dim=1,
        )

    def _convert(self, X):
        cached = vars(self).pop("_fit_features", None)
        if cached is not None and cached[0] is X:
            features = cached[1]
        else:
            series, lengths = self._series(X)
            if series.shape[1] != self.n_channels_:
                raise ValueError(
                    f"{self.name} was fitted on series of {self.n_channels_} "
                    f"channel(s), got {series.shape[1]}. Pass X of shape "
                    f"(n_series, {self.n_channels_}, length)"
                    + (" or (n_series, length)" if self.n_channels_ == 1 else "")
                    + "."
                )
            features = self._features(series, lengths)
        # The convolutions compute in float32 whatever X's dtype (their
        # outputs only meet the biases); the model reads its own dtype.
        return ((features - self.mean_) / self.scale_).astype(self.dtype_)

    def graph_input(self, x):
        series = x.reshape(x.shape[0], self.n_channels_, -1)  # (N, C, L)
        real = ~torch.isnan(series).all(dim=1)  # (N, L)
        lengths = real.sum(dim=1)
        series = torch.nan_to_num(series, nan=0.0).to(torch.float32)
        features = self._module_features(series, lengths)  # (N, F)
        mean = torch.as_tensor(self.mean_, dtype=torch.float32)
        scale = torch.as_tensor(self.scale_, dtype=torch.float32)
        return (features - mean) / scale
