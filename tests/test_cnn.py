"""CNNClassifier and CNNRegressor: sample shapes and layouts, their errors,
searches over the architecture, augmentation, accuracy.

(Pickling, seeding, DataFrames and the other shared concerns: the
registry-parametrised test files.)"""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import CNNClassifier, CNNRegressor, MLPClassifier

SMALL = dict(filters=(4,), hidden_layer_sizes=(), max_iter=3, random_state=0)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16).astype(np.float32), y


@pytest.mark.parametrize(
    "shape, input_shape, expected",
    [
        ((30, 16), None, (1, 16)),  # one signal per row
        ((30, 4, 4), None, (1, 4, 4)),  # grey images
        ((30, 3, 4, 4), None, (3, 4, 4)),  # colour images
        ((30, 16), (16,), (1, 16)),
        ((30, 16), (2, 8), (2, 8)),  # two-channel signals in flat rows
        ((30, 48), (3, 4, 4), (3, 4, 4)),  # colour images in flat rows
        ((30, 2, 8), (2, 8), (2, 8)),  # multi-channel signals
    ],
)
def test_sample_shapes(shape, input_shape, expected):
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=shape), np.arange(shape[0]) % 2
    clf = CNNClassifier(input_shape=input_shape, **SMALL).fit(X, y)
    assert clf.input_shape_ == expected
    assert clf.module_.features[0].weight.ndim == len(expected) + 1  # Conv1d/2d
    assert clf.predict(X).shape == (shape[0],)


def test_flat_rows_with_input_shape_equal_images(digits):
    X, y = digits
    images = CNNClassifier(**SMALL).fit(X.reshape(-1, 8, 8)[:300], y[:300])
    flat = CNNClassifier(input_shape=(1, 8, 8), **SMALL).fit(X[:300], y[:300])
    np.testing.assert_allclose(
        images.predict_proba(X.reshape(-1, 8, 8)[300:400]),
        flat.predict_proba(X[300:400]),
        rtol=1e-5,
    )


def test_input_shape_that_does_not_fit_the_rows():
    X, y = np.zeros((10, 64)), np.arange(10) % 2
    with pytest.raises(ValueError, match=r"input_shape=\(1, 7, 7\).*49 values.*64"):
        CNNClassifier(input_shape=(1, 7, 7)).fit(X, y)
    with pytest.raises(ValueError, match=r"which is not one of \(length,\)"):
        CNNClassifier(input_shape=(1, 1, 8, 8)).fit(X, y)


def test_unreadable_and_mismatched_shapes():
    y = np.arange(10) % 2
    with pytest.raises(ValueError, match=r"expects signals of shape"):
        CNNClassifier(**SMALL).fit(np.zeros((10, 1, 2, 2, 2)), y)
    clf = CNNClassifier(**SMALL).fit(np.zeros((10, 4, 4)), y)
    # Images of the wrong size, even with as many pixels: sknn's message,
    # with the shape expected and the shape that came.
    for wrong in [(3, 4, 5), (3, 2, 8), (3, 2, 4, 4)]:
        with pytest.raises(
            ValueError,
            match=r"fitted on samples of shape \(1, 4, 4\) \(16 values\), got "
            rf"samples of shape \({', '.join(map(str, wrong[1:]))}\)\. Pass X of "
            r"shape \(n_samples, 1, 4, 4\)",
        ):
            clf.predict(np.zeros(wrong))
    with pytest.raises(ValueError, match="X has 15 features, but CNNClassifier is "):
        clf.predict(np.zeros((3, 15)))


def test_images_predict_from_any_layout_of_their_pixels():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(30, 4, 4)), np.arange(30) % 2
    clf = CNNClassifier(**SMALL).fit(X, y)
    assert clf.n_features_in_ == 16  # values per sample
    expected = clf.predict_proba(X)
    np.testing.assert_array_equal(clf.predict_proba(X.reshape(30, 1, 4, 4)), expected)
    np.testing.assert_array_equal(clf.predict_proba(X.reshape(30, 16)), expected)
    np.testing.assert_array_equal(clf.predict_proba(X.tolist()), expected)


def test_partial_fit_and_warm_start_on_images():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(30, 4, 4)), np.arange(30) % 2
    clf = CNNClassifier(**SMALL).partial_fit(X, y, classes=[0, 1])
    clf.partial_fit(X.reshape(30, 1, 4, 4), y).partial_fit(X.reshape(30, 16), y)
    assert len(clf.loss_curve_) == 3
    clf.set_params(warm_start=True).fit(X, y)
    assert len(clf.loss_curve_) == 3 + SMALL["max_iter"]
    with pytest.raises(ValueError, match=r"got samples of shape \(4, 2\)"):
        clf.partial_fit(X[:, :, :2], y)


def test_convolutions_that_leave_nothing_raise_a_clear_error():
    X, y = np.zeros((10, 3)), np.arange(10) % 2
    with pytest.raises(ValueError, match="reduce inputs of shape"):
        CNNClassifier(kernel_size=5, padding="valid", **SMALL).fit(X, y)


def test_grid_search_over_the_architecture(digits):
    X, y = digits
    search = GridSearchCV(
        CNNClassifier(
            input_shape=(1, 8, 8), batch_size=32, max_iter=10, random_state=0
        ),
        {"filters": [(4,), (8, 16)], "pooling": ["max", "none"]},
        cv=2,
    )
    search.fit(X[:400], y[:400])
    assert len(search.cv_results_["params"]) == 4
    assert search.best_estimator_.module_.features[0].out_channels in (4, 8)
    assert search.score(X[400:800], y[400:800]) > 0.8


def test_cross_val_score_of_a_regressor_pipeline():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 2, 16))  # two-channel signals
    y = X[:, 0, :8].sum(1) - X[:, 1, 8:].sum(1)
    scores = cross_val_score(
        CNNRegressor(filters=(8,), max_iter=100, random_state=0), X, y, cv=3
    )
    assert scores.shape == (3,)
    assert scores.min() > 0.5
    flat = make_pipeline(
        StandardScaler(),
        CNNRegressor(filters=(8,), input_shape=(2, 16), max_iter=100, random_state=0),
    )
    assert cross_val_score(flat, X.reshape(200, 32), y, cv=3).min() > 0.5


def _pattern_at_random_positions(n, length=64, seed=0):
    """Noise, where class 1 hides a short pattern at a random position."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, length)).astype(np.float32)
    y = rng.randint(0, 2, n)
    pattern = np.array([3.0, -3.0, 3.0, -3.0, 3.0], dtype=np.float32)
    for i in np.flatnonzero(y):
        start = rng.randint(0, length - len(pattern))
        X[i, start : start + len(pattern)] += pattern
    return X, y


@pytest.mark.figures
def test_convolution_wins_on_a_pattern_at_a_random_position():
    X, y = _pattern_at_random_positions(1200)
    X_test, y_test = _pattern_at_random_positions(600, seed=1)
    cnn = CNNClassifier(filters=(16, 32), kernel_size=5, max_iter=60, random_state=0)
    cnn.fit(X, y)
    mlp = MLPClassifier((64,), max_iter=60, random_state=0).fit(X, y)
    cnn_accuracy, mlp_accuracy = cnn.score(X_test, y_test), mlp.score(X_test, y_test)
    print(f"pattern task: CNN {cnn_accuracy:.3f}, MLP {mlp_accuracy:.3f}")
    assert cnn_accuracy >= 0.95
    assert cnn_accuracy >= mlp_accuracy + 0.1


def test_regressor_on_signals():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 32)).astype(np.float32)
    y = np.stack([X[:, 5:9].sum(1), X[:, 20:24].max(1)], axis=1)  # two targets
    reg = CNNRegressor(filters=(16,), max_iter=150, random_state=0).fit(
        X[:300], y[:300]
    )
    assert reg.predict(X[300:]).shape == (100, 2)
    assert reg.score(X[300:], y[300:]) > 0.8


@pytest.mark.figures
def test_digits_as_images_reach_0993_in_5_fold_cv_with_the_defaults(digits):
    """The defaults study's figure (benchmarks/defaults.py, digits-images):
    0.993 in float32; 0.989 with the defaults before it."""
    X, y = digits
    cnn = CNNClassifier(input_shape=(1, 8, 8), random_state=0)
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    scores = cross_val_score(cnn, X, y, cv=cv)
    print(f"digits 5-fold accuracy: {scores.mean():.4f}")
    assert scores.mean() >= 0.993


@pytest.mark.slow
def test_small_data_with_batch_norm_is_stable_across_seeds(digits):
    """50 training images, batches of 16 (a last batch of 2 joins the one
    before it): batch norm does not make the accuracy swing with the seed."""
    X, y = digits
    scores = [
        CNNClassifier(
            input_shape=(1, 8, 8),
            normalization="batch",
            batch_size=16,
            max_iter=60,
            random_state=seed,
        )
        .fit(X[:50], y[:50])
        .score(X[1000:1400], y[1000:1400])
        for seed in range(4)
    ]
    print(f"50 samples, 4 seeds: {np.round(scores, 3)}")
    assert min(scores) >= 0.6
    assert max(scores) - min(scores) <= 0.12


def test_augmentation_acts_in_training_only(digits):
    from sknn.modules import RandomShiftFlip

    X, y = digits
    clf = CNNClassifier(
        input_shape=(1, 8, 8), random_shift=1, random_flip=True, **SMALL
    ).fit(X[:200], y[:200])
    layer = clf.module_.features[0]
    assert isinstance(layer, RandomShiftFlip)
    np.testing.assert_array_equal(clf.predict_proba(X[:50]), clf.predict_proba(X[:50]))
    plain = CNNClassifier(input_shape=(1, 8, 8), **SMALL).fit(X[:200], y[:200])
    assert not np.allclose(clf.predict_proba(X[:50]), plain.predict_proba(X[:50]))
    # In training mode the layer moves pixels around; the shifted images keep
    # their values (zeros fill in), and some samples differ from the input.
    images = torch.from_numpy(X[:64].reshape(-1, 1, 8, 8))
    torch.manual_seed(0)
    shifted = RandomShiftFlip(max_shift=1).train()(images)
    assert shifted.shape == images.shape
    assert not torch.equal(shifted, images)
    assert shifted.sum() <= images.sum() + 1e-4
