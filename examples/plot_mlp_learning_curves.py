"""
==========================================================
Learning curves: sknn and scikit-learn MLPs on the digits
==========================================================

:class:`sknn.MLPClassifier` is a drop-in replacement for scikit-learn's
:class:`sklearn.neural_network.MLPClassifier`. This example trains both on the
8x8 images of handwritten digits with the same hyperparameters and compares
their learning curves (``loss_curve_``), then uses two things that sknn's
PyTorch engine makes easy to look at: how dropout changes training, and what
early stopping keeps.
"""

# %%
# The data
# --------
#
# 1797 images of 8x8 pixels with intensities from 0 to 16, scaled to [0, 1].
# float32 inputs make both estimators compute in float32: plenty for this
# problem, and several times faster than float64 for PyTorch on the CPU.

import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier

from sknn import MLPClassifier

X, y = load_digits(return_X_y=True)
X = (X / 16.0).astype(np.float32)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
print(f"{X_train.shape[0]} training and {X_test.shape[0]} test images")

# %%
# The same model, two implementations
# -----------------------------------
#
# Both estimators get exactly the same constructor arguments: one hidden
# layer of 64 ReLU units trained with Adam on mini-batches of 200 images,
# stopping once the training loss has failed to improve by ``tol`` for more
# than ``n_iter_no_change`` (10) epochs in a row.

params = {
    "hidden_layer_sizes": (64,),
    "learning_rate_init": 0.01,
    "tol": 1e-3,
    "random_state": 0,
}
models = {
    "scikit-learn": SklearnMLPClassifier(**params),
    "sknn": MLPClassifier(**params),
}
for name, model in models.items():
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    print(
        f"{name:>12}: {model.n_iter_} epochs in {seconds:.1f} s, "
        f"final loss {model.loss_:.4f}, "
        f"test accuracy {model.score(X_test, y_test):.3f}"
    )

# %%
# ``loss_curve_`` holds the training loss after each epoch (the cross-entropy
# plus the L2 penalty) in both. The curves are not identical — the random
# draws and the optimizers' floating-point arithmetic differ — but they
# describe the same optimisation: the same starting loss and the same speed of
# descent, to the same place.

fig, ax = plt.subplots(figsize=(6.4, 4))
for name, model in models.items():
    ax.plot(np.arange(1, model.n_iter_ + 1), model.loss_curve_, label=name)
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss (log scale)")
ax.set_title("MLPClassifier(hidden_layer_sizes=(64,)) on the digits")
ax.legend()
fig.tight_layout()

# %%
# Dropout
# -------
#
# ``dropout`` is one of the parameters sknn adds: during training each hidden
# unit is zeroed with that probability, which keeps a network from memorising
# its training set. Overfitting shows best with little data, so the models
# below see only 400 of the training images, through a wide hidden layer. To
# follow them epoch by epoch they train with ``partial_fit`` — one epoch per
# call — and are scored on the test images after each epoch, with the same
# cross-entropy (:func:`~sklearn.metrics.log_loss`) that training minimises.

from sklearn.metrics import log_loss

X_small, y_small = X_train[:400], y_train[:400]
n_epochs = 60
curves = {}
for dropout in [0.0, 0.2, 0.5]:
    model = MLPClassifier(
        hidden_layer_sizes=(256,),
        dropout=dropout,
        learning_rate_init=0.01,
        random_state=0,
    )
    test_loss = []
    for _ in range(n_epochs):
        model.partial_fit(X_small, y_small, classes=np.unique(y))
        test_loss.append(log_loss(y_test, model.predict_proba(X_test)))
    curves[dropout] = (model.loss_curve_, test_loss)
    print(
        f"dropout={dropout}: training loss {model.loss_curve_[-1]:.4f}, "
        f"test loss {test_loss[-1]:.3f}, "
        f"test accuracy {model.score(X_test, y_test):.3f}"
    )

# %%
# Without dropout the training loss falls towards zero — the network fits its
# 400 images ever more exactly — while the loss on the test images stops
# improving after a dozen epochs: from there on, training only memorises. With
# dropout the training loss stays higher, since each step trains a network
# with a random part of its units missing, and the test loss ends lower, the
# more so with more dropout. On an easy problem like this one the accuracies
# differ little; the gain shows in the quality of the predicted probabilities.

epochs = np.arange(1, n_epochs + 1)
fig, (ax_train, ax_test) = plt.subplots(1, 2, figsize=(10, 4))
for dropout, (loss_curve, test_loss) in curves.items():
    ax_train.plot(epochs, loss_curve, label=f"dropout={dropout}")
    ax_test.plot(epochs, test_loss, label=f"dropout={dropout}")
ax_train.set_yscale("log")
ax_train.set_xlabel("epoch")
ax_train.set_ylabel("cross-entropy (log scale)")
ax_train.set_title("Training loss (400 images)")
ax_test.set_xlabel("epoch")
ax_test.set_ylabel("cross-entropy")
ax_test.set_ylim(0.1, 0.4)
ax_test.set_title("Test loss (540 images)")
ax_test.legend()
fig.suptitle("MLPClassifier(hidden_layer_sizes=(256,)) with dropout")
fig.tight_layout()

# %%
# Early stopping
# --------------
#
# With ``early_stopping=True`` both estimators hold out
# ``validation_fraction`` (10%) of the training images, score them after each
# epoch (``validation_scores_``), stop once that score has not improved for
# more than ``n_iter_no_change`` epochs, and restore the weights of the best
# epoch: training is judged on images the network does not train on.

stopped = {}
for name, estimator in [
    ("scikit-learn", SklearnMLPClassifier),
    ("sknn", MLPClassifier),
]:
    model = estimator(**params, early_stopping=True)
    model.fit(X_train, y_train)
    stopped[name] = model
    print(
        f"{name:>12}: {model.n_iter_} epochs, "
        f"best validation accuracy {model.best_validation_score_:.3f}, "
        f"test accuracy {model.score(X_test, y_test):.3f}"
    )

# %%
# The dots mark the best validation score, the epoch whose weights each model
# keeps; the curves end where training stopped, ``n_iter_no_change + 1`` epochs
# later. The two estimators draw their validation images at random, with
# different generators, so they are not scored on the same images: compare
# the shapes of the curves rather than their heights.

fig, ax = plt.subplots(figsize=(6.4, 4))
for name, model in stopped.items():
    scores = np.asarray(model.validation_scores_)
    epochs = np.arange(1, len(scores) + 1)
    (line,) = ax.plot(epochs, scores, label=name)
    best = int(np.argmax(scores))
    ax.plot(epochs[best], scores[best], "o", color=line.get_color())
ax.set_xlabel("epoch")
ax.set_ylabel("validation accuracy")
ax.set_ylim(0.8, 1.0)
ax.set_title("early_stopping=True: score on the held-out 10%")
ax.legend(loc="lower right")
fig.tight_layout()

plt.show()
