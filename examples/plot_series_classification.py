"""
===============================================
Time series of any length: a network that reads
===============================================

:class:`sknn.SeriesClassifier` takes series as they come: one or several
channels, of one length or of many, in the layout of aeon and sktime. This
example fits it on JapaneseVowels, nine men saying a vowel, recorded as 12
cepstrum coefficients over 7 to 29 frames (a multivariate series of its own
length for each utterance), with the archive's train/test split, and
compares it with a random forest on the zero-padded series.

The data is the copy bundled in the ``aeon`` wheel (``pip install --no-deps
aeon==1.6.0``), read here without importing aeon.
"""

# %%
# The series: a list of (channels, length) arrays
# -----------------------------------------------

import importlib.util
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.ensemble import RandomForestClassifier

from sknn import SeriesClassifier


def read_ts(path):
    """A ``.ts`` file of the UCR/UEA archive: (channels, length) arrays and
    the labels."""
    series, labels, in_data = [], [], False
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not in_data:
            in_data = line.lower() == "@data"
            continue
        *channels, label = line.split(":")
        series.append(np.array([c.split(",") for c in channels], dtype=float))
        labels.append(label)
    return series, np.array(labels)


aeon = Path(importlib.util.find_spec("aeon").submodule_search_locations[0])
folder = aeon / "datasets" / "data" / "JapaneseVowels"
X_train, y_train = read_ts(folder / "JapaneseVowels_TRAIN.ts")
X_test, y_test = read_ts(folder / "JapaneseVowels_TEST.ts")
lengths = [s.shape[1] for s in X_train]
print(f"{len(X_train)} training series of {X_train[0].shape[0]} channels,")
print(f"{min(lengths)} to {max(lengths)} steps long; {len(X_test)} to test")

fig, axes = plt.subplots(1, 3, figsize=(10, 2.5), sharey=True)
for ax, series, label in zip(axes, X_train[::100], y_train[::100], strict=False):
    ax.plot(series.T, linewidth=0.8)
    ax.set_title(f"speaker {label}, {series.shape[1]} frames")
fig.tight_layout()

# %%
# Fit on the list itself
# ----------------------
#
# No padding, no scaling: the estimator's first layer, MiniRocket's fixed
# convolution kernels, pools each kernel's output over each series' own
# frames, so that the padding never counts.

start = time.perf_counter()
clf = SeriesClassifier(random_state=0).fit(X_train, y_train)
print(
    f"SeriesClassifier: {clf.score(X_test, y_test):.3f} accuracy, fitted in "
    f"{time.perf_counter() - start:.1f} s"
)

# %%
# A random forest needs one length: the series zero-padded at the end and
# flattened.


def padded(series, length):
    out = np.zeros((len(series), series[0].shape[0], length))
    for row, s in zip(out, series, strict=True):
        row[:, : s.shape[1]] = s
    return out.reshape(len(series), -1)


longest = max(s.shape[1] for s in X_train + X_test)
start = time.perf_counter()
forest = RandomForestClassifier(n_estimators=500, random_state=0)
forest.fit(padded(X_train, longest), y_train)
print(
    f"RandomForest: {forest.score(padded(X_test, longest), y_test):.3f} "
    f"accuracy, fitted in {time.perf_counter() - start:.1f} s"
)

# %%
# Series of other lengths than any in fit
# ---------------------------------------
#
# The network reads any length: here the test utterances cut to their first
# 10 frames (a vowel heard early).

early = [s[:, :10] for s in X_test]
print(f"first 10 frames only: {clf.score(early, y_test):.3f} accuracy")
plt.show()
