"""
=======================================================
An autoencoder where PCA is used: codes, reconstruction
=======================================================

:class:`sknn.Autoencoder` is a transformer that compresses each row into
``n_components`` values and reconstructs it from them, like
:class:`~sklearn.decomposition.PCA` but non-linear and trainable. This example
compares the two on the 8x8 digits: reconstructions from 16 values,
denoising, two-dimensional codes, and anomaly scores, and shows
:class:`sknn.CNNAutoencoder`, its convolutional counterpart for images.
"""

# %%
# The data
# --------
#
# The digits' 64 pixel intensities, scaled to [0, 1], split into training and
# test images.

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from sknn import Autoencoder, CNNAutoencoder

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)


def show_rows(rows, titles, suptitle):
    """Each entry of ``rows`` as a row of 8x8 images."""
    fig, axes = plt.subplots(len(rows), 10, figsize=(10, 1.1 * len(rows) + 0.4))
    for row_axes, images, title in zip(axes, rows, titles, strict=True):
        for ax, image in zip(row_axes, images, strict=True):
            ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        row_axes[0].set_ylabel(title, rotation=0, ha="right", va="center")
    fig.suptitle(suptitle)
    fig.tight_layout()


# %%
# Reconstruction from 16 values
# -----------------------------
#
# Both models learn a code of 16 values on the training images and rebuild
# the test images from it. ``transform`` gives the codes and
# ``inverse_transform`` the reconstructions, for both.

ae = Autoencoder(n_components=16, random_state=0).fit(X_train)
pca = PCA(n_components=16).fit(X_train)


def reconstruct(model, images):
    return model.inverse_transform(model.transform(images))


for name, model in [("Autoencoder", ae), ("PCA", pca)]:
    error = np.mean((reconstruct(model, X_test) - X_test) ** 2)
    print(f"{name:12s} test reconstruction error {error:.4f}")

show_rows(
    [X_test[:10], reconstruct(ae, X_test[:10]), reconstruct(pca, X_test[:10])],
    ["original", "autoencoder", "PCA"],
    "Test digits rebuilt from 16 values",
)

# %%
# A convolutional autoencoder
# ---------------------------
#
# :class:`sknn.CNNAutoencoder` takes the images as images, ``(n_samples, 8,
# 8)`` (or flat rows with ``input_shape=(1, 8, 8)``): convolutions and
# pooling encode them, up-sampling and convolutions rebuild them, and
# ``inverse_transform`` returns images again. Convolutions run much faster in
# float32 on a CPU.

images_train = X_train.reshape(-1, 8, 8).astype(np.float32)
images_test = X_test.reshape(-1, 8, 8).astype(np.float32)
cae = CNNAutoencoder(n_components=16, random_state=0).fit(images_train)
rebuilt = reconstruct(cae, images_test)  # (450, 8, 8)
error = np.mean((rebuilt - images_test) ** 2)
print(f"CNN autoencoder test reconstruction error {error:.4f}")

show_rows(
    [images_test[:10], rebuilt[:10], reconstruct(ae, X_test[:10])],
    ["original", "CNN autoencoder", "autoencoder"],
    "Test digits rebuilt from 16 values, by convolutions",
)

# %%
# Denoising
# ---------
#
# With ``noise="gaussian"``, the training images are corrupted with fresh
# noise at every epoch, and the network learns to rebuild the clean ones.
# Here the test images get noise of standard deviation 0.3.

rng = np.random.RandomState(0)
noisy = np.clip(X_test + 0.3 * rng.normal(size=X_test.shape), 0, 1)
dae = Autoencoder(n_components=16, noise="gaussian", noise_level=0.3, random_state=0)
dae.fit(X_train)
for name, model in [("denoising AE", dae), ("PCA", pca)]:
    error = np.mean((reconstruct(model, noisy) - X_test) ** 2)
    print(f"{name:12s} distance to the clean images {error:.4f}")

show_rows(
    [
        X_test[:10],
        noisy[:10],
        reconstruct(dae, noisy[:10]),
        reconstruct(pca, noisy[:10]),
    ],
    ["clean", "noisy", "denoising AE", "PCA"],
    "Noisy test digits, cleaned",
)

# %%
# Codes of two values
# -------------------
#
# With ``n_components=2`` the codes can be drawn. PCA keeps the two directions
# of largest variance; the autoencoder's non-linear code is free to place the
# classes apart.

ae2 = Autoencoder(n_components=2, random_state=0).fit(X_train)
pca2 = PCA(n_components=2).fit(X_train)
fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
for ax, (name, model) in zip(axes, [("Autoencoder", ae2), ("PCA", pca2)], strict=True):
    codes = model.transform(X_test)
    points = ax.scatter(codes[:, 0], codes[:, 1], c=y_test, cmap="tab10", s=10)
    ax.set_title(f"{name}: test digits in 2 values")
fig.colorbar(points, ax=axes, label="digit")

# %%
# Anomaly scores
# --------------
#
# ``score_samples`` is the negated reconstruction error of each row: trained
# on the zeros only, the autoencoder rebuilds zeros well and every other
# digit badly, so low scores flag the digits it has not seen.

zeros = Autoencoder(n_components=8, random_state=0).fit(X_train[y_train == 0])
scores = zeros.score_samples(X_test)
print(
    f"ROC AUC, zeros against the other digits: {roc_auc_score(y_test == 0, scores):.3f}"
)

fig, ax = plt.subplots(figsize=(6, 3))
bins = np.linspace(scores.min(), scores.max(), 40)
ax.hist(scores[y_test == 0], bins=bins, alpha=0.7, label="zeros (trained on)")
ax.hist(scores[y_test != 0], bins=bins, alpha=0.7, label="other digits")
ax.set_xlabel("score_samples (higher: more like the training data)")
ax.legend()
fig.tight_layout()
plt.show()
