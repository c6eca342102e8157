"""SeriesClassifier and SeriesRegressor: series as they come (aeon's and
sktime's layouts, variable length, NaN padding), what the defaults learn,
the errors; and their first layer, sknn.modules.MiniRocket."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning

from sknn import SeriesClassifier, SeriesRegressor
from sknn.modules import MiniRocket
from sknn.modules.series import (
    N_KERNELS,
    POOLINGS,
    first_differences,
    kernel_dilations,
    series_statistics,
)


def _shapes(n, length=60, channels=1, seed=0, varied=False):
    """Series of three shapes (sine, square, sawtooth waves) at a random
    level, amplitude, phase and frequency, with noise; their shape is the
    label. ``varied``: lengths from ``length // 2`` to ``length``, as a list
    of (channels, length_i) arrays."""
    rng = np.random.RandomState(seed)
    y = np.arange(n) % 3
    series = []
    for label in y:
        size = rng.randint(length // 2, length + 1) if varied else length
        t = np.arange(size) * rng.uniform(0.1, 0.3) + rng.uniform(0, 2 * np.pi)
        wave = [np.sin(t), np.sign(np.sin(t)), (t / np.pi) % 2 - 1][label]
        s = rng.uniform(0.5, 3) * wave + rng.normal(scale=5)
        s = np.tile(s, (channels, 1)) + 0.1 * rng.normal(size=(channels, size))
        series.append(s)
    if varied:
        return series, y
    return np.stack(series), y


def _nan_padded(series):
    """A list of (channels, length_i) arrays as one NaN-padded array."""
    longest = max(s.shape[-1] for s in series)
    out = np.full((len(series), series[0].shape[0], longest), np.nan)
    for row, s in zip(out, series, strict=True):
        row[:, : s.shape[-1]] = s
    return out


# ------------------------------------------------------------ what they learn
def test_the_defaults_tell_wave_shapes_apart_whatever_their_level():
    X, y = _shapes(150)
    X, X_test = X[:, 0], _shapes(150, seed=1)[0][:, 0]  # (n, length)
    y_test = _shapes(150, seed=1)[1]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = SeriesClassifier(random_state=0).fit(X, y)
    assert clf.score(X_test, y_test) >= 0.95
    assert clf.n_channels_ == 1
    assert clf.n_features_in_ == 60  # 2D X: its columns


def test_series_of_other_lengths_than_fit_are_read():
    X, y = _shapes(150)
    clf = SeriesClassifier(random_state=0).fit(X, y)
    for length in (40, 90):
        X_test, y_test = _shapes(90, length=length, seed=1, varied=True)
        assert clf.score(X_test, y_test) >= 0.9


def test_variable_length_multichannel_series():
    X, y = _shapes(150, channels=3, varied=True)
    X_test, y_test = _shapes(90, channels=3, seed=1, varied=True)
    clf = SeriesClassifier(random_state=0).fit(X, y)
    assert clf.score(X_test, y_test) >= 0.95
    assert clf.n_channels_ == clf.n_features_in_ == 3


def test_the_regressor_reads_a_frequency_on_the_targets_own_scale():
    rng = np.random.RandomState(0)
    frequency = rng.uniform(0.1, 0.5, 200)
    t = np.arange(80)
    X = np.sin(np.outer(frequency, t) + rng.uniform(0, 6, (200, 1)))
    X += 0.1 * rng.normal(size=X.shape)
    y = 1e4 + 1e3 * frequency  # far from standardized
    reg = SeriesRegressor(random_state=0).fit(X[:150], y[:150])
    assert reg.score(X[150:], y[150:]) >= 0.9
    assert abs(reg.predict(X[150:]).mean() - y[150:].mean()) < 30


def test_a_class_told_by_one_channel_of_several():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 4, 50))
    y = rng.randint(0, 2, 200)
    X[y == 1, 2, 20:30] += 3.0  # a bump in channel 2 only
    clf = SeriesClassifier(random_state=0).fit(X[:120], y[:120])
    assert clf.score(X[120:], y[120:]) >= 0.95


# ------------------------------------------------------------------ layouts
def test_aeon_layouts_give_the_same_model():
    """(n, channels, length) arrays and lists of (channels, length) arrays;
    one channel: (n, length) and (n, 1, length) too."""
    X, y = _shapes(60, channels=2)
    from_array = SeriesClassifier(random_state=0).fit(X, y)
    from_list = SeriesClassifier(random_state=0).fit(list(X), y)
    np.testing.assert_array_equal(
        from_array.predict_proba(X), from_list.predict_proba(list(X))
    )
    X1 = X[:, 0]
    flat = SeriesClassifier(random_state=0).fit(X1, y)
    one_channel = SeriesClassifier(random_state=0).fit(X1[:, None], y)
    np.testing.assert_array_equal(
        flat.predict_proba(X1), one_channel.predict_proba(X1[:, None])
    )


def test_lists_of_varied_lengths_equal_nan_padding():
    X, y = _shapes(60, channels=2, varied=True)
    padded = _nan_padded(X)
    from_list = SeriesClassifier(random_state=0).fit(X, y)
    from_padded = SeriesClassifier(random_state=0).fit(padded, y)
    np.testing.assert_array_equal(
        from_list.predict_proba(X), from_padded.predict_proba(padded)
    )
    univariate = [s[0] for s in X]  # 1D series of varied lengths
    clf = SeriesClassifier(random_state=0).fit(univariate, y)
    np.testing.assert_array_equal(
        clf.predict_proba(univariate), clf.predict_proba(_nan_padded(X)[:, :1])
    )


def test_padding_never_counts():
    """A series predicts alike alone and padded with NaN steps to any
    length, and its features do not depend on the zeros past its length."""
    X, y = _shapes(60, varied=True)
    clf = SeriesClassifier(random_state=0).fit(X, y)
    alone = clf.predict_proba([X[0]])
    padded = np.concatenate([X[0], np.full((1, 25), np.nan)], axis=1)
    np.testing.assert_allclose(clf.predict_proba(padded[None]), alone, rtol=1e-12)
    rocket = clf._input.rockets_[0]
    short = torch.tensor(X[0][None], dtype=torch.float32)
    zeros = torch.cat([short, torch.zeros(1, 1, 25)], dim=2)
    length = torch.tensor([short.shape[2]])
    torch.testing.assert_close(rocket(zeros, length), rocket(short), rtol=0, atol=0)


# ------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "X, message",
    [
        (np.ones((3, 2, 5, 5)), r"expects series of shape \(n_series, length\)"),
        ([np.ones((2, 7)), np.ones((3, 9))], "same n_channels"),
        ([np.ones((7, 2)), np.ones((9, 2))], r"pass their transposes, s\.T"),
        (np.ones((3, 0)), r"0 feature\(s\)"),  # scikit-learn's
    ],
)
def test_series_it_cannot_read_are_refused_with_what_to_pass(X, message):
    with pytest.raises(ValueError, match=message):
        SeriesClassifier().fit(X, [0, 1, 0][: len(X)])


def test_nan_is_padding_at_the_end_only():
    X, y = _shapes(6, channels=2, length=20)
    inside = X.copy()
    inside[1, :, 5] = np.nan
    with pytest.raises(ValueError, match="NaN before the end of series 1"):
        SeriesClassifier().fit(inside, y)
    one_channel = X.copy()
    one_channel[2, 0, -3:] = np.nan
    with pytest.raises(ValueError, match="NaN in some but not all channels"):
        SeriesClassifier().fit(one_channel, y)
    empty = X.copy()
    empty[3] = np.nan
    with pytest.raises(ValueError, match="series 3 with no step"):
        SeriesClassifier().fit(empty, y)


def test_predict_refuses_another_number_of_channels():
    X, y = _shapes(30, channels=2)
    clf = SeriesClassifier(n_kernel_features=168).fit(X, y)
    with pytest.raises(ValueError, match=r"fitted on series of 2 channel\(s\), got 3"):
        clf.predict(np.ones((2, 3, 60)))


# ------------------------------------------------------------------ saving
def test_a_saved_model_holds_no_training_series():
    small, y_small = _shapes(30)
    large, y_large = _shapes(600)
    sizes = []
    for X, y in ((small, y_small), (large, y_large)):
        clf = SeriesClassifier(n_kernel_features=840, random_state=0).fit(X, y)
        assert "_fit_features" not in vars(clf._input)
        sizes.append(len(pickle.dumps(clf)))
    assert abs(sizes[1] - sizes[0]) < 0.01 * sizes[0]


def test_a_loaded_model_predicts_alike():
    X, y = _shapes(60, channels=2, varied=True)
    clf = SeriesClassifier(random_state=0).fit(X, y)
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


# ------------------------------------------------------- the MiniRocket layer
def test_the_kernels_sum_to_zero_and_span_the_series():
    rocket = MiniRocket(n_channels=1, length=300)
    assert rocket.kernels.shape == (N_KERNELS, 1, 9)
    torch.testing.assert_close(rocket.kernels.sum(dim=2), torch.zeros(84, 1))
    assert rocket.n_features == 84 * sum(rocket.per_dilation) == 9996
    assert rocket.dilations[0] == 1
    assert 8 * rocket.dilations[-1] <= 299 < 8 * 2 * rocket.dilations[-1]
    dilations, per_dilation = kernel_dilations(300, 10_000, 32)
    assert dilations == rocket.dilations and len(dilations) <= 32
    assert per_dilation == rocket.per_dilation


def test_a_level_shift_changes_no_kernel_output():
    X = torch.randn(5, 1, 40)
    rocket = MiniRocket(n_channels=1, length=40, n_kernel_features=840)
    rocket.fit_biases(X)
    # Kernels sum to 0: inside the series a shift of level cancels out (the
    # padded ends, where kernels reach past the series, see it).
    inner = rocket._convolve(X + 7.0, 0)[..., 4:-4]
    torch.testing.assert_close(
        inner, rocket._convolve(X, 0)[..., 4:-4], atol=1e-4, rtol=0
    )


def test_biases_are_quantiles_of_the_training_outputs():
    """Each feature's mean proportion over the training series is about
    1 - its quantile level, for the kernels that count every position."""
    X = torch.randn(200, 1, 64)
    rocket = MiniRocket(n_channels=1, length=64, n_kernel_features=840)
    rocket.fit_biases(X)
    features = rocket(X).mean(0).reshape(-1)  # (F,)
    levels = iter(torch.arange(1, rocket.n_features + 1) * ((5**0.5 + 1) / 2) % 1)
    start = 0
    for index, n_biases in enumerate(rocket.per_dilation):
        for kernel in range(N_KERNELS):
            q = torch.stack([next(levels) for _ in range(n_biases)]).float()
            block = features[start : start + n_biases]
            start += n_biases
            if (index + kernel) % 2 == 0:  # counts every position
                torch.testing.assert_close(block, 1 - q, atol=0.02, rtol=0)


def test_weights_of_series_are_repeats_for_the_biases():
    X = torch.randn(10, 2, 30)
    weight = torch.tensor([0, 1, 2, 3, 1, 1, 0, 2, 1, 1], dtype=torch.float64)
    weighted = MiniRocket(n_channels=2, length=30, n_kernel_features=840)
    weighted.fit_biases(X, sample_weight=weight)
    repeated = MiniRocket(n_channels=2, length=30, n_kernel_features=840)
    order = torch.randperm(int(weight.sum()))
    repeated.fit_biases(X.repeat_interleave(weight.long(), dim=0)[order])
    torch.testing.assert_close(weighted.biases, repeated.biases, rtol=0, atol=1e-6)


def test_the_differences_and_the_statistics_of_each_series():
    X = torch.tensor([[[1.0, 3.0, 6.0, 0.0]], [[2.0, 2.0, 5.0, 9.0]]])
    lengths = torch.tensor([3, 4])
    torch.testing.assert_close(
        first_differences(X, lengths),
        torch.tensor([[[0.0, 2.0, 3.0, 0.0]], [[0.0, 0.0, 3.0, 4.0]]]),
    )
    stats = series_statistics(X, lengths)  # mean, std, min, max, log(length)
    torch.testing.assert_close(
        stats[0], torch.tensor([10 / 3, (38 / 9) ** 0.5, 1.0, 6.0, float(np.log(3))])
    )
    torch.testing.assert_close(
        stats[1, :4], torch.tensor([4.5, (33 / 4) ** 0.5, 2.0, 9.0])
    )


def test_the_estimators_features_are_both_layers_and_the_statistics():
    X, y = _shapes(30, channels=2)
    clf = SeriesClassifier(n_kernel_features=1680, random_state=0).fit(X, y)
    series, differences = clf._input.rockets_
    assert series.n_features == differences.n_features == 840
    assert clf.module_.n_features == 2 * 840 + 4 * 2 + 1


def _longest_stretch(positive: np.ndarray) -> int:
    longest = current = 0
    for value in positive:
        current = current + 1 if value else 0
        longest = max(longest, current)
    return longest


def test_multirocket_poolings_follow_their_definitions():
    """PPV, MPV, MIPV and LSPV of every kernel, dilation and bias, against
    their definitions over each series' counted positions."""
    X = torch.randn(3, 1, 40)
    X[1, :, 25:] = 0.0  # a series of 25 steps
    lengths = torch.tensor([40, 25, 40])
    rocket = MiniRocket(1, 40, n_kernel_features=4 * 168, pooling=POOLINGS)
    rocket.fit_biases(X, lengths)
    features = rocket(X, lengths).numpy()
    assert features.shape == (3, rocket.n_features) == (3, 4 * 168)
    expected = []
    for index, n_biases in enumerate(rocket.per_dilation):
        out = rocket._convolve(X, index).numpy()
        counted = rocket._counted(index, lengths, 40).numpy()
        biases = rocket.biases[index, :, :n_biases].numpy()
        per_pooling = {name: np.empty((3, N_KERNELS, n_biases)) for name in POOLINGS}
        for n, k, b in np.ndindex(3, N_KERNELS, n_biases):
            values = out[n, k][counted[n, k]] - biases[k, b]
            positive = values > 0
            where = np.flatnonzero(positive)
            per_pooling["ppv"][n, k, b] = positive.mean()
            per_pooling["mpv"][n, k, b] = values[positive].mean() if where.size else 0
            per_pooling["mipv"][n, k, b] = (
                where.mean() / (len(values) - 1) if where.size else -1
            )
            per_pooling["lspv"][n, k, b] = _longest_stretch(positive) / len(values)
        expected += [per_pooling[name].reshape(3, -1) for name in POOLINGS]
    np.testing.assert_allclose(features, np.concatenate(expected, axis=1), atol=1e-5)
    # Each pooling spreads its values, and positions past a series' end
    # never count.
    assert (features[:, features.std(0) > 0]).shape[1] > 0.9 * features.shape[1]
    padded = torch.cat([X[1:2, :, :25], torch.zeros(1, 1, 30)], dim=2)
    np.testing.assert_allclose(
        rocket(padded, torch.tensor([25]))[0].numpy(), features[1], atol=1e-6
    )


def test_the_estimators_pool_as_asked():
    X, y = _shapes(45)
    clf = SeriesClassifier(
        n_kernel_features=1344, pooling=("ppv", "lspv"), random_state=0
    ).fit(X, y)
    assert [rocket.pooling for rocket in clf._input.rockets_] == [("ppv", "lspv")] * 2
    assert clf.module_.n_features == 2 * 672 + 4 + 1
    assert clf.score(X, y) > 0.9
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize(
    "pooling, error, message",
    [
        ("max", ValueError, r"The 'pooling' parameter of SeriesClassifier"),
        (("ppv", "max"), ValueError, r"pooling must be one of \('ppv'"),
        (("ppv", "ppv"), ValueError, "a sequence of distinct ones"),
        ((), ValueError, r"got \(\)"),
    ],
)
def test_unknown_poolings_are_refused_with_the_valid_ones(pooling, error, message):
    X, y = _shapes(12)
    with pytest.raises(error, match=message):
        SeriesClassifier(pooling=pooling).fit(X, y)


def test_a_series_features_never_depend_on_the_series_beside_it():
    """Biases are outputs of training series, so a rounding difference of
    one ulp puts an output on the other side of one: each output is a fixed
    sum of its own inputs (not a convolution whose rounding varies with
    the batch), and a series' features are the same alone or in a batch."""
    X = torch.randn(40, 3, 50)
    rocket = MiniRocket(3, 50, n_kernel_features=840, pooling=POOLINGS)
    rocket.fit_biases(X)
    together = rocket(X)
    alone = torch.cat([rocket(X[i : i + 1]) for i in range(len(X))])
    torch.testing.assert_close(alone, together, rtol=0, atol=0)
    reference = torch.nn.functional.conv1d(
        X.reshape(120, 1, 50), rocket.kernels, padding=4, dilation=1
    ).reshape(40, 3, N_KERNELS, 50)
    combined = torch.einsum("nckl,kc->nkl", reference, rocket.channel_masks[0])
    torch.testing.assert_close(rocket._convolve(X, 0), combined, rtol=0, atol=1e-4)
