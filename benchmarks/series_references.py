"""The field's references for series, written plainly for the benchmark
(independent of sknn's own code, so that they check it):

- :class:`MiniRocketRidge`: MiniRocket (Dempster, Schmidt and Webb, 2021),
  84 fixed kernels of length 9 at up to 32 dilations, biases from quantiles
  of the training series' convolutions, the proportion of positive values
  (PPV) as features (9,996 of them), then scikit-learn's ``RidgeClassifierCV``
  (``RidgeCV`` for regression) on the standardised features: the published
  recipe.
- :func:`inception_time`: one InceptionTime network (Ismail Fawaz et al.,
  2020): 6 Inception modules (bottleneck of 32, kernels 39/19/9 and a
  max-pool branch, 32 filters each), a residual link every 3 modules,
  global average pooling; Adam at 1e-3, batches of 64, the rate halved when
  the training loss stalls for 50 epochs. The paper trains 1,500 epochs;
  :data:`INCEPTION_EPOCHS` caps that to what 2 CPU cores allow.
"""

import itertools

import numpy as np
import torch
from sklearn.linear_model import RidgeClassifierCV, RidgeCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.nn import functional as F

INCEPTION_EPOCHS = 300

# ---------------------------------------------------------------------------
# MiniRocket
# ---------------------------------------------------------------------------

_INDICES = np.array(list(itertools.combinations(range(9), 3)))  # (84, 3)
_WEIGHTS = np.full((84, 9), -1.0)
_WEIGHTS[np.arange(84)[:, None], _INDICES] = 2.0


def _quantiles(n: int) -> np.ndarray:
    return (np.arange(1, n + 1) * (np.sqrt(5) + 1) / 2) % 1  # low discrepancy


def _dilations(length: int, n_features: int = 10_000, max_dilations: int = 32):
    per_kernel = n_features // 84
    n_dilations = min(per_kernel, max_dilations)
    exponent = np.log2(max((length - 1) / 8, 1))
    dilations, counts = np.unique(
        np.logspace(0, exponent, n_dilations, base=2).astype(int), return_counts=True
    )
    per_dilation = (counts * per_kernel / n_dilations).astype(int)
    for i in range(per_kernel - per_dilation.sum()):
        per_dilation[i % len(per_dilation)] += 1
    return dilations, per_dilation


class MiniRocketRidge:
    """MiniRocket features and a ridge model with its regularisation chosen
    by leave-one-out cross-validation; X is ``(n, channels, length)``."""

    def __init__(self, regression: bool = False, seed: int = 0):
        self.regression = regression
        self.seed = seed

    def _convolve(self, X: torch.Tensor, dilation: int) -> torch.Tensor:
        n, channels, length = X.shape
        weight = torch.tensor(_WEIGHTS, dtype=X.dtype)[:, None]  # (84, 1, 9)
        out = F.conv1d(
            X.reshape(n * channels, 1, length),
            weight,
            padding=4 * dilation,
            dilation=dilation,
        )
        return out.reshape(n, channels, 84, length)

    def _combine(self, C: torch.Tensor, index: int) -> torch.Tensor:
        return torch.einsum("nckl,kc->nkl", C, self.channel_masks[index])  # (n, 84, L)

    def _transform(self, X: np.ndarray) -> np.ndarray:
        X = torch.as_tensor(X, dtype=torch.float32)
        length = X.shape[2]
        features = []
        for index, dilation in enumerate(self.dilations):
            C = self._combine(self._convolve(X, dilation), index)
            biases = self.biases[index]  # (84, f)
            positive = (
                C[..., None] > biases[None, :, None, :]
            ).float()  # (n, 84, L, f)
            edge = 4 * dilation
            for kernel in range(84):
                p = positive[:, kernel]
                if (index + kernel) % 2 == 1 and length > 2 * edge:
                    p = p[:, edge : length - edge]
                features.append(p.mean(1))
        return torch.cat(features, dim=1).numpy()

    def _fit_transform(self, X: np.ndarray) -> np.ndarray:
        rng = np.random.default_rng(self.seed)
        n, channels, length = X.shape
        self.dilations, per_dilation = _dilations(length)
        quantiles = iter(_quantiles(84 * per_dilation.sum()))
        self.biases, self.channel_masks = [], []
        Xt = torch.as_tensor(X, dtype=torch.float32)
        for index, dilation in enumerate(self.dilations):
            mask = torch.zeros(84, channels)
            for kernel in range(84):
                limit = np.log2(min(channels, 9) + 1)
                k = int(2 ** rng.uniform(0, limit))
                mask[kernel, rng.choice(channels, min(k, channels), replace=False)] = 1
            self.channel_masks.append(mask)
            C = self._combine(
                self._convolve(Xt[rng.integers(n, size=84)], dilation), index
            )
            biases = torch.empty(84, per_dilation[index])
            for kernel in range(84):
                q = [next(quantiles) for _ in range(per_dilation[index])]
                biases[kernel] = torch.quantile(
                    C[kernel, kernel], torch.tensor(q, dtype=C.dtype)
                )
            self.biases.append(biases)
        return self._transform(X)

    def fit(self, X, y):
        features = self._fit_transform(np.asarray(X))
        linear = RidgeCV if self.regression else RidgeClassifierCV
        self.model = make_pipeline(
            StandardScaler(), linear(alphas=np.logspace(-3, 3, 10))
        ).fit(features, y)
        return self

    def predict(self, X):
        return self.model.predict(self._transform(np.asarray(X)))


# ---------------------------------------------------------------------------
# InceptionTime (one network)
# ---------------------------------------------------------------------------


class _Inception(nn.Module):
    def __init__(self, channels: int, filters: int = 32):
        super().__init__()
        self.bottleneck = (
            nn.Conv1d(channels, 32, 1, bias=False) if channels > 1 else nn.Identity()
        )
        width = 32 if channels > 1 else channels
        self.branches = nn.ModuleList(
            nn.Conv1d(width, filters, k, padding="same", bias=False)
            for k in (39, 19, 9)
        )
        self.pool = nn.Sequential(
            nn.MaxPool1d(3, stride=1, padding=1),
            nn.Conv1d(channels, filters, 1, bias=False),
        )
        self.norm = nn.BatchNorm1d(4 * filters)

    def forward(self, X):  # (N, C, L)
        Z = self.bottleneck(X)
        out = torch.cat([b(Z) for b in self.branches] + [self.pool(X)], dim=1)
        return F.relu(self.norm(out))  # (N, 4 * filters, L)


class InceptionTime(nn.Module):
    def __init__(self, channels: int, n_outputs: int, depth: int = 6):
        super().__init__()
        self.modules_ = nn.ModuleList()
        self.shortcuts = nn.ModuleList()
        width, residual = channels, channels
        for i in range(depth):
            self.modules_.append(_Inception(width))
            width = 128
            if i % 3 == 2:
                self.shortcuts.append(
                    nn.Sequential(
                        nn.Conv1d(residual, 128, 1, bias=False), nn.BatchNorm1d(128)
                    )
                )
                residual = 128
        self.out = nn.Linear(128, n_outputs)

    def forward(self, X):  # (N, C, L)
        residual = X
        for i, module in enumerate(self.modules_):
            X = module(X)
            if i % 3 == 2:
                X = F.relu(X + self.shortcuts[i // 3](residual))
                residual = X
        return self.out(X.mean(2))  # (N, n_outputs)


def inception_time(
    X, y, X_test, regression: bool, seed: int, epochs: int = INCEPTION_EPOCHS
):
    """Train one InceptionTime network; predictions on X_test."""
    torch.manual_seed(seed)
    X = torch.as_tensor(X, dtype=torch.float32)
    X_test = torch.as_tensor(X_test, dtype=torch.float32)
    if regression:
        target = torch.as_tensor(y, dtype=torch.float32)[:, None]
        mean, std = target.mean(), target.std()
        target = (target - mean) / std
        n_outputs = 1
    else:
        classes, codes = np.unique(y, return_inverse=True)
        target = torch.as_tensor(codes)
        n_outputs = len(classes)
    net = InceptionTime(X.shape[1], n_outputs)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    schedule = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, factor=0.5, patience=50, min_lr=1e-4
    )
    loss_of = F.mse_loss if regression else F.cross_entropy
    batch_size = int(min(64, len(X) // 10)) or 1  # the paper's rule
    for _ in range(epochs):
        net.train()
        total = 0.0
        for batch in torch.randperm(len(X)).split(batch_size):
            if len(batch) < 2:
                continue  # batch normalisation needs two samples
            loss = loss_of(net(X[batch]), target[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        schedule.step(total / len(X))
    net.eval()
    with torch.no_grad():
        out = net(X_test)
    if regression:
        return (out[:, 0] * std + mean).numpy()
    return classes[out.argmax(1).numpy()]
