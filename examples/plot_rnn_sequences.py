"""
===================================================
Recurrent networks: when the order of values counts
===================================================

:class:`sknn.RNNClassifier` and :class:`sknn.RNNRegressor` read a sequence
step by step. This example builds a task that only the order of events
decides, where a decision tree and an SVM on the same rows stay near chance,
then forecasts a noisy series several steps ahead and compares the forecast
with a linear regression's.
"""

# %%
# A task that only order decides
# -------------------------------
#
# Each sequence is 48 steps of noise holding two events a few steps apart at
# a random place: a one-step spike and a three-step plateau, each of random
# sign. The class says which of the two comes first. Both classes hold the
# same events at the same places in distribution, so no single position, and
# no linear combination of positions, tells them apart: only the order does.

import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from sknn import RNNClassifier, RNNRegressor


def spike_or_plateau_first(n, length=48, seed=0):
    rng = np.random.RandomState(seed)
    X = 0.3 * rng.normal(size=(n, length))
    y = rng.randint(0, 2, n)
    for row, label in zip(X, y, strict=True):
        gap = rng.randint(1, 4)
        start = rng.randint(0, length - 3 - gap)
        spike, plateau = (start, start + gap + 1) if label else (start + gap + 2, start)
        row[spike] += 3.0 * rng.choice([-1, 1])
        row[plateau : plateau + 3] += 1.5 * rng.choice([-1, 1])
    return X, y


X, y = spike_or_plateau_first(2000)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

fig, axes = plt.subplots(2, 3, figsize=(10, 4), sharex=True, sharey=True)
for label, row in zip((1, 0), axes, strict=True):
    for ax, sequence in zip(row, X[y == label][:3], strict=True):
        ax.plot(sequence, lw=1)
    row[0].set_ylabel("spike first" if label else "plateau first")
fig.suptitle("Three sequences of each class")
fig.tight_layout()

# %%
# A 2D array is one univariate sequence per row: the RNN reads the 48 values
# as 48 steps. The tree and the SVM see the same rows as 48 features.

models = {
    "RNNClassifier": RNNClassifier(random_state=0),
    "decision tree": DecisionTreeClassifier(random_state=0),
    "SVM (RBF)": SVC(),
}
scores = {}
for name, model in models.items():
    start = time.perf_counter()
    model.fit(X_train, y_train)
    scores[name] = model.score(X_test, y_test)
    seconds = time.perf_counter() - start
    print(f"{name:14s} accuracy {scores[name]:.3f}  ({seconds:.1f} s)")

fig, ax = plt.subplots(figsize=(6, 3))
ax.barh(list(scores), list(scores.values()), color=["C0", "C7", "C7"])
ax.axvline(0.5, color="k", ls=":", label="chance")
ax.set_xlim(0, 1)
ax.set_xlabel("test accuracy")
ax.legend(loc="lower right")
fig.tight_layout()

# %%
# Forecasting several steps ahead
# -------------------------------
#
# A noisy square wave, cut into windows of 24 values; the targets are the 3
# values after each window, so ``y`` has 3 columns and the regressor 3
# outputs. What comes next depends on where in its cycle the wave is, which a
# linear function of the window only approximates.

rng = np.random.RandomState(0)
t = np.arange(1600)
series = np.sign(np.sin(t / 8)) + 0.2 * rng.normal(size=t.size)
windows = np.lib.stride_tricks.sliding_window_view(series, 24 + 3)
X, y = windows[:, :24], windows[:, 24:]
split = 1200

rnn = RNNRegressor(random_state=0).fit(X[:split], y[:split])
linear = LinearRegression().fit(X[:split], y[:split])
print(f"R² on the last {len(X) - split} windows:")
print(f"  RNNRegressor      {rnn.score(X[split:], y[split:]):.3f}")
print(f"  LinearRegression  {linear.score(X[split:], y[split:]):.3f}")

# %%
# The forecasts 3 steps ahead (the last column of each prediction), over the
# first 120 test windows, against what happened.

horizon = slice(split, split + 120)
steps = np.arange(120)
fig, ax = plt.subplots(figsize=(10, 3))
ax.plot(steps, y[horizon, 2], color="0.6", lw=1, label="observed")
ax.plot(steps, rnn.predict(X[horizon])[:, 2], label="RNNRegressor")
ax.plot(steps, linear.predict(X[horizon])[:, 2], ls="--", label="LinearRegression")
ax.set_xlabel("test window")
ax.set_ylabel("value 3 steps ahead")
ax.legend(loc="upper right", ncols=3)
fig.tight_layout()

# %%
# The training loss of the RNN, epoch by epoch: training stopped once it had
# not improved by ``tol`` for more than ``n_iter_no_change`` epochs.

fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(rnn.loss_curve_)
ax.set_xlabel("epoch")
ax.set_ylabel("training loss (squared error)")
fig.tight_layout()
plt.show()
