"""CNNAutoencoder: the convolutional autoencoder, on images and signals, with
the CNN's input conventions.

(Pickling, seeding, zero sample weights and the other shared concerns: the
registry-parametrised test files.)"""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from sknn import CNNAutoencoder

SMALL = dict(filters=(4, 8), max_iter=5, random_state=0)


@pytest.fixture(scope="module")
def digits():
    """Digits as float32 grey images (n, 8, 8) in [0, 1], split 75/25."""
    X, y = load_digits(return_X_y=True)
    images = (X / 16).astype(np.float32).reshape(-1, 8, 8)
    return train_test_split(images, y, test_size=0.25, random_state=0, stratify=y)


def waves(n, length=48, kind="sine", seed=0):
    """Signals (n, length): sines of random frequency and phase, or square
    waves of the same, with a little noise."""
    rng = np.random.RandomState(seed)
    t = np.arange(length)
    frequency = rng.uniform(0.1, 0.3, size=(n, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    signal = np.sin(frequency * t + phase)
    if kind == "square":
        signal = np.sign(signal)
    return (signal + 0.05 * rng.normal(size=signal.shape)).astype(np.float32)


@pytest.mark.parametrize(
    "shape, params, layout",
    [
        ((30, 8, 8), {}, (1, 8, 8)),  # grey images
        ((30, 2, 6, 5), {}, (2, 6, 5)),  # two-channel images
        ((30, 64), {"input_shape": (1, 8, 8)}, (1, 8, 8)),  # flat rows
        ((30, 20), {}, (1, 20)),  # one signal per row
        ((30, 3, 20), {"input_shape": (3, 20)}, (3, 20)),  # three channels
    ],
)
def test_layouts_methods_and_shapes(shape, params, layout):
    X = np.random.RandomState(0).rand(*shape).astype(np.float32)
    ae = CNNAutoencoder(n_components=3, **SMALL, **params).fit(X)
    assert ae.input_shape_ == layout
    assert ae.n_features_in_ == np.prod(layout)
    codes = ae.transform(X)
    assert codes.shape == (30, 3) and codes.dtype == np.float32
    reconstruction = ae.inverse_transform(codes)
    assert reconstruction.shape == X.shape  # as fit was given the samples
    assert reconstruction.dtype == np.float32
    scores = ae.score_samples(X)
    np.testing.assert_allclose(
        -scores, ((X - reconstruction) ** 2).reshape(30, -1).mean(1), rtol=1e-5
    )
    assert ae.score(X) == pytest.approx(scores.mean())
    # The same samples as flat rows give the same codes.
    np.testing.assert_array_equal(ae.transform(X.reshape(30, -1)), codes)


def test_feature_names_pandas_output_and_user_data_untouched():
    frame = pd.DataFrame(
        np.random.RandomState(0).rand(30, 16), columns=[f"p{i}" for i in range(16)]
    )
    before = frame.copy()
    ae = CNNAutoencoder(n_components=2, input_shape=(1, 4, 4), **SMALL)
    codes = ae.set_output(transform="pandas").fit_transform(frame)
    assert list(codes.columns) == ["cnnautoencoder0", "cnnautoencoder1"]
    assert list(ae.feature_names_in_) == list(frame.columns)
    assert ae.inverse_transform(codes.to_numpy()).shape == (30, 16)
    pd.testing.assert_frame_equal(frame, before)


def test_errors():
    X = np.random.RandomState(0).rand(20, 8, 8)
    ae = CNNAutoencoder(n_components=2, **SMALL).fit(X)
    with pytest.raises(ValueError, match=r"codes of 2 values \(n_components\), got 8"):
        ae.inverse_transform(X[:, 0])
    with pytest.raises(
        ValueError, match=r"fitted on samples of shape \(1, 8, 8\) \(64 values\), got"
    ):
        ae.transform(X.reshape(20, 4, 16))
    with pytest.raises(ValueError, match="filters must hold at least one"):
        CNNAutoencoder(filters=()).fit(X)
    with pytest.raises(ValueError, match=r"input_shape=\(1, 7, 7\), 49 values"):
        CNNAutoencoder(input_shape=(1, 7, 7)).fit(X.reshape(20, 64))
    with pytest.raises(ValueError, match=r"values from -0.99\d+ to .*Scale X to \[0"):
        CNNAutoencoder(loss="binary_crossentropy", **SMALL).fit(2 * X - 1)
    with pytest.raises(
        ValueError, match="normalization='batch' needs batches of at least"
    ):
        CNNAutoencoder(normalization="batch", batch_size=1, **SMALL).fit(X)


def test_partial_fit_and_warm_start_take_the_fitted_layouts():
    X = np.random.RandomState(0).rand(40, 8, 8).astype(np.float32)
    ae = CNNAutoencoder(n_components=2, filters=(4,), random_state=0)
    ae.partial_fit(X).partial_fit(X.reshape(40, 1, 8, 8)).partial_fit(X.reshape(40, 64))
    assert len(ae.loss_curve_) == 3
    warm = CNNAutoencoder(n_components=2, warm_start=True, **SMALL).fit(X)
    warm.fit(X.reshape(40, 64))
    assert len(warm.loss_curve_) == 10 and warm.n_iter_ == 5


def test_early_stopping_on_weighted_images():
    X = np.random.RandomState(0).rand(60, 8, 8).astype(np.float32)
    ae = CNNAutoencoder(early_stopping=True, **SMALL)
    ae.fit(X, sample_weight=np.linspace(0.5, 1.5, 60))
    assert len(ae.validation_scores_) == ae.n_iter_ == 5
    assert max(ae.validation_scores_) < 0  # negated reconstruction errors


def stripes(n, vertical, seed):
    """Grey 8x8 images of sine stripes of random frequency and phase,
    horizontal or vertical."""
    rng = np.random.RandomState(seed)
    frequency = rng.uniform(0.5, 1.5, size=(n, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    wave = np.sin(frequency * np.arange(8) + phase)  # (n, 8)
    images = np.repeat(wave[:, :, np.newaxis], 8, axis=2)  # constant rows
    if vertical:
        images = images.transpose(0, 2, 1)
    return (0.5 + 0.4 * images).astype(np.float32)


def test_upweighted_images_are_reconstructed_better():
    """With one value of code for two kinds of images, the kind weighted ten
    times is reconstructed better, at the other kind's expense."""
    X = np.concatenate([stripes(60, False, seed=0), stripes(60, True, seed=1)])
    weight = np.r_[np.ones(60), np.full(60, 10.0)]  # the vertical stripes
    params = dict(
        n_components=1,
        filters=(4,),
        pooling="none",
        learning_rate_init=0.01,
        batch_size=20,
        max_iter=30,
        random_state=0,
    )
    plain = CNNAutoencoder(**params).fit(X)
    weighted = CNNAutoencoder(**params).fit(X, sample_weight=weight)
    horizontal, vertical = stripes(60, False, seed=2), stripes(60, True, seed=3)

    def error(model, images):
        return -model.score(images)

    # measured: vertical 0.0513 -> 0.0438, horizontal 0.0714 -> 0.0840
    assert error(weighted, vertical) < 0.95 * error(plain, vertical)
    assert error(weighted, horizontal) > error(plain, horizontal)
    plain_ratio = error(plain, vertical) / error(plain, horizontal)
    weighted_ratio = error(weighted, vertical) / error(weighted, horizontal)
    assert weighted_ratio < 0.8 * plain_ratio


def test_binary_crossentropy_and_variational_reconstruct_in_the_unit_interval(digits):
    X_train, X_test, _, _ = digits
    vae = CNNAutoencoder(
        n_components=4,
        variational=True,
        loss="binary_crossentropy",
        filters=(8, 16),
        max_iter=10,
        random_state=0,
    ).fit(X_train[:500])
    codes = vae.transform(X_test)
    np.testing.assert_array_equal(codes, vae.transform(X_test))  # the means
    assert vae.module_.encoder[-1].out_features == 8  # means and log variances
    reconstruction = vae.inverse_transform(codes)
    assert ((reconstruction > 0) & (reconstruction < 1)).all()


def test_grid_search_over_n_components_of_a_pipeline(digits):
    X, _, y, _ = digits
    X, y = X[:400].reshape(400, 64), y[:400]
    pipeline = make_pipeline(
        MinMaxScaler(),
        CNNAutoencoder(filters=(8,), input_shape=(1, 8, 8), random_state=0),
        LogisticRegression(max_iter=500),
    )
    # Few samples: smaller batches and a higher rate than the defaults, for
    # more steps in as little time.
    pipeline.set_params(
        cnnautoencoder__batch_size=32,
        cnnautoencoder__learning_rate_init=0.003,
        cnnautoencoder__max_iter=40,
    )
    search = GridSearchCV(pipeline, {"cnnautoencoder__n_components": [2, 12]}, cv=2)
    search.fit(X, y)
    assert search.best_params_ == {"cnnautoencoder__n_components": 12}
    # The codes' accuracy on each held-out fold (cross_val_score itself runs
    # for every estimator in test_compat.py). measured: 0.520 and 0.505 with
    # 2 components, 0.865 and 0.845 with 12
    results = search.cv_results_
    for fold in ("split0_test_score", "split1_test_score"):
        two, twelve = results[fold]
        assert twelve > 0.78
        assert twelve > two + 0.2


@pytest.mark.figures
def test_reconstructs_digits_better_than_pca(digits):
    X_train, X_test, _, _ = digits
    ae = CNNAutoencoder(n_components=8, random_state=0).fit(X_train)
    pca = PCA(n_components=8).fit(X_train.reshape(len(X_train), -1))
    pca_reconstruction = pca.inverse_transform(pca.transform(X_test.reshape(-1, 64)))
    pca_error = np.mean((pca_reconstruction - X_test.reshape(-1, 64)) ** 2)
    # measured: 0.0118 vs 0.0246 (the dense Autoencoder: 0.0129)
    assert -ae.score(X_test) < pca_error


@pytest.mark.figures
def test_denoising_and_anomaly_scores_on_signals():
    train = waves(300)
    rng = np.random.RandomState(1)
    clean = waves(200, seed=2)
    noisy = clean + 0.3 * rng.normal(size=clean.shape).astype(np.float32)
    dae = CNNAutoencoder(
        n_components=4, noise="gaussian", noise_level=0.3, random_state=0
    ).fit(train)
    pca = PCA(n_components=4).fit(train)
    dae_error = np.mean((dae.inverse_transform(dae.transform(noisy)) - clean) ** 2)
    pca_error = np.mean((pca.inverse_transform(pca.transform(noisy)) - clean) ** 2)
    assert dae_error < pca_error  # measured: 0.0118 vs 0.0351
    # Square waves are anomalies for an autoencoder of sines.
    X = np.concatenate([clean, waves(200, kind="square", seed=3)])
    is_sine = np.arange(400) < 200
    assert roc_auc_score(is_sine, dae.score_samples(X)) >= 0.95  # measured: 1.000
