"""
=====================================================
A convolutional network on the digits, as 8x8 images
=====================================================

:class:`sknn.CNNClassifier` trains a convolutional network on images given
as a NumPy array of shape ``(n_samples, height, width)``. This example fits one
to the 8x8 images of handwritten digits, compares it with scikit-learn's
:class:`~sklearn.neural_network.MLPClassifier`, which sees the same pixels as
64 unrelated features, follows the training through ``loss_curve_`` and
``validation_scores_``, and looks at the test digits the two models get wrong.
"""

# %%
# The data
# --------
#
# 1797 images of 8x8 pixels with intensities from 0 to 16, scaled to [0, 1].
# ``load_digits`` gives them as flat rows of 64 values; reshaped to
# ``(n_samples, 8, 8)`` they are grey images, which is how the CNN reads a 3D
# array. float32 makes PyTorch compute in float32, several times faster than
# float64 on the CPU.

import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier

from sknn import CNNClassifier

X, y = load_digits(return_X_y=True)
images = (X / 16.0).astype(np.float32).reshape(-1, 8, 8)
images_train, images_test, y_train, y_test = train_test_split(
    images, y, test_size=0.3, stratify=y, random_state=0
)
print(f"{len(images_train)} training and {len(images_test)} test images")

# %%
# The convolutional network
# -------------------------
#
# The default network has three convolution blocks of 32, 64 and 128 filters
# (3x3 kernels, batch normalisation, each block followed by a 2x2 max pooling:
# 8x8 -> 4x4 -> 2x2 -> 1x1), then a dense layer of 128 units and the output
# layer. It trains for 100 epochs in batches of 32, its learning rate decaying
# along a cosine, with label smoothing of 0.1: the defaults that a study on
# digits and time series chose (user guide, "How the CNN and RNN defaults
# were chosen").

cnn = CNNClassifier(random_state=0)
start = time.perf_counter()
cnn.fit(images_train, y_train)
print(f"CNN: {cnn.n_iter_} epochs in {time.perf_counter() - start:.1f} s")
print(f"samples of shape {cnn.input_shape_}")
print(cnn.module_)

# %%
# scikit-learn's multi-layer perceptron
# -------------------------------------
#
# :class:`~sklearn.neural_network.MLPClassifier` (one hidden layer of 100
# units, the same stopping rule; ``max_iter=500`` because it needs about 320
# epochs here) takes flat rows: the same pixels, as 64 features. It has no
# notion of which pixels are neighbours.

flat_train = images_train.reshape(len(images_train), -1)
flat_test = images_test.reshape(len(images_test), -1)
mlp = SklearnMLPClassifier(max_iter=500, random_state=0)
start = time.perf_counter()
mlp.fit(flat_train, y_train)
print(f"scikit-learn MLP: {mlp.n_iter_} epochs in {time.perf_counter() - start:.1f} s")

cnn_predicted = cnn.predict(images_test)
mlp_predicted = mlp.predict(flat_test)
for name, predicted in [("CNN", cnn_predicted), ("scikit-learn MLP", mlp_predicted)]:
    n_wrong = np.sum(predicted != y_test)
    print(
        f"{name:>16}: test accuracy {np.mean(predicted == y_test):.3f} "
        f"({n_wrong} of {len(y_test)} test images wrong)"
    )

# %%
# Learning curves
# ---------------
#
# ``loss_curve_`` holds the training loss after each epoch, the cross-entropy
# plus the L2 penalty, in both estimators. The CNN's falls faster and further;
# it is also noisier, since it is computed with the statistics of each
# mini-batch in batch normalisation. It levels off above zero: with label
# smoothing, the targets are never certain.
#
# To see how well the network does on images it does not train on while it
# trains, fit it again with ``early_stopping=True``: it then holds out
# ``validation_fraction`` (10%) of the training images, records the negative
# log-loss on them after each epoch in ``validation_scores_``, stops once that
# score has not improved for more than ``n_iter_no_change`` epochs, and keeps
# the weights of its best epoch (the dot).

stopped = CNNClassifier(early_stopping=True, random_state=0)
stopped.fit(images_train, y_train)
print(
    f"early stopping: {stopped.n_iter_} epochs, best validation log-loss "
    f"{-stopped.best_validation_score_:.3f}, "
    f"test accuracy {stopped.score(images_test, y_test):.3f}"
)

fig, (ax_loss, ax_score) = plt.subplots(1, 2, figsize=(10, 4))
for name, model in [("CNN", cnn), ("scikit-learn MLP", mlp)]:
    ax_loss.plot(np.arange(1, model.n_iter_ + 1), model.loss_curve_, label=name)
ax_loss.set_yscale("log")
ax_loss.set_xlabel("epoch")
ax_loss.set_ylabel("training loss (log scale)")
ax_loss.set_title("Training loss")
ax_loss.legend()
scores = -np.asarray(stopped.validation_scores_)  # the log-loss
epochs = np.arange(1, len(scores) + 1)
best = int(np.argmin(scores))
ax_score.plot(epochs, scores)
ax_score.plot(epochs[best], scores[best], "o", color="C0")
ax_score.set_yscale("log")
ax_score.set_xlabel("epoch")
ax_score.set_ylabel("validation log-loss (log scale)")
ax_score.set_title("CNN, early_stopping=True: the held-out 10%")
fig.suptitle("CNNClassifier() on the 8x8 digits")
fig.tight_layout()

# %%
# The digits they get wrong
# -------------------------
#
# Every test image that either model misclassifies, with its true label and
# the two predictions. The CNN gets most of the MLP's mistakes right: a stroke
# moved by a pixel is a different set of features to the MLP, the same shape
# to the convolutions.

wrong = np.flatnonzero((cnn_predicted != y_test) | (mlp_predicted != y_test))
n_cols = 8
n_rows = int(np.ceil(len(wrong) / n_cols))
fig, axes = plt.subplots(
    n_rows, n_cols, figsize=(1.4 * n_cols, 2.0 * n_rows), squeeze=False
)
for ax in axes.ravel():
    ax.set_axis_off()
for ax, i in zip(axes.ravel()[: len(wrong)], wrong, strict=True):
    ax.imshow(images_test[i], cmap="gray_r", interpolation="nearest")
    ax.set_title(
        f"true {y_test[i]}\nCNN {cnn_predicted[i]}, MLP {mlp_predicted[i]}",
        fontsize=9,
        color="C3" if cnn_predicted[i] != y_test[i] else "black",
    )
fig.suptitle("Misclassified test digits (red: the CNN is wrong)")
fig.tight_layout()

plt.show()
