"""Data larger than memory: a memmap trains where it lies, and chunks stream
through ``partial_fit``."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_regression
from skorch.callbacks import Callback

from sknn import CNNClassifier, MLPRegressor


class TrainingData(Callback):
    """Records the address of the tensor the net trains on."""

    def on_train_begin(self, net, X=None, **kwargs):
        self.address_ = X.X.data_ptr()


@pytest.fixture
def memmap(tmp_path):
    X, y = make_regression(n_samples=600, n_features=12, random_state=0)
    path = tmp_path / "X.npy"
    np.save(path, X.astype(np.float32))
    return np.load(path, mmap_mode="r"), (y / y.std()).astype(np.float32)


def test_a_read_only_memmap_trains_in_place_without_a_warning(memmap):
    X, y = memmap
    reg = MLPRegressor(max_iter=5, random_state=0, callbacks=[("seen", TrainingData())])
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*not writable")
        reg.fit(X, y)
    # The tensor the net trains on is the map's own memory: no copy of X.
    assert dict(reg.net_.callbacks_)["seen"].address_ == X.ctypes.data
    in_memory = MLPRegressor(max_iter=5, random_state=0).fit(np.array(X), y)
    np.testing.assert_array_equal(reg.predict(X), in_memory.predict(X))
    assert not X.flags.writeable


def test_early_stopping_holds_out_rows_of_the_memmap_without_copying_it(memmap):
    # The held-out rows are copied (a tenth); the training rows stay where
    # they lie, named by their indices.
    X, y = memmap
    reg = MLPRegressor(
        max_iter=5,
        early_stopping=True,
        random_state=0,
        callbacks=[("seen", TrainingData())],
    )
    reg.fit(X, y)
    assert dict(reg.net_.callbacks_)["seen"].address_ == X.ctypes.data
    in_memory = MLPRegressor(max_iter=5, early_stopping=True, random_state=0)
    in_memory.fit(np.array(X), y)
    assert reg.validation_scores_ == in_memory.validation_scores_
    np.testing.assert_array_equal(reg.predict(X), in_memory.predict(X))


def test_images_in_a_memmap_train_in_place(tmp_path):
    rng = np.random.RandomState(0)
    path = tmp_path / "images.npy"
    np.save(path, rng.normal(size=(64, 1, 8, 8)).astype(np.float32))
    X, y = np.load(path, mmap_mode="r"), rng.randint(0, 2, 64)
    clf = CNNClassifier(
        filters=(4,), max_iter=2, random_state=0, callbacks=[("seen", TrainingData())]
    )
    clf.fit(X, y)
    assert dict(clf.net_.callbacks_)["seen"].address_ == X.ctypes.data


def test_chunks_streamed_through_partial_fit_train_the_model():
    # The Scaling out page's recipe: one pass over the chunks is one epoch.
    X, y = make_regression(n_samples=3000, n_features=10, noise=1.0, random_state=0)
    y = y / y.std()

    def chunks(size=500):
        for start in range(0, len(y), size):
            yield X[start : start + size], y[start : start + size]

    reg = MLPRegressor(
        hidden_layer_sizes=(32,), learning_rate_init=0.01, random_state=0
    )
    for _ in range(10):
        for X_chunk, y_chunk in chunks():
            reg.partial_fit(X_chunk, y_chunk)
    assert reg.t_ == 10 * len(y)
    assert reg.score(X, y) > 0.95
