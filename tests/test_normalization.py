"""Normalisation layers: batch statistics that honour sample weights, and
the per-sample normalisations of the CNNs (``normalization``)."""

import numpy as np
import pytest
import torch
from torch import nn

from sknn import CNNClassifier, MLPClassifier
from sknn.modules import CNN
from sknn.modules._layers import norm_layer
from sknn.modules._norm import (
    WeightedBatchNorm1d,
    WeightedBatchNorm2d,
    batch_weights,
    weighted_norms,
)


@pytest.mark.parametrize(
    "layer, shape",
    [
        (WeightedBatchNorm1d, (6, 3)),
        (WeightedBatchNorm1d, (6, 3, 5)),
        (WeightedBatchNorm2d, (6, 3, 4, 4)),
    ],
)
def test_a_weight_of_k_is_k_copies_and_0_is_none(layer, shape):
    torch.manual_seed(0)
    X = torch.randn(*shape, dtype=torch.float64)
    weight = torch.tensor([2.0, 0.0, 1.0, 3.0, 1.0, 1.0], dtype=torch.float64)
    copies = torch.cat(
        [
            X[i : i + 1].repeat(int(k), *([1] * (X.ndim - 1)))
            for i, k in enumerate(weight)
        ]
    )
    weighted, repeated = layer(3).double(), layer(3).double()
    with batch_weights(weighted_norms(weighted), weight):
        out = weighted(X)
    expected = repeated(copies)
    # Rows 0, 2, 3, 4, 5 of X are rows 0, 2, 3, 6, 7 of the copies.
    torch.testing.assert_close(out[[0, 2, 3, 4, 5]], expected[[0, 2, 3, 6, 7]])
    torch.testing.assert_close(weighted.running_mean, repeated.running_mean)
    torch.testing.assert_close(weighted.running_var, repeated.running_var)
    assert weighted.sample_weight is None  # given for the block only


def test_without_weights_and_in_eval_mode_the_layer_is_torchs():
    torch.manual_seed(0)
    X = torch.randn(8, 3, 5)
    ours, theirs = WeightedBatchNorm1d(3), nn.BatchNorm1d(3)
    torch.testing.assert_close(ours(X), theirs(X))
    with batch_weights(weighted_norms(ours.eval()), torch.ones(8)):
        torch.testing.assert_close(ours(X), theirs.eval()(X))


def test_class_weights_weigh_the_batch_statistics_too():
    """A class weight of 2 trains as repeating that class's samples (full
    batches, float64: the same network)."""
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(30, 4)), np.arange(30) % 2
    params = dict(
        hidden_layer_sizes=(8,), normalization="batch", max_iter=5, random_state=0
    )
    weighted = MLPClassifier(class_weight={0: 1, 1: 2}, **params).fit(X, y)
    rows = np.r_[np.arange(30), np.flatnonzero(y == 1)]
    repeated = MLPClassifier(**params).fit(X[rows], y[rows])
    np.testing.assert_allclose(
        weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-6
    )


@pytest.mark.parametrize(
    "name, n_dims, expected",
    [
        ("batch", 2, "WeightedBatchNorm2d"),
        ("batch", 1, "WeightedBatchNorm1d"),
        ("layer", 1, "GroupNorm(1, 32"),
        ("group", 2, "GroupNorm(4, 32"),
        ("group", 0, "LayerNorm((32,)"),
    ],
)
def test_normalization_layers_by_name(name, n_dims, expected):
    assert repr(norm_layer(name, n_dims, 32)).startswith(expected)
    assert norm_layer(None, n_dims, 32) is None


def test_group_normalization_takes_groups_of_at_most_8_channels():
    assert norm_layer("group", 1, 12).num_groups == 2  # 6 and 6
    assert norm_layer("group", 1, 20).num_groups == 4  # 4 x 5 (3 do not divide)
    assert norm_layer("group", 1, 7).num_groups == 1


@pytest.mark.parametrize("normalization", ["layer", "group"])
def test_per_sample_normalization_never_looks_at_the_batch(normalization):
    torch.manual_seed(0)
    net = CNN((2, 16), 3, filters=(8, 16), normalization=normalization).train()
    X = torch.randn(5, 2, 16)
    torch.testing.assert_close(net(X)[:1], net(X[:1]))


def test_an_unknown_normalization_is_refused():
    X, y = np.zeros((10, 16)), np.arange(10) % 2
    with pytest.raises(ValueError, match="'normalization' parameter"):
        CNNClassifier(normalization="instance").fit(X, y)
    with pytest.raises(ValueError, match="normalization must be one of"):
        norm_layer("instance", 1, 8)


def test_batch_normalization_needs_batches_of_two():
    X, y = np.random.RandomState(0).normal(size=(10, 16)), np.arange(10) % 2
    with pytest.raises(ValueError, match="normalization='batch' needs batches of at"):
        CNNClassifier(normalization="batch", batch_size=1, max_iter=1).fit(X, y)


def test_the_convolutional_autoencoder_normalises_with_weighted_batches():
    """With batch normalisation on, a weight of 2 still trains as a repeated
    sample: scikit-learn's own check passes."""
    from sklearn.utils.estimator_checks import (
        check_sample_weight_equivalence_on_dense_data,
    )

    from sknn import CNNAutoencoder

    ae = CNNAutoencoder(
        n_components=2,
        filters=(4,),
        pooling="none",
        normalization="batch",
        max_iter=5,
        random_state=0,
        dtype="float64",  # the check compares to float64's rounding
    )
    assert any(
        isinstance(m, WeightedBatchNorm2d)
        for m in ae.fit(np.random.RandomState(0).rand(20, 6, 6)).module_.modules()
    )
    check_sample_weight_equivalence_on_dense_data("CNNAutoencoder", ae)
